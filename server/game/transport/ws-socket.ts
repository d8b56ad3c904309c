/**
 * One `ws` WebSocket behind the seam (ws.ts runs the server). Mirrors uws.ts's socket: inert after
 * close, handlers.close reported once and at once, faults reported with uWS.js's codes and reasons.
 */
import type { WebSocket } from 'ws';
import type { SocketHandlers, TransportFault, TransportSocket } from './types.ts';
import { ABNORMAL_CLOSURE, TRANSPORT_FAULTS, truncateCloseReason } from './wire.ts';

const SEND_BINARY = { binary: true } as const;

/** What a socket needs from its transport; one object shared by every socket of a transport. */
export interface SocketHub<T> {
  readonly handlers: SocketHandlers<T>;
  readonly sockets: Set<WsSocket<T>>;
  readonly topics: Map<string, Set<WsSocket<T>>>;
  /** Heartbeat count, read on every inbound frame instead of the clock. */
  beat: number;
}

/** The fault behind one of ws's receiver errors (it has already sent the matching close frame). */
export function faultOf(error: Error & { code?: string }): TransportFault {
  switch (error.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 'too_big';
    case 'WS_ERR_INVALID_UTF8':
      return 'invalid_utf8';
    case 'WS_ERR_INVALID_CLOSE_CODE':
      return 'invalid_close';
    default:
      return 'invalid_frame'; // unmasked, RSV bits, reserved opcodes, bad control frames
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
    this.faulted('idle');
  }

  /** The transport ended the socket for `fault`: report it as uWS.js would, at once. */
  faulted(fault: TransportFault): void {
    const { code, reason } = TRANSPORT_FAULTS[fault];
    this.closed(code, reason, fault);
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
  closed(code: number, reason: string, fault?: TransportFault): void {
    if (this.#ws === undefined) return;
    this.#ws = undefined;
    this.#hub.sockets.delete(this);
    if (this.#topics !== undefined) {
      for (const topic of this.#topics) this.#leave(topic);
      this.#topics = undefined;
    }
    this.#hub.handlers.close(this, code, reason, fault);
  }
}
