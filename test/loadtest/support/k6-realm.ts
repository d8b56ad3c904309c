/**
 * Child process that runs built k6 bundles in the emulated k6 (k6-runtime.ts). It needs
 * `--experimental-vm-modules` (for vm.SourceTextModule), so tests start it through realm-client.ts.
 * Reads a JSON array of jobs on stdin, writes a JSON array of results on stdout.
 */

import vm from 'node:vm';
import { MessageChannel, Worker } from 'node:worker_threads';
import { fakeDialer, type GameNodeScript } from './fake-game-node.ts';
import { FakeLobby } from './fake-lobby.ts';
import { loadBundle } from './k6-bundle.ts';
import { VirtualClock } from './k6-clock.ts';
import { type HttpTransport, K6Emulation, type K6Records } from './k6-runtime.ts';
import { serveSockets } from './k6-socket-bridge.ts';
import type { VuWorkerData } from './k6-vu-worker.ts';

/** A recorded server frame: ms after the socket opened, and its bytes in base64. */
export interface JobFrame {
  readonly at: number;
  readonly base64: string;
}

/** How the fake game node behaves, besides the frames it replays (fake-game-node.ts). */
export type NodeBehaviour = Omit<GameNodeScript, 'frames'>;

/** What to do with a bundle. */
export type RealmJob =
  /** Which Node and web globals the realm the bundles run in has. */
  | { readonly kind: 'probe'; readonly withoutTextCodecs?: boolean }
  /** Evaluate the init context with `env`; the script's `options`. */
  | { readonly kind: 'options'; readonly bundle: string; readonly env: Record<string, string> }
  /** Feed frames through the bundle's exported GameSession; its mirror and encoded client frames. */
  | {
      readonly kind: 'replay';
      readonly bundle: string;
      readonly frames: readonly JobFrame[];
      readonly withoutTextCodecs?: boolean;
    }
  /** One VU on a virtual clock: the default function `iterations` times against the fakes. */
  | {
      readonly kind: 'iteration';
      readonly bundle: string;
      readonly env: Record<string, string>;
      readonly frames: readonly JobFrame[];
      readonly node?: NodeBehaviour;
      readonly iterations?: number;
    }
  /**
   * The script's `per-vu-iterations` scenario for real: every VU in its own thread on the wall
   * clock, against the servers `env` names.
   */
  | { readonly kind: 'scenario'; readonly bundle: string; readonly env: Record<string, string> };

export type RealmResult =
  | { readonly ok: false; readonly error: string }
  | { readonly ok: true; readonly globals: Record<string, string> }
  | { readonly ok: true; readonly options: unknown }
  | {
      readonly ok: true;
      readonly entities: unknown[];
      readonly tick: number;
      readonly ackSeq: number;
      readonly kinds: string[];
      readonly encoded: { input: string; ping: string; leave: string };
    }
  | { readonly ok: true; readonly records: K6Records; readonly lobby: FakeLobby['requests'] }
  | { readonly ok: true; readonly vus: readonly K6Records[] };

const PROBED = [
  'Buffer',
  'require',
  'process',
  'fetch',
  'performance',
  'TextEncoder',
  'TextDecoder',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'console',
  '__ENV',
  '__VU',
  '__ITER',
];
/** The seat the fake lobby hands out: a token with characters that need URL encoding. */
const SEAT = { url: 'ws://game.test/ws', seat: 'seat+token/with=chars', roomId: 'r1' };
const LOOP_LIMIT_MS = 10 * 60_000;
const START = 1_800_000_000_000;

/** The fake lobby as k6/http's transport. */
function lobbyTransport(lobby: FakeLobby): HttpTransport {
  return ({ method, url, headers, body }) => {
    const path = url.replace(/^https?:\/\/[^/]+/, '');
    const answer = lobby.handle(method, path, headers.Authorization, body ? JSON.parse(body) : undefined);
    return {
      status: answer.status,
      headers: { 'Content-Type': 'application/json', ...answer.headers },
      body: JSON.stringify(answer.body),
    };
  };
}

function virtualVu(env: Record<string, string>, gameNode: () => GameNodeScript, withoutTextCodecs = false) {
  const clock = new VirtualClock(START);
  const lobby = new FakeLobby(
    () => SEAT,
    () => clock.now(),
  );
  const emulation = new K6Emulation({
    env,
    clock,
    http: lobbyTransport(lobby),
    dial: fakeDialer(gameNode),
    withoutTextCodecs,
  });
  return { emulation, lobby };
}

function framesOf(frames: readonly JobFrame[]): GameNodeScript['frames'] {
  return frames.map((f) => ({ at: f.at, bytes: new Uint8Array(Buffer.from(f.base64, 'base64')) }));
}

const base64 = (buffer: ArrayBuffer) => Buffer.from(new Uint8Array(buffer)).toString('base64');

/** Run `options.scenarios`' one per-vu-iterations scenario in worker threads. */
async function scenario(bundle: string, env: Record<string, string>): Promise<K6Records[]> {
  const { emulation } = virtualVu(env, () => ({ frames: [] }));
  const { options } = (await loadBundle(emulation, bundle)) as {
    options: {
      scenarios: Record<string, { executor: string; vus: number; iterations: number; maxDuration: string }>;
    };
  };
  const [plan, ...more] = Object.values(options.scenarios);
  if (!plan || more.length > 0 || plan.executor !== 'per-vu-iterations') {
    throw new Error('scenario jobs run one per-vu-iterations scenario');
  }
  const maxDurationMs =
    Number.parseFloat(plan.maxDuration) * (plan.maxDuration.endsWith('m') ? 60_000 : 1000);
  const runs = Array.from({ length: plan.vus }, (_, i) => {
    const { port1, port2 } = new MessageChannel();
    const ready = new SharedArrayBuffer(4);
    const cell = new Int32Array(ready);
    port1.on(
      'message',
      (request: { method: string; url: string; headers: Record<string, string>; body: string | null }) => {
        const answer = fetch(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== null ? { body: request.body } : {}),
        }).then(
          async (response) => ({
            status: response.status,
            headers: Object.fromEntries(response.headers),
            body: await response.text(),
          }),
          (error: unknown) => ({ error: String(error) }),
        );
        void answer.then((message) => {
          port1.postMessage(message);
          Atomics.store(cell, 0, 1);
          Atomics.notify(cell, 0);
        });
      },
    );
    const sockets = new MessageChannel();
    const socketEvents = new SharedArrayBuffer(4);
    const stopSockets = serveSockets(sockets.port1, socketEvents);
    const workerData: VuWorkerData = {
      bundle,
      env,
      vu: i + 1,
      iterations: plan.iterations,
      maxDurationMs,
      port: port2,
      ready,
      sockets: sockets.port2,
      socketEvents,
    };
    const worker = new Worker(new URL('k6-vu-worker.ts', import.meta.url), {
      workerData,
      transferList: [port2, sockets.port2],
    });
    return new Promise<K6Records>((resolve, reject) => {
      worker.once('message', (result: { ok: true; records: K6Records } | { ok: false; error: string }) => {
        port1.close();
        stopSockets();
        void worker.terminate();
        if (result.ok) resolve(result.records);
        else reject(new Error(`VU ${i + 1}: ${result.error}`));
      });
      worker.once('error', (error) => {
        stopSockets();
        reject(error);
      });
    });
  });
  return Promise.all(runs);
}

async function run(job: RealmJob): Promise<RealmResult> {
  switch (job.kind) {
    case 'probe': {
      const { emulation } = virtualVu({}, () => ({ frames: [] }), job.withoutTextCodecs);
      const globals = Object.fromEntries(
        PROBED.map((name) => [name, vm.runInContext(`typeof ${name}`, emulation.context) as string]),
      );
      return { ok: true, globals };
    }
    case 'options': {
      const { emulation } = virtualVu(job.env, () => ({ frames: [] }));
      const namespace = await loadBundle(emulation, job.bundle);
      return { ok: true, options: JSON.parse(JSON.stringify(namespace.options)) as unknown };
    }
    case 'replay': {
      const { emulation } = virtualVu({}, () => ({ frames: [] }), job.withoutTextCodecs);
      const namespace = await loadBundle(emulation, job.bundle);
      type Session = {
        receive(bytes: Uint8Array): { kind: string };
        input(input: unknown): ArrayBuffer;
        ping(now: number): ArrayBuffer;
        leave(): ArrayBuffer;
        ackSeq: number;
        mirror: { tick: number; entities: Map<number, unknown> };
      };
      const Session = namespace.GameSession as new () => Session;
      const session = new Session();
      const kinds = framesOf(job.frames).map((frame) => session.receive(frame.bytes).kind);
      return {
        ok: true,
        entities: JSON.parse(JSON.stringify([...session.mirror.entities.values()])) as unknown[],
        tick: session.mirror.tick,
        ackSeq: session.ackSeq,
        kinds,
        encoded: {
          input: base64(session.input({ dx: 0.5, dy: -1 })),
          ping: base64(session.ping(123.5)),
          leave: base64(session.leave()),
        },
      };
    }
    case 'iteration': {
      const node: GameNodeScript = { frames: framesOf(job.frames), ...job.node };
      const { emulation, lobby } = virtualVu(job.env, () => node);
      const namespace = await loadBundle(emulation, job.bundle);
      const iteration = namespace.default as () => void;
      for (let i = 0; i < (job.iterations ?? 1); i++) emulation.iterate(iteration, i, LOOP_LIMIT_MS);
      return { ok: true, records: emulation.records, lobby: lobby.requests };
    }
    case 'scenario':
      return { ok: true, vus: await scenario(job.bundle, job.env) };
  }
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const jobs = JSON.parse(Buffer.concat(chunks).toString()) as RealmJob[];
const results: RealmResult[] = [];
for (const job of jobs) {
  try {
    results.push(await run(job));
  } catch (error) {
    results.push({
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}
process.stdout.write(JSON.stringify(results));
