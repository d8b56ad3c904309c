/**
 * One `ws` WebSocket behind the seam (ws.ts runs the server). Mirrors uws.ts's socket: inert after
 * close, handlers.close reported once and at once, faults reported with uWS.js's codes and reasons.
 */
import type { WebSocket } from 'ws';
import { CloseCode } from '../../../shared/protocol/codes.ts';
import type { SocketHandlers, TransportSocket } from './types.ts';
import { ABNORMAL_CLOSURE, TransportCloseReason, truncateCloseReason } from './wire.ts';

const SEND_BINARY = { binary: true } as const;

/** What a socket needs from its transport; one object shared by every socket of a transport. */
export interface SocketHub<T> {
  readonly handlers: SocketHandlers<T>;
  readonly sockets: Set<WsSocket<T>>;
  readonly topics: Map<string, Set<WsSocket<T>>>;
  /** Heartbeat count, read on every inbound frame instead of the clock. */
  beat: number;
}

/** ws's receiver errors, as the code and reason uWS.js would report for the same fault. */
export function faultOf(error: Error & { code?: string }): readonly [number, string] {
  switch (error.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return [CloseCode.MESSAGE_TOO_BIG, TransportCloseReason.TOO_BIG];
    case 'WS_ERR_INVALID_UTF8':
      return [CloseCode.INVALID_PAYLOAD, TransportCloseReason.INVALID_UTF8];
    case 'WS_ERR_INVALID_CLOSE_CODE':
      return [CloseCode.PROTOCOL_ERROR, TransportCloseReason.INVALID_CLOSE];
    default:
      return [CloseCode.PROTOCOL_ERROR, TransportCloseReason.INVALID_FRAME];
  }
}

/**
 * A `ws` WebSocket behind the seam. Like uws.ts, close() and terminate() report handlers.close at
 * once (uWS.js does so synchronously) and the later 'close' event of `ws` is ignored.
 */
export class WsSocket<T> implements TransportSocket<T> {
  readonly data: T;
  readonly remoteAddress: string;
  readonly #hub: SocketHub<T>;
  /** Undefined once handlers.close has been called. */
  #ws: WebSocket | undefined;
  #topics: Set<string> | undefined;
  seenAt: number;

  constructor(ws: WebSocket, data: T, remoteAddress: string, hub: SocketHub<T>) {
    this.data = data;
    this.remoteAddress = remoteAddress;
    this.#hub = hub;
    this.#ws = ws;
    this.seenAt = hub.beat;
  }

  send(bytes: Uint8Array): boolean {
    // uWS.js copies what it queues; `ws` would keep a reference the caller may overwrite.
    return this.sendOwned(Buffer.from(bytes));
  }

  /** Send bytes nobody will modify (publish copies once for all subscribers). */
  sendOwned(bytes: Buffer): boolean {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== ws.OPEN) return false;
    ws.send(bytes, SEND_BINARY);
    return true;
  }

  /** False once handlers.close has been called for this socket. */
  get open(): boolean {
    return this.#ws !== undefined;
  }

  bufferedAmount(): number {
    return this.#ws === undefined ? 0 : this.#ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    const cut = truncateCloseReason(reason);
    try {
      ws.close(code, cut);
    } catch {
      ws.terminate(); // `ws` throws on codes RFC 6455 forbids on the wire; uWS.js sends them anyway
    }
    this.closed(code, cut);
  }

  terminate(): void {
    this.#ws?.terminate();
    this.closed(ABNORMAL_CLOSURE, '');
  }

  /** Drop the connection for silence, as uWS.js's idleTimeout does. */
  expire(): void {
    this.#ws?.terminate();
    this.closed(ABNORMAL_CLOSURE, TransportCloseReason.IDLE);
  }

  ping(): void {
    this.#ws?.ping();
  }

  subscribe(topic: string): void {
    if (this.#ws === undefined) return;
    this.#topics ??= new Set();
    this.#topics.add(topic);
    let subscribers = this.#hub.topics.get(topic);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#hub.topics.set(topic, subscribers);
    }
    subscribers.add(this);
  }

  unsubscribe(topic: string): void {
    if (this.#topics?.delete(topic)) this.#leave(topic);
  }

  #leave(topic: string): void {
    const subscribers = this.#hub.topics.get(topic);
    if (subscribers === undefined) return;
    subscribers.delete(this);
    if (subscribers.size === 0) this.#hub.topics.delete(topic);
  }

  /** The one place handlers.close is called from; later calls do nothing. */
  closed(code: number, reason: string): void {
    if (this.#ws === undefined) return;
    this.#ws = undefined;
    this.#hub.sockets.delete(this);
    if (this.#topics !== undefined) {
      for (const topic of this.#topics) this.#leave(topic);
      this.#topics = undefined;
    }
    this.#hub.handlers.close(this, code, reason);
  }
}
