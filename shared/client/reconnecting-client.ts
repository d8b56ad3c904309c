/**
 * A GameClient that survives dropped connections: after an unexpected close it reconnects with the
 * latest reconnect token, with backoff, until the server's grace period is over or a refusal says the
 * seat is gone. The state mirror is kept across connections (a reconnect's full snapshot is applied to
 * it), and events are forwarded from whichever connection is current.
 */

import { CloseCode } from '../protocol/codes.ts';
import type { StateMirror } from '../protocol/delta-apply.ts';
import { Emitter } from './emitter.ts';
import { ConnectError, GameClient, type GameClientEvents, type GameClientOptions } from './game-client.ts';
import { type Backoff, DROP_CODE, isFinalRefusal, retryDelay, seatHeldAfter } from './reconnect-policy.ts';

/** Why a ReconnectingClient stopped for good. */
export type CloseReason =
  /** close() or leave() was called. */
  | 'closed'
  /** The server closed with a code that releases the seat: match over, room closed, replaced, ... */
  | 'server'
  /** A reconnect was refused with a status that means the seat is gone (401, 403, 404, 409, 410). */
  | 'refused'
  /** The reconnect grace period ran out before a reconnect succeeded. */
  | 'grace_expired'
  /** The first connection failed. */
  | 'connect_failed';

/** The connection's state, as the `status` event reports it. */
export type ConnectionStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'connecting' }
  | { readonly state: 'connected'; readonly reconnected: boolean; readonly lastSeq: number }
  | {
      readonly state: 'reconnecting';
      /** 1 for the first retry after a drop. */
      readonly attempt: number;
      /** Close code and reason of the connection that dropped. */
      readonly code: number;
      readonly reason: string;
      /** Local time (the client's `now`) after which the seat is assumed gone. */
      readonly deadline: number;
    }
  | {
      readonly state: 'closed';
      readonly reason: CloseReason;
      /** The last close code (or the refused upgrade's close code). */
      readonly code: number | undefined;
      readonly detail: string;
    };

/** Events of a ReconnectingClient: GameClient's (from the current connection) plus `status`. */
export interface ReconnectingClientEvents extends Omit<GameClientEvents, 'close'> {
  status: ConnectionStatus;
}

/** setTimeout and clearTimeout, injectable for tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ReconnectingClientOptions extends Omit<GameClientOptions, 'reconnect' | 'mirror'> {
  /** The seat token for the first connection. */
  readonly seat: string;
  /**
   * How long the server holds a dropped seat (TICKFORGE_RECONNECT_GRACE_MS, default 10000). Browsers
   * do not show why an upgrade was refused, so retries stop when this runs out.
   */
  readonly graceMs?: number;
  /** First retry delay in ms (default 100), doubled per attempt up to `retryMaxMs` (default 2000). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** For jitter (each delay is 50-100% of its nominal value); default Math.random. */
  readonly random?: () => number;
  readonly timers?: Timers;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A connection to one seat that reconnects by itself. Create it, listen to `status`, then `open()`.
 * @example
 * const game = new ReconnectingClient({ url: reservation.url, seat: reservation.seat });
 * game.on('status', (s) => (hud.textContent = s.state));
 * game.on('state', render);
 * await game.open();
 */
export class ReconnectingClient extends Emitter<ReconnectingClientEvents> {
  readonly #options: ReconnectingClientOptions;
  readonly #timers: Timers;
  readonly #now: () => number;
  readonly #backoff: Backoff;
  #client: GameClient | undefined;
  #unsubscribe: (() => void) | undefined;
  #status: ConnectionStatus = { state: 'idle' };
  #stopped = false;
  #dropping = false;
  #timer: unknown;
  #attempt = 0;
  #deadline = 0;
  #dropCode = 0;
  #dropReason = '';

  constructor(options: ReconnectingClientOptions) {
    super();
    this.#options = options;
    this.#timers = options.timers ?? defaultTimers;
    this.#now = options.now ?? (() => performance.now());
    this.#backoff = {
      initialMs: options.retryInitialMs ?? 100,
      maxMs: options.retryMaxMs ?? 2000,
      random: options.random ?? Math.random,
    };
  }

  /** Connect with the seat token; resolves once welcomed, rejects (status closed) if that fails. */
  open(): Promise<void> {
    if (this.#status.state !== 'idle') return Promise.reject(new Error('open() was already called'));
    this.#setStatus({ state: 'connecting' });
    return GameClient.connect(this.#options).then(
      (client) => {
        if (this.#stopped) {
          client.close();
          throw new Error('closed while connecting');
        }
        this.#adopt(client, false);
      },
      (error: unknown) => {
        const code = error instanceof ConnectError ? error.code : undefined;
        this.#finish('connect_failed', code, error instanceof Error ? error.message : String(error));
        throw error;
      },
    );
  }

  /** The current connection's state, or where it stands between connections. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The current (or last) connection; a new GameClient after each reconnect. */
  get client(): GameClient | undefined {
    return this.#client;
  }

  /** The room's state, one mirror across reconnects. Throws before the first WELCOME. */
  get state(): StateMirror {
    return this.#current().state;
  }

  get playerId(): string {
    return this.#current().playerId;
  }

  get roomId(): string {
    return this.#current().roomId;
  }

  get tickRate(): number {
    return this.#current().tickRate;
  }

  /** Highest input seq the server has applied. */
  get ackSeq(): number {
    return this.#client?.ackSeq ?? 0;
  }

  get rtt(): number | undefined {
    return this.#client?.rtt;
  }

  get connected(): boolean {
    return this.#status.state === 'connected';
  }

  /** Send one input; returns its seq, or undefined when not connected (the input is not sent). */
  sendInput(input: unknown): number | undefined {
    return this.connected ? this.#client?.sendInput(input) : undefined;
  }

  /** Leave the room for good and stop; resolves once closed. */
  leave(): Promise<void> {
    const client = this.#client;
    if (this.#status.state === 'connected' && client) {
      this.#stopped = true;
      return client.leave();
    }
    this.close();
    return Promise.resolve();
  }

  /** Stop: close the socket (1000 releases the seat; another code leaves it held) and never reconnect. */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    if (this.#status.state === 'connected') this.#client?.close(code, reason);
    else this.#finish('closed', undefined, reason || 'closed by the client');
  }

  /**
   * Drop the socket as a network failure would (close code 4000, the seat is held), and reconnect.
   * For tests and demos ("pull the cable").
   */
  dropConnection(reason = 'dropped by the client'): void {
    if (this.#status.state !== 'connected') return;
    this.#dropping = true;
    this.#client?.close(DROP_CODE, reason);
  }

  #current(): GameClient {
    if (!this.#client) throw new Error('not connected yet: await open() first');
    return this.#client;
  }

  #adopt(client: GameClient, reconnected: boolean): void {
    this.#client = client;
    this.#attempt = 0;
    const offs = [
      client.on('state', (s) => this.emit('state', s)),
      client.on('event', (e) => this.emit('event', e)),
      client.on('matchEnd', (m) => this.emit('matchEnd', m)),
      client.on('error', (e) => this.emit('error', e)),
      client.on('pong', (p) => this.emit('pong', p)),
      client.on('close', ({ code, reason }) => this.#onClose(code, reason)),
    ];
    this.#unsubscribe = () => {
      for (const off of offs) off();
    };
    this.#setStatus({ state: 'connected', reconnected, lastSeq: client.lastSeq });
  }

  #onClose(code: number, reason: string): void {
    this.#unsubscribe?.();
    const dropped = this.#dropping;
    this.#dropping = false;
    if (this.#stopped) this.#finish('closed', code, reason);
    else if (!dropped && !seatHeldAfter(code)) this.#finish('server', code, reason);
    else {
      this.#deadline = this.#now() + (this.#options.graceMs ?? 10_000);
      this.#dropCode = code;
      this.#dropReason = reason;
      this.#schedule();
    }
  }

  /** Wait the next backoff delay, unless that would start the attempt after the deadline. */
  #schedule(): void {
    const delay = retryDelay(this.#backoff, this.#attempt);
    if (this.#now() + delay > this.#deadline) {
      this.#finish('grace_expired', this.#dropCode, 'the seat is no longer held');
      return;
    }
    this.#attempt++;
    this.#setStatus({
      state: 'reconnecting',
      attempt: this.#attempt,
      code: this.#dropCode,
      reason: this.#dropReason,
      deadline: this.#deadline,
    });
    this.#timer = this.#timers.setTimeout(() => this.#reconnect(), delay);
  }

  #reconnect(): void {
    const previous = this.#current();
    const options: GameClientOptions = {
      ...this.#options,
      reconnect: previous.reconnectToken,
      mirror: previous.state,
    };
    GameClient.connect(options).then(
      (client) => {
        if (this.#stopped) {
          client.close();
          this.#finish('closed', undefined, 'closed while reconnecting');
        } else if (client.playerId !== previous.playerId || client.roomId !== previous.roomId) {
          client.close();
          this.#finish('refused', undefined, 'the reconnect token resumed another seat');
        } else {
          this.#adopt(client, true);
        }
      },
      (error: unknown) => {
        if (this.#stopped) this.#finish('closed', undefined, 'closed while reconnecting');
        else if (isFinalRefusal(error)) this.#finish('refused', error.code, error.message);
        else this.#schedule();
      },
    );
  }

  #finish(reason: CloseReason, code: number | undefined, detail: string): void {
    if (this.#status.state === 'closed') return;
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    this.#setStatus({ state: 'closed', reason, code, detail });
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.emit('status', status);
  }
}
