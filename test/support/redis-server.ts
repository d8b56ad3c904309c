/**
 * A private `redis-server` per test file: its own free port and temp dir, nothing saved to disk
 * (`--save "" --appendonly no`), stopped and deleted afterwards. Tests never use the machine's own
 * Redis. Where `redis-server` is missing the Redis suites are skipped with the reason printed once,
 * except under CI=true, where they run and fail with that reason (.ci/run installs it from Debian).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** The server binary the tests start (TEST_REDIS_SERVER overrides). */
export const REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis-server';

function unavailable(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `${REDIS_SERVER} not found (apt-get install redis-server, or set TEST_REDIS_SERVER)`;
  }
  return undefined;
}

/** Why the Redis suites cannot run here, or undefined when they can. */
export const redisServerUnavailable: string | undefined = unavailable();

const underCi = process.env.CI === 'true';
let announced = false;

/** For `describe.skipIf(skipRedis())`: true when Redis suites should be skipped here. */
export function skipRedis(): boolean {
  if (redisServerUnavailable === undefined || underCi) return false;
  if (!announced) {
    announced = true;
    console.warn(`Redis tests skipped: ${redisServerUnavailable}`);
  }
  return true;
}

/** A running test server. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Its working directory (deleted on stop). */
  readonly dir: string;
  /** Everything it logged so far. */
  output(): string;
  /** Stop it (SIGTERM: with nothing to save, it exits at once) and delete its directory. */
  stop(): Promise<void>;
  /**
   * Stop it (SIGTERM: it writes what its persistence settings say), run `meanwhile` while it is away,
   * then start it again on the same port and directory; resolves with the new server.
   */
  restart(meanwhile?: () => Promise<void>): Promise<RedisServer>;
}

export interface RedisServerOptions {
  /** A one-node Redis Cluster owning all 16384 slots, so cross-slot access is refused as in production. */
  readonly cluster?: boolean;
  /** Extra `--name value` arguments, e.g. `['--appendonly', 'yes']` for a test that needs AOF. */
  readonly args?: readonly string[];
}

/** The running server of a suite, and a plain connection to it for looking behind the store's back. */
export interface RedisSuite {
  readonly server: RedisServer;
  readonly admin: Redis;
}

/** Start a server and its admin connection before the enclosing suite's tests; stop both after. */
export function useRedisServer(options: RedisServerOptions = {}): RedisSuite {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the Redis server runs only inside its suite');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get admin() {
      return started(admin);
    },
  };
}

const HOST = '127.0.0.1';
const READY = /Ready to accept connections/;
const CLUSTER_OK = /Cluster state changed: ok/;
const ATTEMPTS = 5;

/** Start a server; throws (with its output) when it cannot, as it must under CI without one. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (redisServerUnavailable !== undefined) {
    throw new Error(`Redis tests must run under CI=true but cannot: ${redisServerUnavailable}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tickforge-redis-'));
  let lastError: unknown;
  // A port found free can be taken before the server binds it: try another.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await launch(dir, await freePort(options.cluster === true), options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

class PortTakenError extends Error {}

async function launch(dir: string, port: number, options: RedisServerOptions): Promise<RedisServer> {
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--logfile',
    '',
    '--daemonize',
    'no',
    ...(options.cluster
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          // A lone node does not know its own address; clients need it in CLUSTER SLOTS.
          '--cluster-announce-ip',
          HOST,
        ]
      : []),
    ...(options.args ?? []),
  ];
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(log)) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit');
  /** Resolves when the log shows `pattern`; rejects with the log if the server exits first. */
  const logged = (pattern: RegExp) =>
    Promise.race([
      new Promise<void>((resolve) => {
        if (pattern.test(log)) resolve();
        else waiters.push({ pattern, resolve });
      }),
      exited.then(() => {
        const reason = `redis-server exited before ${pattern}:\n${log}`;
        throw /Address already in use/.test(log) ? new PortTakenError(reason) : new Error(reason);
      }),
    ]);

  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const server: RedisServer = {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    dir,
    output: () => log,
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    restart: async (meanwhile) => {
      await halt();
      try {
        await meanwhile?.();
      } finally {
        // Started again even when `meanwhile` failed, so the suite's stop() still finds a server.
        await launch(dir, port, options).then((next) => Object.assign(server, { ...next }));
      }
      return server;
    },
  };
  try {
    await logged(READY);
    if (options.cluster) await claimAllSlots(server, () => logged(CLUSTER_OK));
    return server;
  } catch (error) {
    if (!(error instanceof PortTakenError)) await stopQuietly(child);
    throw error;
  }
}

/** Make the node a one-node cluster: all slots, then wait for it to log that the cluster is ok. */
async function claimAllSlots(server: RedisServer, clusterOk: () => Promise<void>): Promise<void> {
  const admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await admin.connect();
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await clusterOk();
  } finally {
    admin.disconnect();
  }
}

async function stopQuietly(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** A port nothing listens on now; cluster nodes also need port + 10000 for their bus. */
async function freePort(withBus: boolean): Promise<number> {
  for (;;) {
    const probe = createServer();
    probe.listen(0, HOST);
    await once(probe, 'listening');
    const address = probe.address();
    probe.close();
    await once(probe, 'close');
    if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
    if (!withBus || address.port + 10_000 <= 65_535) return address.port;
  }
}
