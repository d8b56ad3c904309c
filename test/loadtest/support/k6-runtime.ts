/**
 * An emulation of the parts of k6 the Tickforge scripts use, for running their bundles under Node
 * where k6 cannot be installed: a fresh `node:vm` realm with only ECMAScript globals (no Buffer,
 * require, process, TextEncoder/TextDecoder, fetch, setTimeout: like k6's Sobek runtime), synthetic
 * `k6`, `k6/http`, `k6/metrics`, `k6/timers` and `k6/websockets` modules that record what the
 * script does, and an event loop on a virtual clock (the realm's Date.now follows it).
 *
 * It checks the scripts against k6's documented API as this emulation reads it; it is no proof that
 * k6 itself behaves the same.
 */
import vm from 'node:vm';
import { decodeMessage, encodeMessage } from '../../../shared/protocol/codec.ts';
import { MessageType } from '../../../shared/protocol/codes.ts';
import type { FakeLobby } from './fake-lobby.ts';

/** A task on the virtual clock. */
interface Task {
  readonly id: number;
  at: number;
  readonly seq: number;
  readonly run: () => void;
  readonly every?: number;
}

/** Timers and socket events, run in time order on a virtual clock. */
export class EventLoop {
  now: number;
  readonly #tasks = new Map<number, Task>();
  #ids = 0;
  #seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  schedule(delayMs: number, run: () => void, every?: number): number {
    const id = ++this.#ids;
    this.#tasks.set(id, {
      id,
      at: this.now + Math.max(0, delayMs),
      seq: ++this.#seq,
      run,
      ...(every ? { every } : {}),
    });
    return id;
  }

  cancel(id: number): void {
    this.#tasks.delete(id);
  }

  /** Run tasks until none is left; throws if the script keeps the loop busy past `limitMs`. */
  drain(limitMs: number): void {
    const end = this.now + limitMs;
    for (;;) {
      let next: Task | undefined;
      for (const task of this.#tasks.values()) {
        if (!next || task.at < next.at || (task.at === next.at && task.seq < next.seq)) next = task;
      }
      if (!next) return;
      if (next.at > end) throw new Error(`event loop still busy after ${limitMs} virtual ms`);
      this.now = next.at;
      if (next.every) {
        next.at += next.every;
      } else {
        this.#tasks.delete(next.id);
      }
      next.run();
    }
  }
}

/** What the fake game server does on a socket. */
export interface SocketScript {
  /** Frames to deliver after the socket opens, with their ms since the open. */
  readonly frames: readonly { readonly at: number; readonly bytes: Uint8Array }[];
  /** Drop the connection (no close frame) this long after the open. */
  readonly dropAtMs?: number;
}

/** One socket the script opened, as the fake server saw it. */
export interface SocketRecord {
  readonly url: string;
  readonly protocols: unknown;
  readonly params: unknown;
  binaryType: string;
  /** Client frames: when, whether sent as a plain ArrayBuffer, and the decoded message. */
  readonly sent: { at: number; arrayBuffer: boolean; message: unknown[] }[];
  closed?: { at: number; by: 'client' | 'server'; code: number | undefined; reason: string };
}

/** A metric sample as the script added it. */
export interface MetricRecord {
  readonly type: string;
  readonly isTime: boolean;
  readonly samples: { value: number; tags: Record<string, string> | undefined }[];
}

/** Everything one emulated VU did. */
export interface K6Records {
  readonly checks: Record<string, { passes: number; fails: number }>;
  readonly metrics: Record<string, MetricRecord>;
  readonly http: { method: string; url: string; headers: unknown; tags: unknown; expected: unknown }[];
  readonly sockets: SocketRecord[];
}

const OPEN_DELAY_MS = 5;
/** The arena node closes every socket this long after MATCH_END, and soon after a LEAVE. */
const MATCH_OVER_CLOSE_MS = 5000;
const LEAVE_CLOSE_MS = 2;
/** The fake server answers this script's own pings (recorded PONGs answer the recorder's). */
const PONG_DELAY_MS = 10;

/** A realm with k6's modules emulated for one VU. */
export class K6Emulation {
  readonly context: vm.Context;
  readonly loop = new EventLoop(1_800_000_000_000);
  readonly records: K6Records = { checks: {}, metrics: {}, http: [], sockets: [] };
  readonly #lobby: FakeLobby;
  readonly #socketScript: () => SocketScript;

  constructor(env: Record<string, string>, lobby: FakeLobby, socketScript: () => SocketScript) {
    this.#lobby = lobby;
    this.#socketScript = socketScript;
    this.context = vm.createContext({ __ENV: { ...env }, __VU: 1, __ITER: 0 });
    const RealmDate = vm.runInContext('Date', this.context) as DateConstructor;
    RealmDate.now = () => this.loop.now;
  }

  /** The synthetic module for a `k6...` import, or undefined. */
  module(specifier: string): vm.SyntheticModule | undefined {
    const exports = this.#exports(specifier);
    if (!exports) return undefined;
    return new vm.SyntheticModule(
      Object.keys(exports),
      function () {
        for (const [name, value] of Object.entries(exports)) this.setExport(name, value);
      },
      { context: this.context, identifier: specifier },
    );
  }

  #exports(specifier: string): Record<string, unknown> | undefined {
    switch (specifier) {
      case 'k6':
        return this.#k6();
      case 'k6/http': {
        const http = this.#http();
        return { default: http, ...http };
      }
      case 'k6/metrics':
        return this.#metrics();
      case 'k6/timers':
        return this.#timers();
      case 'k6/websockets':
        return { WebSocket: this.#webSocketClass() };
      default:
        return undefined;
    }
  }

  #k6() {
    const { checks } = this.records;
    return {
      check: (value: unknown, sets: Record<string, (v: unknown) => unknown>) => {
        let all = true;
        for (const [name, fn] of Object.entries(sets)) {
          const ok = Boolean(fn(value));
          checks[name] ??= { passes: 0, fails: 0 };
          const tally = checks[name];
          if (ok) tally.passes++;
          else tally.fails++;
          all &&= ok;
        }
        return all;
      },
      // k6's sleep blocks the VU: no callbacks run meanwhile, only time passes.
      sleep: (seconds: number) => {
        this.loop.now += seconds * 1000;
      },
      fail: (message?: string) => {
        throw new Error(message);
      },
      group: (_name: string, fn: () => unknown) => fn(),
    };
  }

  #http() {
    const request = (method: string, url: string, body: string | null, params?: Record<string, unknown>) => {
      const headers = (params?.headers ?? {}) as Record<string, string>;
      this.records.http.push({
        method,
        url,
        headers,
        tags: params?.tags,
        expected: (params?.responseCallback as { expectedStatuses?: unknown } | undefined)?.expectedStatuses,
      });
      const path = url.replace(/^https?:\/\/[^/]+/, '');
      const answer = this.#lobby.handle(
        method,
        path,
        headers.Authorization,
        body ? JSON.parse(body) : undefined,
      );
      const text = JSON.stringify(answer.body);
      return { status: answer.status, body: text, json: () => JSON.parse(text) as unknown };
    };
    return {
      request,
      get: (url: string, params?: Record<string, unknown>) => request('GET', url, null, params),
      post: (url: string, body: string | null, params?: Record<string, unknown>) =>
        request('POST', url, body, params),
      del: (url: string, body: string | null, params?: Record<string, unknown>) =>
        request('DELETE', url, body, params),
      expectedStatuses: (...statuses: number[]) => ({ expectedStatuses: statuses }),
    };
  }

  #metrics() {
    const { metrics } = this.records;
    const metricClass = (type: string) =>
      class {
        readonly name: string;
        constructor(name: string, isTime = false) {
          this.name = name;
          metrics[name] = { type, isTime, samples: [] };
        }
        add(value: number | boolean, tags?: Record<string, string>) {
          metrics[this.name]!.samples.push({ value: Number(value), tags });
        }
      };
    return {
      Counter: metricClass('counter'),
      Gauge: metricClass('gauge'),
      Rate: metricClass('rate'),
      Trend: metricClass('trend'),
    };
  }

  #timers() {
    const { loop } = this;
    return {
      setTimeout: (fn: () => void, ms = 0) => loop.schedule(ms, fn),
      setInterval: (fn: () => void, ms = 0) => loop.schedule(ms, fn, Math.max(1, ms)),
      clearTimeout: (id: number) => loop.cancel(id),
      clearInterval: (id: number) => loop.cancel(id),
    };
  }

  #webSocketClass() {
    const { loop, records, context } = this;
    const script = this.#socketScript;
    const RealmUint8Array = vm.runInContext('Uint8Array', context) as Uint8ArrayConstructor;
    class WebSocket {
      static readonly CONNECTING = 0;
      static readonly OPEN = 1;
      static readonly CLOSING = 2;
      static readonly CLOSED = 3;
      readonly CONNECTING = 0;
      readonly OPEN = 1;
      readonly CLOSING = 2;
      readonly CLOSED = 3;
      readyState = 0;
      readonly #listeners = new Map<string, ((event: object) => void)[]>();
      readonly #record: SocketRecord;
      readonly #tasks: number[] = [];

      constructor(url: string, protocols: unknown, params: unknown) {
        this.#record = { url, protocols, params, binaryType: 'blob', sent: [] };
        records.sockets.push(this.#record);
        const plan = script();
        loop.schedule(OPEN_DELAY_MS, () => {
          this.readyState = 1;
          this.#emit('open', {});
          for (const frame of plan.frames) {
            if (frame.bytes[1] === MessageType.PONG) continue;
            this.#tasks.push(
              loop.schedule(frame.at, () => {
                this.#deliver(frame.bytes);
                if (frame.bytes[1] === MessageType.MATCH_END) {
                  this.#tasks.push(
                    loop.schedule(MATCH_OVER_CLOSE_MS, () => this.#closed('server', 1000, 'match over')),
                  );
                }
              }),
            );
          }
          if (plan.dropAtMs !== undefined) {
            this.#tasks.push(loop.schedule(plan.dropAtMs, () => this.#closed('server', undefined, '')));
          }
        });
      }

      set binaryType(value: string) {
        this.#record.binaryType = value;
      }

      get binaryType(): string {
        return this.#record.binaryType;
      }

      addEventListener(type: string, listener: (event: object) => void): void {
        this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
      }

      send(data: ArrayBuffer | ArrayBufferView): void {
        if (this.readyState !== 1) throw new Error('InvalidStateError');
        const arrayBuffer = Object.prototype.toString.call(data) === '[object ArrayBuffer]';
        const bytes = arrayBuffer
          ? new Uint8Array(data as ArrayBuffer)
          : new Uint8Array(
              (data as ArrayBufferView).buffer,
              (data as ArrayBufferView).byteOffset,
              (data as ArrayBufferView).byteLength,
            );
        const message = decodeMessage(bytes);
        this.#record.sent.push({ at: loop.now, arrayBuffer, message });
        if (message[0] === MessageType.PING) {
          const pong = encodeMessage([MessageType.PONG, message[1], 0, 0]);
          this.#tasks.push(loop.schedule(PONG_DELAY_MS, () => this.#deliver(pong)));
        }
        if (message[0] === MessageType.LEAVE) {
          this.#tasks.push(loop.schedule(LEAVE_CLOSE_MS, () => this.#closed('server', 1000, 'left')));
        }
      }

      close(code?: number, reason = ''): void {
        if (this.readyState >= 2) return;
        if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
          throw new Error(`InvalidAccessError: close code ${code}`);
        }
        this.readyState = 2;
        this.#tasks.push(loop.schedule(1, () => this.#closed('client', code ?? 1000, reason)));
      }

      #closed(by: 'client' | 'server', code: number | undefined, reason: string): void {
        if (this.readyState === 3) return;
        this.readyState = 3;
        for (const task of this.#tasks) loop.cancel(task);
        this.#record.closed = { at: loop.now, by, code, reason };
        this.#emit('close', code === undefined ? { reason } : { code, reason });
      }

      /** A server frame, as k6 delivers it with binaryType 'arraybuffer': an ArrayBuffer of the realm. */
      #deliver(bytes: Uint8Array): void {
        if (this.readyState !== 1) return;
        this.#emit('message', { data: new RealmUint8Array(bytes).buffer });
      }

      #emit(type: string, fields: object): void {
        const event = { type, timestamp: loop.now, ...fields };
        for (const listener of this.#listeners.get(type) ?? []) listener(event);
      }
    }
    return WebSocket;
  }
}
