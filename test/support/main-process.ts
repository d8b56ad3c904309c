/**
 * `server/main.ts` in its own process, from its source or bundled as `npm start` runs it
 * (`bundledMain()`): started on ports 0 of 127.0.0.1,
 * its JSON log lines collected, and helpers that wait for a line or a step, failing with the
 * process's output instead of a bare timeout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { bundleServer, SERVER_DIST } from '../../server/bundle.ts';

/** A running main.ts. */
export interface MainProcess {
  readonly child: ChildProcess;
  /** The game node's port, from its "game node listening" line. */
  readonly port: number;
  /** The lobby's base URL, from its "lobby listening" line. */
  readonly lobby: string;
  /** Every line of output so far (stdout lines and stderr chunks). */
  readonly lines: string[];
  /** Resolves with the first line (already seen or still to come) that `pattern` matches. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

let bundling: Promise<string> | undefined;

/**
 * `npm start`'s entry point: main.ts bundled as `npm start` bundles it (built once per test file),
 * into dist/test-server/ so that a test run never rewrites the bundle of an `npm start` running in
 * the same checkout (whose worker threads load their files on first use).
 */
export function bundledMain(): Promise<string> {
  const outdir = join(dirname(SERVER_DIST), 'test-server');
  bundling ??= bundleServer(outdir).then(() => join(outdir, 'main.js'));
  return bundling;
}

/**
 * How to run main.ts: on `node` (default: the node running the tests), from `entry` (default: its
 * source), with Node's `flags`.
 */
export interface MainOptions {
  readonly node?: string;
  readonly entry?: string;
  readonly flags?: readonly string[];
}

/** Node flags for a bundle: a .ts file it would still load (a worker's, say) fails to load. */
export const NO_TYPESCRIPT = ['--no-experimental-strip-types'];

/**
 * Start main.ts with the environment `env` on top of this process's, and wait until it listens: the
 * lobby and the node, or the one its TICKFORGE_ROLE runs (`port` is 0 for a lobby, `lobby` empty
 * for a game node).
 */
export async function startMain(
  env: Record<string, string>,
  options: MainOptions = {},
): Promise<MainProcess> {
  const { node = process.execPath, entry = 'server/main.ts', flags = [] } = options;
  const child = spawn(node, [...flags, entry], {
    env: {
      ...process.env,
      TICKFORGE_GAME_PORT: '0',
      TICKFORGE_LOBBY_PORT: '0',
      TICKFORGE_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const watchers = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const watcher of watchers) {
      if (!watcher.pattern.test(line)) continue;
      watchers.delete(watcher);
      watcher.resolve(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) resolve(seen);
      else watchers.add({ pattern, resolve });
    });
  const started = { child, lines, line, exited, port: 0, lobby: '' };
  const role = env.TICKFORGE_ROLE ?? 'all';
  const listening = Promise.all([
    role === 'game' ? '' : line(/"msg":"lobby listening"/),
    role === 'lobby' ? '' : line(/"url":"wss?:\/\/[^:]+:\d+\/ws".*"msg":"game node listening"/),
  ]);
  const failed = exited.then((code) => {
    throw new Error(`exited ${code} before listening:\n${lines.join('\n')}`);
  });
  const [lobbyLine, nodeLine] = await step('listening', started, Promise.race([listening, failed]));
  return {
    ...started,
    lobby: /"url":"(http:\/\/[^"]+)"/.exec(lobbyLine)?.[1] ?? '',
    port: Number(/"url":"wss?:\/\/[^:]+:(\d+)\/ws"/.exec(nodeLine)?.[1] ?? 0),
  };
}

/**
 * How long one step may take before it counts as a hang. A child process on a machine loaded to 15-20
 * (2 cores shared by many test runs) takes 5-10 s just to load main.ts, so this is wide: it only
 * has to end a real hang with the child's output, before the test's own timeout (SPAWNING_TEST_MS).
 */
export const STEP_MS = 40_000;
/** Timeout of a test that spawns main.ts: a few steps, each well under STEP_MS when healthy. */
export const SPAWNING_TEST_MS = 120_000;

/**
 * `promise`, or a failure naming the step and showing the child's output when it takes longer than
 * `ms`: a guard that turns a hang into a readable error, not a wait.
 */
export async function step<T>(
  name: string,
  started: Pick<MainProcess, 'lines'>,
  promise: Promise<T>,
  ms = STEP_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not happen within ${ms} ms; output:\n${started.lines.join('\n')}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
