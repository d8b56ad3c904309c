/**
 * `npm run start:cluster`: Tickforge scaled out on one machine, to try it. Redis (the one at
 * TICKFORGE_REDIS_URL when it answers; otherwise a redis-server started here in a temp dir, on that
 * URL's port or a free one), then 2 lobbies and 2 game nodes, each its own OS process (`main.ts
 * --role=...`), sharing secrets generated for this run. Prints where to point a browser; Ctrl-C (or
 * SIGTERM) stops every process it started, nodes first, and deletes the temp dir.
 *
 * TICKFORGE_LOBBY_PORT and TICKFORGE_GAME_PORT are the first lobby's and node's ports (default 2568,
 * 2567); the second of each listens 10 above. 0 picks free ports. Other TICKFORGE_* settings pass
 * through to every process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { redactUrl } from './deployment.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const LOBBIES = ['lobby-a', 'lobby-b'];
const NODES = ['node-a', 'node-b'];
/** Levels above info hide the "listening" lines the launcher reads: it keeps them and shows only what was asked for. */
const QUIET = new Set(['warn', 'error', 'fatal', 'silent']);
const quiet = QUIET.has(process.env.TICKFORGE_LOG_LEVEL ?? 'info');
/** How long a process may take to say it listens. */
const START_TIMEOUT_MS = 20_000;

/** One process of the cluster. */
interface Member {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
}

const members: Member[] = [];
let stopping = false;
let tempDir: string | undefined;

function say(text: string): void {
  process.stdout.write(`[cluster] ${text}\n`);
}

/** Is a Redis answering PING at `url`? */
async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, HOST);
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * Start a process and resolve with the URL of its first output line matching `listening`; its lines
 * are echoed with its name. Each runs in its own process group so Ctrl-C reaches only this launcher,
 * which then stops them in order (a second signal would make main.ts exit without draining).
 */
function launch(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  listening: RegExp,
): Promise<string> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = once(child, 'exit');
  members.push({ name, child, exited });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onLine = (line: string) => {
      if (!quiet || !/"level":[1-3]\d,/.test(line)) process.stdout.write(`[${name}] ${line}\n`);
      const url = listening.exec(line)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it listened`));
      if (!stopping) {
        say(`${name} exited (${signal ?? code}); stopping the cluster`);
        void stop(1);
      }
    });
  });
}

/** Redis for the cluster: the configured one when it answers, else one of our own. */
async function redis(dir: string): Promise<string> {
  const configured = process.env.TICKFORGE_REDIS_URL;
  const url = configured ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) {
    say(`using the Redis at ${redactUrl(url)}`);
    return url;
  }
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost'].includes(parsed.hostname);
  const port = configured !== undefined && local ? Number(parsed.port || 6379) : await freePort();
  say(`no Redis answers at ${redactUrl(url)}: starting redis-server on port ${port} in ${dir}`);
  const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no'];
  await launch(
    'redis',
    process.env.TICKFORGE_REDIS_SERVER ?? 'redis-server',
    args,
    process.env,
    /(Ready) to accept connections/,
  ).catch((error: unknown) => {
    throw new Error(
      `could not start redis-server (install it, e.g. apt-get install redis-server): ${String(error)}`,
    );
  });
  return `redis://${HOST}:${port}`;
}

/** A port setting: the base, or base + 10 for the second process of a kind; 0 stays 0. */
function port(variable: string, fallback: number, index: number): string {
  const base = Number(process.env[variable] ?? fallback);
  return String(base === 0 ? 0 : base + 10 * index);
}

async function start(): Promise<void> {
  tempDir = await mkdtemp(join(tmpdir(), 'tickforge-cluster-'));
  const redisUrl = await redis(tempDir);
  const secret = () => randomBytes(32).toString('hex');
  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    ...(quiet ? { TICKFORGE_LOG_LEVEL: 'info' } : {}),
    TICKFORGE_HOST: process.env.TICKFORGE_HOST ?? HOST,
    TICKFORGE_STORE: 'redis',
    TICKFORGE_REDIS_URL: redisUrl,
    TICKFORGE_SEAT_SECRET: process.env.TICKFORGE_SEAT_SECRET ?? secret(),
    TICKFORGE_ACCESS_SECRET: process.env.TICKFORGE_ACCESS_SECRET ?? secret(),
    TICKFORGE_SERVER_KEY: process.env.TICKFORGE_SERVER_KEY ?? secret(),
    TICKFORGE_ADMIN_KEY: process.env.TICKFORGE_ADMIN_KEY ?? secret(),
  };
  const node = process.execPath;
  const flags = ['--max-semi-space-size=8', '--heap-growing-percent=50', '--experimental-strip-types', MAIN];
  const lobbyUrls = await Promise.all(
    LOBBIES.map((name, i) =>
      launch(
        name,
        node,
        [...flags, '--role=lobby'],
        {
          ...shared,
          TICKFORGE_LOBBY_PORT: port('TICKFORGE_LOBBY_PORT', 2568, i),
          TICKFORGE_DATA_DIR: join(tempDir!, name),
        },
        /"url":"(http:\/\/[^"]+)".*"msg":"lobby listening"/,
      ),
    ),
  );
  const nodeUrls = await Promise.all(
    NODES.map((name, i) =>
      launch(
        name,
        node,
        [...flags, '--role=game'],
        {
          ...shared,
          TICKFORGE_NODE_ID: name,
          TICKFORGE_GAME_PORT: port('TICKFORGE_GAME_PORT', 2567, i),
          // The node's outbox of match reports: one data dir per node.
          TICKFORGE_DATA_DIR: join(tempDir!, name),
          TICKFORGE_LOBBY_URL: process.env.TICKFORGE_LOBBY_URL ?? lobbyUrls.join(','),
        },
        /"url":"(wss?:\/\/[^"]+)".*"msg":"game node listening"/,
      ),
    ),
  );
  say(`processes: ${members.map((m) => `${m.name} ${m.child.pid}`).join(', ')}`);
  say(`Redis ${redactUrl(redisUrl)}; game nodes ${nodeUrls.join(', ')}`);
  say(`lobbies ${lobbyUrls.join(', ')} (any request may go to any of them)`);
  say(`open ${lobbyUrls[0]}/ in a browser to play (or ${lobbyUrls[1]}/); Ctrl-C stops everything`);
}

/** Stop game nodes first (their last match reports still reach the lobbies), then lobbies, then Redis. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const order = [NODES, LOBBIES, ['redis']];
  for (const names of order) {
    await Promise.all(
      members
        .filter((m) => names.includes(m.name) && m.child.exitCode === null && m.child.signalCode === null)
        .map((m) => {
          m.child.kill('SIGTERM');
          return m.exited;
        }),
    );
  }
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
  say('stopped');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    say(`${signal}: stopping`);
    void stop(0);
  });
}
// Should this launcher die on an error, take its processes with it.
process.on('exit', () => {
  for (const m of members)
    if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
});

start().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
