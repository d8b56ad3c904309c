/**
 * One k6 VU on the wall clock, in a worker thread of the realm process (k6-realm.ts, job
 * `scenario`): the bundle's iterations run against real servers. k6/http must block the VU, so a
 * request goes to the parent thread, which makes it with fetch, and this thread waits on an Atomics
 * cell until the answer is posted back. WebSockets live in the parent thread too
 * (k6-socket-bridge.ts), on their own port and cell.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { loadBundle } from './k6-bundle.ts';
import { RealClock } from './k6-clock.ts';
import { type HttpAnswer, K6Emulation } from './k6-runtime.ts';
import { SocketBridge } from './k6-socket-bridge.ts';

/** What the parent gives a VU. */
export interface VuWorkerData {
  readonly bundle: string;
  readonly env: Record<string, string>;
  readonly vu: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
  /** Where requests go, and the cell the parent sets to 1 when an answer is waiting. */
  readonly port: MessagePort;
  readonly ready: SharedArrayBuffer;
  /** The sockets' port, and the cell the parent sets to 1 after each socket event it posts. */
  readonly sockets: MessagePort;
  readonly socketEvents: SharedArrayBuffer;
}

const data = workerData as VuWorkerData;
const ready = new Int32Array(data.ready);
const sockets = new SocketBridge(data.sockets, data.socketEvents);

const emulation = new K6Emulation({
  env: data.env,
  vu: data.vu,
  clock: new RealClock(),
  dial: sockets.dial,
  external: sockets,
  http: (request) => {
    Atomics.store(ready, 0, 0);
    data.port.postMessage(request);
    Atomics.wait(ready, 0, 0);
    const answer = receiveMessageOnPort(data.port)?.message as HttpAnswer | { error: string };
    if ('error' in answer) throw new Error(answer.error);
    return answer;
  },
});

try {
  const namespace = await loadBundle(emulation, data.bundle);
  const iteration = namespace.default as () => void;
  for (let i = 0; i < data.iterations; i++) emulation.iterate(iteration, i, data.maxDurationMs);
  parentPort!.postMessage({ ok: true, records: emulation.records });
} catch (error) {
  parentPort!.postMessage({
    ok: false,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}
