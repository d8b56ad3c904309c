/**
 * The game client: connects with a seat token, keeps a live mirror of the room's state from
 * snapshots and deltas, sends inputs with sequence numbers, and measures RTT with ping/pong.
 * Runs in browsers and Node 22+ (both have a global WebSocket); nothing here is Node- or DOM-only.
 */

import { decodeMessage, encodeMessage } from '../protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL, SUBPROTOCOL_V1 } from '../protocol/codes.ts';
import { type ApplyResult, ProtocolError, StateMirror } from '../protocol/delta-apply.ts';
import { type AppliedState, applyStateMessage } from '../protocol/state-message.ts';
import { shapeFromWire } from '../protocol/state-shape.ts';
import { Emitter } from './emitter.ts';

/** The WebSocket constructor the client uses (the platform's by default). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface GameClientOptions {
  /** The game node's WebSocket URL, e.g. `ws://localhost:2567/ws`. */
  readonly url: string;
  /** A seat token from the lobby (or the dev seat endpoint). */
  readonly seat?: string;
  /** A reconnect token from an earlier WELCOME, to resume a held seat. */
  readonly reconnect?: string;
  /** How often to ping for RTT, in ms; 0 disables. Default 1000. */
  readonly pingIntervalMs?: number;
  readonly WebSocket?: WebSocketConstructor;
  /** Milliseconds for RTT measurement; default performance.now. */
  readonly now?: () => number;
  /**
   * The mirror to apply state to, instead of a new one: a reconnect to the same seat passes the old
   * connection's mirror, so its full snapshot reports real created/changed/removed ids and entity
   * objects stay the same.
   */
  readonly mirror?: StateMirror;
}

/** One applied state message. */
export interface StateUpdate extends ApplyResult {
  readonly tick: number;
  /** Highest input seq the server has applied. */
  readonly ackSeq: number;
  /** A full snapshot (join, reconnect, or a baseline too old for a delta). */
  readonly full: boolean;
}

/** Events a GameClient emits. */
export interface GameClientEvents {
  state: StateUpdate;
  event: { readonly name: string; readonly payload: unknown };
  matchEnd: unknown;
  error: { readonly code: string; readonly message: string };
  pong: PongInfo;
  close: { readonly code: number; readonly reason: string };
}

/** One answered ping: what clock synchronization needs (see clock-sync.ts). */
export interface PongInfo {
  readonly rtt: number;
  /** Local time (the client's `now`) the ping was sent and the pong received, in ms. */
  readonly sentAt: number;
  readonly receivedAt: number;
  /** The server's monotonic clock and the room's tick when it answered (undefined if not sent). */
  readonly serverTime: number | undefined;
  readonly tick: number | undefined;
}

/** Counters for a HUD or a load test. */
export interface ClientStats {
  bytesReceived: number;
  messagesReceived: number;
  statesReceived: number;
  bytesSent: number;
}

/**
 * Close after a server message we cannot use. 1002 is not a code platform WebSockets may send, so
 * the client sends 4100; and close() must never throw out of an event listener.
 */
function closeQuietly(socket: WebSocket, reason: string): void {
  try {
    socket.close(CloseCode.CLIENT_CANNOT_APPLY, reason);
  } catch {
    // already closing
  }
}

/** Why a connection attempt failed before the server's WELCOME. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly code: number;
  /**
   * The HTTP status of a refused upgrade, when the socket library reports it (the `ws` package does;
   * browsers and Node's global WebSocket hide it, and only show close code 1006).
   */
  readonly status: number | undefined;
  constructor(code: number, reason: string, status?: number) {
    super(reason || `connection closed before welcome (code ${code}${status ? `, HTTP ${status}` : ''})`);
    this.code = code;
    this.status = status;
  }
}

/** The status in an upgrade failure's error text, e.g. ws's "Unexpected server response: 410". */
function refusalStatus(event: Event): number | undefined {
  const message = (event as { message?: unknown }).message;
  const match = typeof message === 'string' ? /server response: (\d{3})/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

/** A socket event held back until connect()'s caller can listen: a server frame, or the close. */
type HeldEvent = Uint8Array | { readonly code: number; readonly reason: string };

/** A connection to one room on a game node. Create with GameClient.connect(). */
export class GameClient extends Emitter<GameClientEvents> {
  readonly playerId: string;
  readonly roomId: string;
  readonly mode: string;
  readonly tickRate: number;
  /** Token that resumes this seat after a dropped connection (within the grace period). */
  readonly reconnectToken: string;
  readonly state: StateMirror;
  readonly stats: ClientStats;
  readonly #socket: WebSocket;
  readonly #now: () => number;
  readonly #pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Index in ROOM_DELTA ack tables (protocol v2); undefined on v1. */
  readonly #slot: number | undefined;
  #seq = 0;
  #ackSeq = 0;
  #rtt: number | undefined;
  #closed = false;
  /**
   * Socket events after WELCOME, held until connect()'s caller has had its turn (undefined once
   * released). WELCOME and the first SNAPSHOT often arrive in one read, and the socket dispatches
   * both before any promise continuation runs: emitted at once, that full snapshot would reach no
   * listener (and a reconnect would lose its created/changed/removed report).
   */
  #held: HeldEvent[] | undefined = [];

  /**
   * Open a socket, wait for WELCOME, and resolve with a client that is receiving state. Everything
   * the server sent after WELCOME is applied and emitted in the next task, so listeners attached
   * when the promise settles (after any chain of `await`s) see every state from the first snapshot.
   */
  static connect(options: GameClientOptions): Promise<GameClient> {
    const Socket = options.WebSocket ?? globalThis.WebSocket;
    const token = options.reconnect
      ? `reconnect=${encodeURIComponent(options.reconnect)}`
      : `seat=${encodeURIComponent(options.seat ?? '')}`;
    const url = `${options.url}${options.url.includes('?') ? '&' : '?'}${token}`;
    // v2 first; a node that only speaks v1 picks that, and the client follows.
    const socket = new Socket(url, [SUBPROTOCOL, SUBPROTOCOL_V1]);
    socket.binaryType = 'arraybuffer';
    const stats: ClientStats = { bytesReceived: 0, messagesReceived: 0, statesReceived: 0, bytesSent: 0 };
    return new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        stats.bytesReceived += bytes.byteLength;
        stats.messagesReceived++;
        let message: unknown[];
        try {
          message = decodeMessage(bytes);
        } catch (error) {
          closeQuietly(socket, 'undecodable server message');
          reject(error);
          return;
        }
        cleanup();
        if (message[0] !== MessageType.WELCOME) {
          closeQuietly(socket, 'expected welcome');
          reject(
            new ProtocolError(
              'malformed_welcome',
              `expected WELCOME, got message type ${String(message[0])}`,
            ),
          );
          return;
        }
        try {
          const client = new GameClient(socket, message, stats, options);
          resolve(client);
          // A task, not a microtask: every continuation of the resolved promise runs before it.
          setTimeout(() => client.#release(), 0);
        } catch (error) {
          closeQuietly(socket, 'malformed welcome');
          reject(error);
        }
      };
      let status: number | undefined;
      const onClose = (event: CloseEvent) => {
        cleanup();
        reject(new ConnectError(event.code, event.reason, status));
      };
      // Every failure is followed by a close event, which rejects with its code; this listener keeps
      // EventEmitter-based sockets (the ws package in Node) from throwing an unhandled error, and
      // picks up the refusal status where the library tells it.
      const onError = (event: Event) => {
        status ??= refusalStatus(event);
      };
      const cleanup = () => {
        socket.removeEventListener('message', onMessage);
        socket.removeEventListener('close', onClose);
      };
      socket.addEventListener('message', onMessage);
      socket.addEventListener('close', onClose);
      socket.addEventListener('error', onError);
    });
  }

  private constructor(socket: WebSocket, welcome: unknown[], stats: ClientStats, options: GameClientOptions) {
    super();
    const [, playerId, roomId, reconnectToken, tickRate, , wireShape, mode, lastSeq, slot] = welcome;
    if (
      typeof playerId !== 'string' ||
      typeof roomId !== 'string' ||
      typeof reconnectToken !== 'string' ||
      typeof tickRate !== 'number' ||
      typeof mode !== 'string'
    ) {
      throw new ProtocolError('malformed_welcome', 'WELCOME message has wrong field types');
    }
    this.playerId = playerId;
    this.roomId = roomId;
    this.reconnectToken = reconnectToken;
    this.tickRate = tickRate;
    this.mode = mode;
    // After a reconnect the seat remembers the last input seq it accepted; continue after it.
    this.#seq = typeof lastSeq === 'number' && Number.isSafeInteger(lastSeq) && lastSeq > 0 ? lastSeq : 0;
    this.#ackSeq = this.#seq;
    this.#slot = typeof slot === 'number' && Number.isSafeInteger(slot) && slot >= 0 ? slot : undefined;
    this.state = options.mirror ?? new StateMirror(shapeFromWire(wireShape));
    this.stats = stats;
    this.#socket = socket;
    this.#now = options.now ?? (() => performance.now());
    socket.addEventListener('message', (event) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (this.#held) this.#held.push(bytes);
      else this.#onMessage(bytes);
    });
    socket.addEventListener('close', ({ code, reason }) => {
      if (this.#held) this.#held.push({ code, reason });
      else this.#onClose(code, reason);
    });
    const interval = options.pingIntervalMs ?? 1000;
    this.#pingTimer = interval > 0 ? setInterval(() => this.ping(), interval) : undefined;
    if (interval > 0) this.ping();
  }

  /** The tick of the last applied state, -1 before the first. */
  get tick(): number {
    return this.state.tick;
  }

  /** Highest input seq the server has applied. */
  get ackSeq(): number {
    return this.#ackSeq;
  }

  /** Seq of the last input sent. */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Round-trip time in ms from the last pong. */
  get rtt(): number | undefined {
    return this.#rtt;
  }

  get connected(): boolean {
    return !this.#closed;
  }

  /** Send one input; returns its seq (inputs are applied in seq order, at most a few per tick). */
  sendInput(input: unknown): number {
    this.#seq++;
    this.#send(encodeMessage([MessageType.INPUT, this.#seq, input]));
    return this.#seq;
  }

  /** Ask for a pong now (RTT is updated when it arrives). */
  ping(): void {
    this.#send(encodeMessage([MessageType.PING, this.#now()]));
  }

  /** Leave the room for good (no grace period) and wait for the socket to close. */
  leave(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    this.#send(encodeMessage([MessageType.LEAVE]));
    return closed;
  }

  /** Close the socket (the seat is held for the grace period unless `code` is 1000). */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.#closed) return;
    this.#socket.close(code, reason);
  }

  /** Apply and emit what arrived while connect()'s caller could not listen yet, in order. */
  #release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const event of held) {
      if (event instanceof Uint8Array) this.#onMessage(event);
      else this.#onClose(event.code, event.reason);
    }
  }

  #send(bytes: Uint8Array): void {
    if (this.#closed || this.#socket.readyState !== 1) return;
    this.stats.bytesSent += bytes.byteLength;
    this.#socket.send(bytes as Uint8Array<ArrayBuffer>);
  }

  #onMessage(bytes: Uint8Array): void {
    this.stats.bytesReceived += bytes.byteLength;
    this.stats.messagesReceived++;
    let message: unknown[];
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      this.#fail(error);
      return;
    }
    switch (message[0]) {
      case MessageType.SNAPSHOT:
      case MessageType.DELTA:
      case MessageType.ROOM_DELTA: {
        let applied: AppliedState;
        try {
          applied = applyStateMessage(this.state, message, this.#ackSeq, this.#slot);
        } catch (error) {
          this.#fail(error);
          return;
        }
        this.#ackSeq = applied.ackSeq;
        this.stats.statesReceived++;
        this.emit('state', {
          ...applied.result,
          tick: applied.tick,
          ackSeq: applied.ackSeq,
          full: applied.full,
        });
        return;
      }
      case MessageType.PONG: {
        const [, sentAt, serverTime, tick] = message;
        if (typeof sentAt === 'number') {
          const receivedAt = this.#now();
          this.#rtt = receivedAt - sentAt;
          this.emit('pong', {
            rtt: this.#rtt,
            sentAt,
            receivedAt,
            serverTime: typeof serverTime === 'number' ? serverTime : undefined,
            tick: typeof tick === 'number' ? tick : undefined,
          });
        }
        return;
      }
      case MessageType.EVENT:
        this.emit('event', { name: String(message[1]), payload: message[2] });
        return;
      case MessageType.ERROR:
        this.emit('error', { code: String(message[1]), message: String(message[2]) });
        return;
      case MessageType.MATCH_END:
        this.emit('matchEnd', message[1]);
        return;
      default:
        this.#fail(new ProtocolError('unknown_type', `unknown server message type ${String(message[0])}`));
    }
  }

  /** A server message we cannot apply leaves the mirror unusable: drop the connection. */
  #fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.emit('error', { code: 'protocol_error', message });
    closeQuietly(this.#socket, 'client could not apply a server message');
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.emit('close', { code, reason });
  }
}
