/**
 * An emulation of k6 v2.2.0 for running the Tickforge bundles under Node, where k6 cannot be
 * installed: a fresh `node:vm` realm with ECMAScript and what k6 puts in the global scope (`__ENV`,
 * `__VU`, `__ITER`, `console`, the timers, `TextEncoder`/`TextDecoder`; no `Buffer`, `process`,
 * `fetch` or `performance`), and the `k6`, `k6/http`, `k6/metrics`, `k6/timers` and `k6/websockets`
 * modules, written from k6's source (internal/js/bundle.go, internal/js/modules/k6/**, metrics/
 * registry.go). It records what the script does, including the builtin metrics the thresholds use
 * (http_reqs, http_req_duration, http_req_failed, checks, ws_sessions, ws_connecting, ...).
 *
 * Left out, as the scripts use none of them: `require`, `open` and `crypto` (globals in k6), the
 * rest of k6/http (batch, cookies, put...), group tags and the vu/iter/scenario system tags.
 */
import vm from 'node:vm';
import type { Clock, ExternalEvents } from './k6-clock.ts';
import { EventLoop } from './k6-clock.ts';
import { httpModule, stringTags } from './k6-http.ts';
import { blobClass, type Dialer, type SocketRecord, webSocketConstructor } from './k6-websocket.ts';

/** A metric's samples as the script (or k6 itself, for builtins) added them. */
export interface MetricRecord {
  readonly type: MetricType;
  readonly isTime: boolean;
  readonly samples: { value: number; tags: Record<string, string> }[];
}

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** Everything one emulated VU did. */
export interface K6Records {
  readonly checks: Record<string, { passes: number; fails: number }>;
  readonly metrics: Record<string, MetricRecord>;
  readonly http: { method: string; url: string; headers: unknown; tags: unknown; status: number }[];
  readonly sockets: SocketRecord[];
  /** Warnings k6 would log instead of throwing (a NaN metric value, an unknown event type). */
  readonly warnings: string[];
}

/** An HTTP exchange, answered synchronously (k6/http blocks the VU). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}
export type HttpTransport = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}) => HttpAnswer;

export interface EmulationOptions {
  readonly env: Record<string, string>;
  readonly clock: Clock;
  readonly http: HttpTransport;
  /** Where the script's sockets connect (fake-game-node.ts's fakeDialer, or k6-socket-bridge.ts). */
  readonly dial: Dialer;
  /** Events from outside the VU's thread (real sockets) the event loop waits on. */
  readonly external?: ExternalEvents;
  readonly vu?: number;
  /** Leave out TextEncoder/TextDecoder, as k6 releases before v2.2.0 did. */
  readonly withoutTextCodecs?: boolean;
}

/** k6's builtin metrics the scripts' thresholds and records use (metrics/builtin.go). */
const BUILTIN: Record<string, { type: MetricType; isTime: boolean }> = {
  checks: { type: 'rate', isTime: false },
  iterations: { type: 'counter', isTime: false },
  http_reqs: { type: 'counter', isTime: false },
  http_req_duration: { type: 'trend', isTime: true },
  http_req_failed: { type: 'rate', isTime: false },
  ws_sessions: { type: 'counter', isTime: false },
  ws_msgs_sent: { type: 'counter', isTime: false },
  ws_msgs_received: { type: 'counter', isTime: false },
  ws_connecting: { type: 'trend', isTime: true },
  ws_session_duration: { type: 'trend', isTime: true },
};
/** metrics/registry.go. */
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

/** A realm with k6's modules emulated for one VU. */
export class K6Emulation {
  readonly context: vm.Context;
  readonly loop: EventLoop;
  readonly records: K6Records = { checks: {}, metrics: {}, http: [], sockets: [], warnings: [] };
  readonly #options: EmulationOptions;
  /** True while the module evaluates (k6's init context). */
  #init = true;

  constructor(options: EmulationOptions) {
    this.#options = options;
    this.loop = new EventLoop(options.clock);
    if (options.external) this.loop.attach(options.external);
    const timers = this.#timers();
    const log =
      (level: string) =>
      (...args: unknown[]) =>
        this.records.warnings.push(`${level}: ${args.join(' ')}`);
    this.context = vm.createContext({
      __ENV: { ...options.env },
      __VU: options.vu ?? 1,
      __ITER: 0,
      console: {
        log: log('info'),
        info: log('info'),
        debug: log('debug'),
        warn: log('warn'),
        error: log('error'),
      },
      ...timers,
      ...(options.withoutTextCodecs ? {} : { TextEncoder, TextDecoder }),
    });
    const RealmDate = vm.runInContext('Date', this.context) as DateConstructor;
    RealmDate.now = () => options.clock.now();
    for (const [name, { type, isTime }] of Object.entries(BUILTIN)) {
      this.records.metrics[name] = { type, isTime, samples: [] };
    }
  }

  /** The init context is over: from now on the default function runs. */
  startIterations(): void {
    this.#init = false;
  }

  /** One iteration of `fn` (the default export): run it, then the event loop until it is empty. */
  iterate(fn: () => void, iteration: number, loopLimitMs: number): void {
    this.#init = false;
    this.context.__ITER = iteration;
    fn();
    this.loop.drain(loopLimitMs);
    this.#sample('iterations', 1, {});
  }

  /** The synthetic module for a `k6...` import, or undefined (k6 resolves no other bare name). */
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
        // k6/timers re-exports the global timers (internal/js/modules/k6/timers/timers.go).
        return this.#timersOf(this.context);
      case 'k6/websockets':
        return this.#websockets();
      default:
        return undefined;
    }
  }

  #sample(metric: string, value: number, tags: Record<string, string>): void {
    this.records.metrics[metric]!.samples.push({ value, tags });
  }

  #k6() {
    const { checks } = this.records;
    return {
      check: (value: unknown, sets: Record<string, unknown>, tags?: Record<string, unknown>) => {
        let all = true;
        for (const [name, condition] of Object.entries(sets)) {
          const ok = Boolean(typeof condition === 'function' ? condition(value) : condition);
          checks[name] ??= { passes: 0, fails: 0 };
          if (ok) checks[name].passes++;
          else checks[name].fails++;
          this.#sample('checks', ok ? 1 : 0, { ...stringTags(tags), check: name });
          all &&= ok;
        }
        return all;
      },
      // k6's sleep blocks the VU: no callbacks run meanwhile, only time passes.
      sleep: (seconds: number) => this.loop.clock.advance(seconds * 1000),
      fail: (message?: string) => {
        throw new Error(message);
      },
      group: (_name: string, fn: () => unknown) => fn(),
    };
  }

  #http() {
    return httpModule({
      transport: this.#options.http,
      inInitContext: () => this.#init,
      now: () => this.loop.now,
      record: (request) => this.records.http.push(request),
      sample: (metric, value, tags) => this.#sample(metric, value, tags),
    });
  }

  #metrics() {
    const { metrics, warnings } = this.records;
    const emulation = this;
    // k6's metric constructors return an object with `name` and `add` (internal/js/modules/k6/metrics).
    const metricClass = (type: MetricType) =>
      function Metric(this: unknown, name: string, isTime = false) {
        if (!emulation.#init) throw new Error('metrics must be declared in the init context');
        if (!METRIC_NAME.test(name)) {
          throw new Error(
            `Invalid metric name: '${name}'. Metric names should start with a letter or an underscore and only include up to 128 ASCII letters, numbers, or underscores.`,
          );
        }
        const known = metrics[name];
        if (known && known.type !== type) {
          throw new Error(`metric '${name}' already exists but with type ${known.type}, instead of ${type}`);
        }
        metrics[name] ??= { type, isTime: Boolean(isTime), samples: [] };
        return {
          name,
          add: (value: unknown, tags?: Record<string, unknown>) => {
            if (emulation.#init) throw new Error('Adding to metrics in the init context is not supported');
            // k6: booleans count as 0/1; null, undefined and NaN are refused with a warning.
            const number = typeof value === 'boolean' ? Number(value) : Number(value);
            if (value === null || value === undefined || Number.isNaN(number)) {
              warnings.push(`'${String(value)}' is an invalid value for metric '${name}'`);
              return false;
            }
            metrics[name]!.samples.push({ value: number, tags: stringTags(tags) });
            return true;
          },
        };
      };
    return {
      Counter: metricClass('counter'),
      Gauge: metricClass('gauge'),
      Rate: metricClass('rate'),
      Trend: metricClass('trend'),
    };
  }

  /** The global timers (internal/js/tc55/timers): ids from 1, extra arguments passed on. */
  #timers() {
    const check = (fn: unknown, name: string) => {
      if (typeof fn !== 'function') throw new TypeError(`${name}'s callback isn't a callable function`);
      return fn as (...args: unknown[]) => void;
    };
    return {
      setTimeout: (fn: unknown, ms = 0, ...args: unknown[]) => {
        const callback = check(fn, 'setTimeout');
        return this.loop.schedule(Number(ms) || 0, () => callback(...args));
      },
      // An interval of 0 would spin k6 too; here it would spin the virtual clock forever.
      setInterval: (fn: unknown, ms = 0, ...args: unknown[]) => {
        const callback = check(fn, 'setInterval');
        const every = Math.max(1, Number(ms) || 0);
        return this.loop.schedule(every, () => callback(...args), every);
      },
      clearTimeout: (id: number) => this.loop.cancel(id),
      clearInterval: (id: number) => this.loop.cancel(id),
    };
  }

  #timersOf(context: vm.Context) {
    const names = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const;
    return Object.fromEntries(names.map((name) => [name, context[name] as unknown]));
  }

  #websockets() {
    const Blob = blobClass(this.context);
    const WebSocket = webSocketConstructor(
      {
        loop: this.loop,
        context: this.context,
        inInitContext: () => this.#init,
        dial: this.#options.dial,
        record: (socket) => this.records.sockets.push(socket),
        sample: (metric, value, tags) => this.#sample(metric, value, tags),
        warn: (message) => this.records.warnings.push(message),
      },
      Blob,
    );
    return { WebSocket, Blob };
  }
}
