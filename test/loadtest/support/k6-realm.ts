/**
 * Child process that runs built k6 bundles in the emulated k6 realm (k6-runtime.ts). It needs
 * `--experimental-vm-modules` (for vm.SourceTextModule), so tests start it through realm-client.ts.
 * Reads a JSON array of jobs on stdin, writes a JSON array of results on stdout.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { FakeLobby } from './fake-lobby.ts';
import { K6Emulation, type K6Records, type SocketScript } from './k6-runtime.ts';

/** A recorded server frame: ms after the socket opened, and its bytes in base64. */
export interface JobFrame {
  readonly at: number;
  readonly base64: string;
}

/** What to do with a bundle. */
export type RealmJob =
  /** Which Node and web globals the realm the bundles run in has. */
  | { readonly kind: 'probe' }
  /** Evaluate the init context with `env`; the script's `options`. */
  | { readonly kind: 'options'; readonly bundle: string; readonly env: Record<string, string> }
  /** Feed frames through the bundle's exported GameSession; its mirror and encoded client frames. */
  | { readonly kind: 'replay'; readonly bundle: string; readonly frames: readonly JobFrame[] }
  /** Run the default function `iterations` times against the fakes; what the VU did. */
  | {
      readonly kind: 'iteration';
      readonly bundle: string;
      readonly env: Record<string, string>;
      readonly frames: readonly JobFrame[];
      readonly dropAtMs?: number;
      readonly iterations?: number;
    };

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
  | { readonly ok: true; readonly records: K6Records; readonly lobby: FakeLobby['requests'] };

const PROBED = [
  'Buffer',
  'require',
  'process',
  'TextEncoder',
  'TextDecoder',
  'fetch',
  'setTimeout',
  'performance',
];
/** The seat the fake lobby hands out: a token with characters that need URL encoding. */
const SEAT = { url: 'ws://game.test/ws', seat: 'seat+token/with=chars', roomId: 'r1' };
const LOOP_LIMIT_MS = 10 * 60_000;

interface Loaded {
  readonly emulation: K6Emulation;
  readonly lobby: FakeLobby;
  readonly namespace: Record<string, unknown>;
}

async function load(
  bundle: string,
  env: Record<string, string>,
  socket: () => SocketScript,
): Promise<Loaded> {
  const emulation0: { value?: K6Emulation } = {};
  const lobby = new FakeLobby(
    () => SEAT,
    () => emulation0.value!.loop.now,
  );
  const emulation = new K6Emulation(env, lobby, socket);
  emulation0.value = emulation;
  const module = new vm.SourceTextModule(readFileSync(bundle, 'utf8'), {
    context: emulation.context,
    identifier: bundle,
  });
  await module.link((specifier) => {
    const synthetic = emulation.module(specifier);
    // k6 resolves nothing else: a bundle importing anything more would fail there too.
    if (!synthetic) throw new Error(`the bundle imports "${specifier}", which k6 does not provide`);
    return synthetic;
  });
  await module.evaluate();
  return { emulation, lobby, namespace: module.namespace as Record<string, unknown> };
}

function framesOf(frames: readonly JobFrame[]): SocketScript['frames'] {
  return frames.map((f) => ({ at: f.at, bytes: new Uint8Array(Buffer.from(f.base64, 'base64')) }));
}

const base64 = (buffer: ArrayBuffer) => Buffer.from(new Uint8Array(buffer)).toString('base64');

async function run(job: RealmJob): Promise<RealmResult> {
  switch (job.kind) {
    case 'probe': {
      const { context } = new K6Emulation({}, new FakeLobby(() => SEAT), () => ({ frames: [] }));
      const globals = Object.fromEntries(
        PROBED.map((name) => [name, vm.runInContext(`typeof ${name}`, context) as string]),
      );
      return { ok: true, globals };
    }
    case 'options': {
      const { namespace } = await load(job.bundle, job.env, () => ({ frames: [] }));
      return { ok: true, options: JSON.parse(JSON.stringify(namespace.options)) as unknown };
    }
    case 'replay': {
      const { namespace } = await load(job.bundle, {}, () => ({ frames: [] }));
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
      const script: SocketScript = {
        frames: framesOf(job.frames),
        ...(job.dropAtMs !== undefined ? { dropAtMs: job.dropAtMs } : {}),
      };
      const { emulation, lobby, namespace } = await load(job.bundle, job.env, () => script);
      const iteration = namespace.default as () => void;
      for (let i = 0; i < (job.iterations ?? 1); i++) {
        emulation.context.__ITER = i;
        iteration();
        emulation.loop.drain(LOOP_LIMIT_MS);
      }
      return { ok: true, records: emulation.records, lobby: lobby.requests };
    }
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
