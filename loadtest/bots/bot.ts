/**
 * One bot: a seat, a socket (the SDK's GameClient, or a raw socket that only counts bytes), a
 * wandering direction, and the send times of inputs not yet acknowledged.
 */
import { WebSocket as WsSocket } from 'ws';
import { GameClient } from '../../shared/client/game-client.ts';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import { AckTimer } from '../common/ack-timer.ts';
import { seatUrl } from '../common/lobby-api.ts';
import { Wander } from '../common/wander.ts';

/** Where a bot sits: the game node's WebSocket URL and a seat token for it. */
export interface SeatGrant {
  readonly url: string;
  readonly seat: string;
  readonly roomId: string;
}

/** What a bot reports to, and reads from, the run it belongs to. */
export interface BotHost {
  /** Count bytes and messages only: no SDK, no decoding. */
  readonly raw: boolean;
  /** The run is closing the bots itself: closes are not disconnects. */
  readonly closing: boolean;
  recordAck(ms: number): void;
  disconnect(code: number): void;
  error(kind: string, message: string): void;
}

/** Counters of one bot. */
export interface BotTotals {
  readonly bytes: number;
  readonly messages: number;
  readonly states: number;
}

/** The ws package as the SDK's WebSocket, without permessage-deflate (the servers do not compress). */
function botWebSocket(onError: (error: Error) => void): typeof globalThis.WebSocket {
  // ws emits 'error' as a Node event and throws when nobody listens (the SDK only listens to
  // 'close', which follows): a refused upgrade or a reset must be counted, not crash the bots.
  class BotWebSocket extends WsSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: false, skipUTF8Validation: true });
      this.on('error', onError);
    }
  }
  return BotWebSocket as unknown as typeof globalThis.WebSocket;
}

/** One bot of a run. */
export class Bot {
  readonly index: number;
  connectedAt = -1;
  closedAt = -1;
  inputs = 0;
  #bytes = 0;
  #messages = 0;
  #states = 0;
  #seq = 0;
  readonly #wander = new Wander();
  readonly #acks = new AckTimer();
  #client: GameClient | undefined;
  #raw: WsSocket | undefined;
  readonly #host: BotHost;

  constructor(index: number, host: BotHost) {
    this.index = index;
    this.#host = host;
  }

  get open(): boolean {
    return this.connectedAt >= 0 && this.closedAt < 0;
  }

  async connect(grant: SeatGrant): Promise<void> {
    if (this.#host.raw) return this.#connectRaw(grant);
    let socketError: string | undefined;
    const WebSocket = botWebSocket((error) => {
      if (this.open) this.#host.error('socket', error.message);
      else socketError = error.message;
    });
    let client: GameClient;
    try {
      client = await GameClient.connect({ url: grant.url, seat: grant.seat, WebSocket, pingIntervalMs: 0 });
    } catch (error) {
      // "Unexpected server response: 401" says more than the SDK's "closed before welcome (1006)".
      throw socketError === undefined ? error : new Error(socketError);
    }
    this.#client = client;
    this.connectedAt = performance.now();
    // The WELCOME was counted by the SDK; our counters start after it.
    client.on('state', (state) => {
      this.#states++;
      this.#acks.acked(state.ackSeq, performance.now(), (ms) => this.#host.recordAck(ms));
    });
    client.on('error', (error) => this.#host.error(`server ${error.code}`, error.message));
    client.on('close', ({ code }) => this.#closed(code));
  }

  #connectRaw(grant: SeatGrant): Promise<void> {
    const socket = new WsSocket(seatUrl(grant), [SUBPROTOCOL], {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    this.#raw = socket;
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        this.connectedAt = performance.now();
        socket.on('message', (data: Buffer) => {
          this.#bytes += data.byteLength;
          this.#messages++;
        });
        socket.on('close', (code: number) => this.#closed(code));
        resolve();
      });
      socket.once('error', (error) => {
        if (this.connectedAt < 0) reject(error);
        else this.#host.error('socket', error.message);
      });
    });
  }

  /** Counters as the SDK keeps them (raw mode keeps its own, and counts every message as state). */
  totals(): BotTotals {
    const stats = this.#client?.stats;
    if (!stats) return { bytes: this.#bytes, messages: this.#messages, states: this.#messages };
    return { bytes: stats.bytesReceived, messages: stats.messagesReceived, states: this.#states };
  }

  /** Send one input in the bot's current direction. */
  sendInput(now: number): void {
    if (!this.open) return;
    const input = this.#wander.next(now);
    if (this.#client) {
      this.#client.sendInput(input);
    } else if (this.#raw?.readyState === WsSocket.OPEN) {
      this.#raw.send(encodeMessage([MessageType.INPUT, ++this.#seq, input]));
    } else {
      return;
    }
    this.#acks.sent(now);
    this.inputs++;
  }

  #closed(code: number): void {
    this.closedAt = performance.now();
    if (!this.#host.closing) this.#host.disconnect(code);
  }

  /** Close with 1000 and wait for the close (at most 2 s). */
  close(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => {
      const done = setTimeout(resolve, 2000);
      const finish = () => {
        clearTimeout(done);
        resolve();
      };
      if (this.#client) {
        this.#client.once('close', finish);
        this.#client.close(CloseCode.NORMAL, 'bot done');
      } else if (this.#raw) {
        this.#raw.once('close', finish);
        this.#raw.close(CloseCode.NORMAL, 'bot done');
      }
    });
  }
}
