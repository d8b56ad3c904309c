/**
 * `k6/websockets` as k6 v2.2.0 implements it (grafana/k6 internal/js/modules/k6/websockets/
 * websockets.go and params.go), over a Dialer: a FakeGameNode on the VU's clock
 * (fake-game-node.ts), or a real game node reached from another thread (k6-socket-bridge.ts). What a
 * script can see is k6's, not the browser's:
 * - the constructor returns a plain object; there are no CONNECTING/OPEN/CLOSING/CLOSED constants on
 *   the constructor or the instance (they arrive in v2.3.0, grafana/k6#6306): `readyState` is a
 *   read-only number, 0 to 3;
 * - `protocols` (a string or an array) is offered as subprotocols; a `Sec-WebSocket-Protocol` header
 *   in `params.headers` as well makes the dial fail ("duplicate header not allowed", gorilla);
 * - params take `headers`, `tags`, `jar` and `compression` only; anything else throws;
 * - `binaryType` is "blob" until set, accepts "blob" or "arraybuffer" only, and binary messages
 *   arrive as a Blob or an ArrayBuffer accordingly;
 * - events carry `type`, `target` and `timestamp`; `message` adds `data` and `origin`, `error` adds
 *   `error` (a string), `close` adds `reason` and, only when a closing frame carried one, `code`;
 * - a closing frame whose code is neither 1000 nor 1001 is reported as an `error` event first;
 *   a dropped connection closes without `code` and without an error; messages are delivered only
 *   while the socket is OPEN.
 */
import vm from 'node:vm';
import { decodeMessage } from '../../../shared/protocol/codec.ts';
import type { EventLoop } from './k6-clock.ts';

/** The handshake a socket asks for. */
export interface DialRequest {
  readonly url: string;
  /** Subprotocols offered (from `protocols`, or else the Sec-WebSocket-Protocol header). */
  readonly subprotocols: readonly string[];
  /** Request headers other than Sec-WebSocket-Protocol, keys as Go's net/http writes them. */
  readonly headers: Record<string, string>;
}

/** What the far end of a socket reports, on the VU's event loop. */
export interface PeerEvents {
  /** The upgrade succeeded with this subprotocol ('' if none). */
  opened(protocol: string): void;
  /** The dial failed (refused upgrade, unreachable node): k6's error text. */
  refused(error: string): void;
  /** A data frame (binary as bytes, text as a string). */
  deliver(data: Uint8Array | string): void;
  /** The connection ended: with the closing frame's code, or undefined when it was dropped. */
  closed(code: number | undefined, reason: string): void;
}

/** The far end of one socket. */
export interface Peer {
  /** A binary frame from the script: its bytes, and the message they decode to. */
  send(bytes: Uint8Array, message: unknown[]): void;
  /** The script closes with `code`: send the closing frame (the peer answers it). */
  close(code: number, reason: string): void;
}

/**
 * Open one connection. `schedule` runs work on the VU's loop for this socket only (dropped when it
 * closes).
 */
export type Dialer = (
  request: DialRequest,
  events: PeerEvents,
  schedule: (delayMs: number, run: () => void) => void,
) => Peer;

/** One socket the script opened, as the fake node saw it. */
export interface SocketRecord {
  readonly url: string;
  readonly protocols: unknown;
  readonly params: unknown;
  /** The handshake's request headers, keys as Go's net/http writes them. */
  readonly headers: Record<string, string>;
  /** Subprotocols offered (from `protocols` or the header), and the one the node picked. */
  offered: string[];
  protocol: string;
  binaryType: string;
  /** Client frames: when, whether sent as a plain ArrayBuffer, and the decoded message (or text). */
  readonly sent: { at: number; arrayBuffer: boolean; message: unknown[] | string }[];
  /** Server frames delivered to the script: each binary frame's type code, or 'text'. */
  readonly received: (number | 'text')[];
  closed?: { at: number; by: 'client' | 'server'; code: number | undefined; reason: string };
  /** `error` events the script was given. */
  readonly errors: string[];
}

/** What the socket reports to the emulation's metric records. */
export interface SocketHost {
  readonly loop: EventLoop;
  readonly context: vm.Context;
  inInitContext(): boolean;
  /** Where the sockets connect. */
  readonly dial: Dialer;
  record(socket: SocketRecord): void;
  /** A builtin ws_* metric sample, with the socket's tags. */
  sample(metric: string, value: number, tags: Record<string, string>): void;
  /** k6 logs a warning (not an exception) for some misuse. */
  warn(message: string): void;
}

const EVENT_TYPES = ['open', 'message', 'error', 'close', 'ping', 'pong'] as const;
/** How long gorilla takes to refuse a duplicate header: no time, but an event never comes at once. */
const REFUSE_DELAY_MS = 1;
/** gorilla/websocket's CloseError text for the codes the node uses. */
const CLOSE_NAMES: Record<number, string> = { 1000: ' (normal)', 1001: ' (going away)' };

/** Go's http.CanonicalHeaderKey: `sec-websocket-protocol` -> `Sec-Websocket-Protocol`. */
export function canonicalHeader(key: string): string {
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function userTags(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new TypeError(`invalid ${what} tags option: tags must be an object`);
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value)) {
    if (tag !== null && typeof tag === 'object') {
      throw new TypeError(`invalid ${what} tags option: invalid value for metric tag '${key}'`);
    }
    tags[key] = String(tag);
  }
  return tags;
}

/** The `Blob` k6/websockets exports: enough for a script to tell it from an ArrayBuffer. */
export function blobClass(context: vm.Context) {
  const RealmUint8Array = vm.runInContext('Uint8Array', context) as Uint8ArrayConstructor;
  const RealmPromise = vm.runInContext('Promise', context) as PromiseConstructor;
  return class Blob {
    readonly #bytes: Uint8Array;
    readonly type: string;
    constructor(parts: readonly (ArrayBuffer | Uint8Array | string)[] = [], options: { type?: string } = {}) {
      const chunks = parts.map((p) =>
        typeof p === 'string' ? new TextEncoder().encode(p) : new Uint8Array(p as ArrayBuffer),
      );
      this.#bytes = new RealmUint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        this.#bytes.set(chunk, at);
        at += chunk.length;
      }
      this.type = options.type ?? '';
    }
    get size(): number {
      return this.#bytes.length;
    }
    arrayBuffer(): Promise<ArrayBuffer> {
      return RealmPromise.resolve(this.#bytes.slice().buffer);
    }
    text(): Promise<string> {
      return RealmPromise.resolve(new TextDecoder().decode(this.#bytes));
    }
  };
}

/** The `WebSocket` constructor of one VU's `k6/websockets`. */
export function webSocketConstructor(host: SocketHost, Blob: ReturnType<typeof blobClass>) {
  const { loop, context } = host;
  const RealmUint8Array = vm.runInContext('Uint8Array', context) as Uint8ArrayConstructor;
  const newObject = () => vm.runInContext('({})', context) as Record<string, unknown>;

  // A function, not a class: k6's constructor returns a fresh plain object (websockets.go `obj`).
  function WebSocket(url: unknown, protocols?: unknown, params?: unknown): object {
    if (host.inInitContext()) throw new Error('WebSocket can only be used in the VU context');
    if (url === undefined || url === null) throw new Error('WebSocket requires a url');
    const parsed = new URL(String(url));
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new Error(
        `WebSocket requires url with scheme ws or wss, but got "${parsed.protocol.slice(0, -1)}"`,
      );
    }
    if (parsed.hash !== '')
      throw new Error(`WebSocket requires no url fragment, but got "${parsed.hash.slice(1)}"`);
    const headers: Record<string, string> = { 'User-Agent': 'k6/2.2.0 (https://k6.io/)' };
    let tags: Record<string, string> = {};
    if (params !== undefined && params !== null) {
      for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
        if (key === 'headers') {
          for (const [name, header] of Object.entries((value ?? {}) as Record<string, unknown>)) {
            headers[canonicalHeader(name)] = String(header);
          }
        } else if (key === 'tags') {
          tags = userTags(value, 'WebSocket');
        } else if (key === 'compression') {
          if (String(value).trim() !== 'deflate') {
            throw new Error(
              `unsupported compression algorithm '${String(value)}', supported algorithm is 'deflate'`,
            );
          }
        } else if (key !== 'jar') {
          throw new Error(`unknown WebSocket's option ${key}`);
        }
      }
    }
    const subprotocols =
      protocols === undefined || protocols === null
        ? []
        : Array.isArray(protocols)
          ? protocols.map(String)
          : [String(protocols)];
    const socketTags = { ...tags, url: tags.name ?? parsed.href, name: tags.name ?? parsed.href };
    const record: SocketRecord = {
      url: parsed.href,
      protocols: protocols ?? null,
      params: params ?? null,
      headers,
      offered:
        subprotocols.length > 0 ? subprotocols : (headers['Sec-Websocket-Protocol']?.split(/\s*,\s*/) ?? []),
      protocol: '',
      binaryType: 'blob',
      sent: [],
      received: [],
      errors: [],
    };
    host.record(record);

    const obj = newObject();
    let readyState = 0;
    const listeners = new Map<string, ((event: object) => unknown)[]>(EVENT_TYPES.map((t) => [t, []]));
    const handlers = new Map<string, ((event: object) => unknown) | null>();
    const tasks: number[] = [];
    const schedule = (ms: number, run: () => void) => {
      tasks.push(loop.schedule(ms, run));
    };
    const event = (type: string, fields: Record<string, unknown> = {}) => {
      const e = newObject();
      Object.assign(e, { type, target: obj, timestamp: loop.now }, fields);
      return e;
    };
    const emit = (type: string, fields?: Record<string, unknown>) => {
      const e = event(type, fields);
      const on = handlers.get(type);
      for (const listener of [...(on ? [on] : []), ...(listeners.get(type) ?? [])]) listener(e);
    };
    const closed = (by: 'client' | 'server', code: number | undefined, reason: string) => {
      if (readyState === 3) return;
      readyState = 3;
      for (const task of tasks) loop.cancel(task);
      record.closed = { at: loop.now, by, code, reason };
      host.sample('ws_session_duration', 0, socketTags);
      if (code !== undefined && code !== 1000 && code !== 1001) {
        const error = `websocket: close ${code}${CLOSE_NAMES[code] ?? ''}${reason ? `: ${reason}` : ''}`;
        record.errors.push(error);
        emit('error', { error });
      }
      emit('close', code === undefined ? { reason } : { code, reason });
    };
    const dialAt = loop.now;
    const connected = () => {
      host.sample('ws_sessions', 1, socketTags);
      host.sample('ws_connecting', loop.now - dialAt, socketTags);
    };
    const refused = (error: string) => {
      connected();
      readyState = 3;
      record.closed = { at: loop.now, by: 'client', code: undefined, reason: '' };
      record.errors.push(error);
      emit('error', { error });
      emit('close', { reason: '' });
    };
    const events: PeerEvents = {
      opened(protocol) {
        if (readyState !== 0) return;
        connected();
        record.protocol = protocol;
        readyState = 1;
        emit('open');
      },
      refused(error) {
        if (readyState === 0) refused(error);
      },
      deliver(data) {
        if (readyState !== 1) return;
        host.sample('ws_msgs_received', 1, socketTags);
        if (typeof data === 'string') {
          record.received.push('text');
          emit('message', { data, origin: parsed.href });
          return;
        }
        record.received.push(data[1] ?? -1);
        const copy = new RealmUint8Array(data);
        const payload = record.binaryType === 'arraybuffer' ? copy.buffer : new Blob([copy]);
        emit('message', { data: payload, origin: parsed.href });
      },
      closed: (code, reason) => closed(readyState === 2 ? 'client' : 'server', code, reason),
    };
    // gorilla refuses a Sec-WebSocket-Protocol header next to Dialer.Subprotocols, before dialing.
    const duplicate = subprotocols.length > 0 && 'Sec-Websocket-Protocol' in headers;
    const { 'Sec-Websocket-Protocol': _offeredByHeader, ...otherHeaders } = headers;
    const peer: Peer | undefined = duplicate
      ? undefined
      : host.dial(
          { url: parsed.href, subprotocols: record.offered, headers: otherHeaders },
          events,
          schedule,
        );
    if (duplicate) {
      schedule(REFUSE_DELAY_MS, () =>
        refused('websocket: duplicate header not allowed: Sec-Websocket-Protocol'),
      );
    }

    Object.defineProperties(obj, {
      url: { value: parsed.href, enumerable: true },
      readyState: { get: () => readyState, enumerable: true },
      bufferedAmount: { get: () => 0, enumerable: true },
      extensions: { get: () => [], enumerable: true },
      protocol: { get: () => record.protocol, enumerable: true },
      binaryType: {
        get: () => record.binaryType,
        set: (value: unknown) => {
          if (value !== 'blob' && value !== 'arraybuffer') {
            throw new Error(
              `unknown binaryType ${String(value)}, the supported ones are "blob" and "arraybuffer"`,
            );
          }
          record.binaryType = value;
        },
        enumerable: true,
      },
      addEventListener: {
        value: (type: string, handler: unknown) => {
          if (typeof handler !== 'function') {
            throw new TypeError(`handler for event type "${type}" isn't a callable function`);
          }
          const list = listeners.get(type);
          if (!list) host.warn(`can't add event handler: unknown event type ${type}`);
          else list.push(handler as (event: object) => unknown);
        },
      },
      send: {
        value: (data: unknown) => {
          if (readyState !== 1) throw new Error('InvalidStateError');
          host.sample('ws_msgs_sent', 1, socketTags);
          if (typeof data === 'string') {
            record.sent.push({ at: loop.now, arrayBuffer: false, message: data });
            return;
          }
          const arrayBuffer = Object.prototype.toString.call(data) === '[object ArrayBuffer]';
          if (!arrayBuffer && !ArrayBuffer.isView(data))
            throw new Error(`unsupported send type ${typeof data}`);
          const view = data as ArrayBufferView;
          const bytes = arrayBuffer
            ? new Uint8Array(data as ArrayBuffer)
            : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
          const message = decodeMessage(bytes);
          record.sent.push({ at: loop.now, arrayBuffer, message });
          peer?.send(bytes.slice(), message);
        },
      },
      ping: {
        value: () => {
          if (readyState !== 1) throw new Error('InvalidStateError');
          schedule(1, () => emit('pong'));
        },
      },
      close: {
        value: (code?: number, reason = '') => {
          if (readyState >= 2) return;
          if (code !== undefined && code !== 0 && code !== 1000 && (code < 3000 || code > 4999)) {
            throw new Error(
              `InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither`,
            );
          }
          if (new TextEncoder().encode(reason).length > 123) {
            throw new Error(
              "SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes",
            );
          }
          readyState = 2;
          peer?.close(code || 1000, reason);
        },
      },
    });
    for (const type of EVENT_TYPES) {
      Object.defineProperty(obj, `on${type}`, {
        get: () => handlers.get(type) ?? null,
        set: (fn: unknown) => {
          if (fn !== null && fn !== undefined && typeof fn !== 'function') {
            throw new TypeError(`a value for 'on${type}' should be callable`);
          }
          handlers.set(type, (fn ?? null) as ((event: object) => unknown) | null);
        },
      });
    }

    return obj;
  }
  return WebSocket;
}
