/**
 * `npm run bench:lobby`: the lobby's hot routes under autocannon, beside the floor measured in the
 * same run (DESIGN.md: a bare Hono handler on @hono/node-server returning a fixed 10-record JSON,
 * and a bare POST), each route right after its floor. Each server runs in its own process pinned to
 * core 0 (bench/lobby-server.ts); autocannon runs here, pinned to core 1. Beside each route's req/s it reports the server's CPU time per request (from
 * /proc), which moves less than req/s when other work shares the machine. Then matchmaking: 10,000
 * queued tickets placed by the pure matcher, and by the whole service (store, room creation, a held
 * seat per player). Ends with DESIGN.md's lobby targets, each judged met or not on this run. Writes
 * Markdown and JSON to bench/results/. Traffic stays on 127.0.0.1.
 *
 *   npm run bench:lobby -- [--duration 10] [--connections 50] [--seeded 10000] [--tickets 20000]
 *     [--store embedded|redis] [--only matchmaking [--runs 3]]
 *
 * `--store redis` starts a private redis-server (unpinned: the machine has two cores) and runs the
 * lobby on the Redis store, its board seeded with `--seeded` records (default then 1,000,000), the
 * 10,000 tickets matched through Redis, and one lobby against two on the same Redis.
 *
 * `--only matchmaking` skips the routes: it times the whole matchmaking service on 10,000 tickets
 * on the embedded store and, with `--store redis`, on Redis, alternately for `--runs` rounds, so the
 * two are compared under the same machine load.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { openRedisStore } from '../server/store/redis/index.ts';
import { type RedisServer, startRedisServer } from '../test/support/redis-server.ts';
import type { LobbyBenchServerInfo } from './lobby-server.ts';
import { judge, type Measured, type Pair, ratio, times } from './lobby-targets.ts';
import { benchMatchmaking } from './matchmaking.ts';
import { benchMatchmakingService } from './matchmaking-service.ts';
import { cpuMicros } from './proc-cpu.ts';
import { ticketCreations } from './ticket-requests.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    seeded: { type: 'string' },
    tickets: { type: 'string', default: '20000' },
    store: { type: 'string', default: 'embedded' },
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
if (args.only !== undefined && args.only !== 'matchmaking') throw new Error('--only takes matchmaking');
if (args.store !== 'embedded' && args.store !== 'redis') throw new Error('--store must be embedded or redis');
const onRedis = args.store === 'redis';
const seeded = args.seeded ?? (onRedis ? '1000000' : '10000');
/** The private redis-server of `--store redis`. */
let redis: RedisServer | undefined;
const duration = Number(args.duration);
/**
 * Ticket creations spent warming up before the measured ones (a player queues only once): the route
 * runs at its steady cost only after about this many, as the others do after their 2 s warm-up
 * (which is about 46,000 requests of a floor on a quiet day). With 10,000, the measured tickets
 * 10,001-13,000 fell in a burst of TurboFan compiles (91 functions, 1.6 s of compile time under
 * `--trace-opt`, 530 us per ticket against 325 for the next batches).
 */
const TICKET_WARMUP = 20_000;
const connections = Number(args.connections);

const hasTaskset = (() => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (hasTaskset) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

interface Server {
  readonly child: ChildProcess;
  readonly info: LobbyBenchServerInfo;
}

/** A bench server on `core`; `second` is a further lobby on the Redis data the first one seeded. */
async function startServer(kind: 'floor' | 'lobby', core = 0, second = false): Promise<Server> {
  const node = process.execPath;
  const serverArgs = second
    ? ['bench/lobby-server.ts', kind, seeded, '0', '0']
    : ['bench/lobby-server.ts', kind, seeded, args.tickets, String(TICKET_WARMUP)];
  const [cmd, cmdArgs] = hasTaskset
    ? ['taskset', ['-c', String(core), node, ...serverArgs]]
    : [node, serverArgs];
  const env = redis
    ? {
        ...process.env,
        BENCH_REDIS_URL: redis.url,
        BENCH_REDIS_PREFIX: 'bench',
        BENCH_SEED: second ? '0' : '1',
      }
    : process.env;
  const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'], env });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as LobbyBenchServerInfo };
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.stdin?.end();
  });
}

/** When the last answer of a run arrived (performance.now()), for runs that end by count. */
interface LastAnswer {
  at: number;
}

async function measure(
  name: string,
  floor: Measured['floor'],
  server: Server,
  options: autocannon.Options,
  lastAnswer?: LastAnswer,
): Promise<Measured> {
  const cpuBefore = cpuMicros(server.child.pid);
  const startedAt = performance.now();
  // `amount` ends a run by count instead of time.
  const result = await autocannon({ connections, ...(options.amount ? {} : { duration }), ...options });
  const cpuAfter = cpuMicros(server.child.pid);
  const answered = result.requests.total;
  // autocannon ends a run by count at its next one-second tick, and averages whole seconds: a run
  // of 3,000 requests that took 0.4 s reads as 1,500 req/s. Such runs are timed here instead.
  const requestsPerSecond = lastAnswer
    ? (answered * 1000) / Math.max(1, lastAnswer.at - startedAt)
    : result.requests.average;
  const measured: Measured = {
    name,
    floor,
    requestsPerSecond: Math.round(requestsPerSecond),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: answered,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuUs:
      cpuBefore === undefined || cpuAfter === undefined || answered === 0
        ? undefined
        : Math.round((cpuAfter - cpuBefore) / answered),
  };
  console.log(
    `${name}: ${measured.requestsPerSecond.toLocaleString('en-US')} req/s, p50 ${measured.p50Ms} ms, ` +
      `p99 ${measured.p99Ms} ms, server CPU ${measured.serverCpuUs ?? '?'} us/req, ` +
      `${measured.non2xx} non-2xx, ${measured.errors} errors`,
  );
  return measured;
}

const GUEST_BODY = JSON.stringify({ name: 'bench player' });
const JSON_POST = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: GUEST_BODY,
} as const;

/** Ticket creations with `tokens`, noting when the last one is answered. */
function ticketRequests(url: string, tokens: readonly string[], lastAnswer?: LastAnswer): autocannon.Options {
  return ticketCreations(
    url,
    tokens,
    lastAnswer &&
      (() => {
        lastAnswer.at = performance.now();
      }),
  );
}

/**
 * Both servers stay up (pinned to the same core, only one of them loaded at a time), and every
 * route is measured right after its floor: a load swing from outside the benchmark then moves the
 * two together instead of skewing their ratio.
 */
/** A route on one lobby, then on two lobbies of one Redis at once (half the connections each). */
interface Scaling {
  readonly route: string;
  readonly one: number;
  readonly two: number;
}

async function measureScaling(first: Server): Promise<Scaling[]> {
  // The second lobby on core 1, beside autocannon: the machine has two cores.
  const second = await startServer('lobby', 1, true);
  const routes = [
    { route: 'leaderboard top-10', path: '/v1/leaderboards/arena/top?limit=10', post: false },
    { route: 'guest sign-up', path: '/v1/auth/guest', post: true },
  ];
  const results: Scaling[] = [];
  for (const { route, path, post } of routes) {
    const on = (server: Server, share: number, seconds: number) =>
      autocannon({
        url: `${server.info.url}${path}`,
        ...(post ? JSON_POST : {}),
        connections: Math.max(1, Math.round(connections * share)),
        duration: seconds,
      });
    await Promise.all([on(first, 0.5, 2), on(second, 0.5, 2)]);
    const one = (await on(first, 1, duration)).requests.average;
    const [a, b] = await Promise.all([on(first, 0.5, duration), on(second, 0.5, duration)]);
    const two = a.requests.average + b.requests.average;
    console.log(
      `${route}: 1 lobby ${one.toFixed(0)} req/s, 2 lobbies ${two.toFixed(0)} req/s (${times(two / one)})`,
    );
    results.push({ route, one, two });
  }
  await stopServer(second);
  return results;
}

async function measureRoutes(): Promise<{ pairs: Pair[]; scaling: Scaling[] }> {
  const floor = await startServer('floor');
  const lobby = await startServer('lobby');
  const { url, playerIds, ticketTokens, warmupTokens } = lobby.info;
  const floorGet: autocannon.Options = { url: `${floor.info.url}/v1/leaderboards/arena/top` };
  const floorPost: autocannon.Options = { url: `${floor.info.url}/v1/auth/guest`, ...JSON_POST };
  let n = 0;
  const around: autocannon.Options = {
    url,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/v1/leaderboards/arena/around/${playerIds[n++ % playerIds.length]}?limit=10`,
        }),
      },
    ],
  };
  const ticketsAnswered: LastAnswer = { at: 0 };
  const routes: readonly {
    readonly name: string;
    readonly kind: Measured['floor'];
    readonly options: autocannon.Options;
    readonly warmup: autocannon.Options;
    readonly lastAnswer?: LastAnswer;
  }[] = [
    {
      name: 'leaderboard top-10',
      kind: 'get',
      options: { url: `${url}/v1/leaderboards/arena/top?limit=10` },
      warmup: { url: `${url}/v1/leaderboards/arena/top?limit=10`, duration: 2 },
    },
    {
      name: 'leaderboard around-player (10)',
      kind: 'get',
      options: around,
      warmup: { ...around, duration: 2 },
    },
    {
      name: 'guest sign-up (POST /v1/auth/guest)',
      kind: 'post',
      options: { url: `${url}/v1/auth/guest`, ...JSON_POST },
      warmup: { url: `${url}/v1/auth/guest`, ...JSON_POST, duration: 2 },
    },
    {
      name: 'ticket creation (POST /v1/matchmaking/tickets)',
      kind: 'post',
      options: ticketRequests(url, ticketTokens, ticketsAnswered),
      lastAnswer: ticketsAnswered,
      // A player queues once: other players warm the route up.
      warmup: ticketRequests(url, warmupTokens),
    },
  ];
  const pairs: Pair[] = [];
  for (const route of routes) {
    const [floorName, floorOptions] =
      route.kind === 'get'
        ? ['floor: bare Hono GET, fixed 10-record JSON', floorGet]
        : ['floor: bare Hono POST, JSON body echoed', floorPost];
    // Warm up the JIT on both sides before each measured window.
    await autocannon({ ...floorOptions, connections, duration: 2 });
    const measuredFloor = await measure(floorName, route.kind, floor, floorOptions);
    await autocannon({ connections, ...route.warmup });
    pairs.push({
      floor: measuredFloor,
      route: await measure(route.name, route.kind, lobby, route.options, route.lastAnswer),
    });
  }
  const scaling = onRedis ? await measureScaling(lobby) : [];
  await stopServer(lobby);
  await stopServer(floor);
  return { pairs, scaling };
}

async function main(): Promise<void> {
  if (onRedis) redis = await startRedisServer();
  try {
    await (args.only === 'matchmaking' ? runMatchmaking() : run());
  } finally {
    await redis?.stop();
  }
}

async function run(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const { pairs, scaling } = await measureRoutes();
  const loadAfter = loadavg()[0] ?? 0;

  const pure = await benchMatchmaking({ tickets: 10_000, playersPerMatch: 16, scenario: 'mixed' });
  console.log(
    `matchmaking (matcher only): 10,000 tickets, first pass ${pure.firstPass.ms.toFixed(1)} ms placed ${pure.firstPass.placed}; all passes ${pure.ms.toFixed(1)} ms placed ${pure.placed}`,
  );
  const server = redis;
  const service = await benchMatchmakingService({
    tickets: 10_000,
    ...(server
      ? {
          openStore: (now: () => number) =>
            openRedisStore({ url: server.url, prefix: 'bench-mm', boards: [], now }),
        }
      : {}),
  });
  console.log(
    `matchmaking (service): ${service.tickets.toLocaleString('en-US')} tickets -> ${service.matches} matches in ${service.ms.toFixed(0)} ms (${service.placed} placed, seats held)`,
  );

  const verdicts = judge(pairs, service.ms);
  const row = (m: Measured, floor: Measured) => {
    const cpu =
      m === floor ? '' : m.serverCpuUs && floor.serverCpuUs ? times(floor.serverCpuUs / m.serverCpuUs) : '?';
    const versus = m === floor ? '' : times(ratio(m.requestsPerSecond, floor.requestsPerSecond));
    return `| ${m.name} | ${m.requestsPerSecond.toLocaleString('en-US')} | ${versus} | ${m.p50Ms} | ${m.p99Ms} | ${m.serverCpuUs ?? '?'} | ${cpu} | ${m.non2xx + m.errors} |`;
  };
  const date = new Date().toISOString().slice(0, 10);
  const suffix = onRedis ? '-redis' : '';
  const command = `npm run bench:lobby -- ${process.argv.slice(2).join(' ')}`.trim();
  const markdown = [
    `# Lobby benchmark, ${date}${onRedis ? ', Redis store' : ''}`,
    '',
    `\`${command}\`: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), servers ${hasTaskset ? 'pinned to core 0, autocannon to core 1' : 'unpinned'}; ${connections} connections, ${duration} s per route after a 2 s warm-up (tickets: ${pairs[3]?.route.requests ?? 0} measured after ${TICKET_WARMUP.toLocaleString('en-US')} warm-up ones), keep-alive; ${Number(seeded).toLocaleString('en-US')} seeded records on the board${onRedis ? ' (Redis store on a private redis-server, unpinned)' : ''}. Each route is measured right after its floor. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    '',
    '| route | req/s | vs its floor | p50 ms | p99 ms | server CPU us/req | floor CPU / route CPU | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...pairs.flatMap(({ floor, route }) => [row(floor, floor), row(route, floor)]),
    '',
    '| target (DESIGN.md) | this run | verdict |',
    '|---|---|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'met' : '**not met**'} |`),
    '',
    `Matchmaking, 10,000 queued tickets (16-player matches): matcher first pass ${pure.firstPass.ms.toFixed(1)} ms (${pure.firstPass.placed} placed), all passes ${pure.ms.toFixed(1)} ms (${pure.placed} placed); whole service (${onRedis ? 'Redis store' : 'store'}, rooms, a held seat per player) ${service.ms.toFixed(0)} ms, ${service.placed} placed in ${service.matches} matches.`,
    '',
    ...(scaling.length > 0
      ? [
          '| route | 1 lobby req/s | 2 lobbies req/s | ratio |',
          '|---|---|---|---|',
          ...scaling.map(
            (s) =>
              `| ${s.route} | ${Math.round(s.one).toLocaleString('en-US')} | ${Math.round(s.two).toLocaleString('en-US')} | ${times(s.two / s.one)} |`,
          ),
          '',
        ]
      : []),
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, `lobby-${date}${suffix}.md`), markdown);
  await writeFile(
    join(RESULTS, `lobby-${date}${suffix}.json`),
    `${JSON.stringify({ date, command, store: args.store, seeded: Number(seeded), node: process.version, connections, duration, load: { before: loadBefore, after: loadAfter }, pairs, verdicts, matchmaking: { pure, service }, scaling }, null, 2)}\n`,
  );
  console.log(`\n${markdown}`);
}

/** `--only matchmaking`: the service on the embedded store and on Redis, alternately. */
async function runMatchmaking(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const server = redis;
  const rounds: { embedded: number; redis: number | undefined; matches: number; placed: number }[] = [];
  for (let round = 0; round < Number(args.runs); round++) {
    const embedded = await benchMatchmakingService({ tickets: 10_000 });
    const onStore = server
      ? await benchMatchmakingService({
          tickets: 10_000,
          openStore: (now: () => number) =>
            openRedisStore({ url: server.url, prefix: `bench-mm${round}`, boards: [], now }),
        })
      : undefined;
    rounds.push({
      embedded: embedded.ms,
      redis: onStore?.ms,
      matches: onStore?.matches ?? embedded.matches,
      placed: onStore?.placed ?? embedded.placed,
    });
    console.log(
      `round ${round + 1}: embedded ${embedded.ms.toFixed(0)} ms${onStore ? `, Redis ${onStore.ms.toFixed(0)} ms` : ''} (${embedded.matches} matches, ${embedded.placed} placed)`,
    );
  }
  const loadAfter = loadavg()[0] ?? 0;
  const date = new Date().toISOString().slice(0, 10);
  const command = `npm run bench:lobby -- ${process.argv.slice(2).join(' ')}`.trim();
  const markdown = [
    `# Matchmaking service benchmark, ${date}`,
    '',
    `\`${command}\`: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); 10,000 queued solo tickets in 16-player matches through the whole service (a room, the seats and a fenced claim per match)${onRedis ? ', on the embedded store and on a private redis-server (unpinned), alternately' : ''}. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    '',
    `| round | embedded ms |${onRedis ? ' Redis ms |' : ''} matches | placed |`,
    `|---|---|${onRedis ? '---|' : ''}---|---|`,
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.embedded.toFixed(0)} |${r.redis === undefined ? '' : ` ${r.redis.toFixed(0)} |`} ${r.matches} | ${r.placed} |`,
    ),
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  const name = `matchmaking-${date}${onRedis ? '-redis' : ''}`;
  await writeFile(join(RESULTS, `${name}.md`), markdown);
  await writeFile(
    join(RESULTS, `${name}.json`),
    `${JSON.stringify({ date, command, node: process.version, load: { before: loadBefore, after: loadAfter }, rounds }, null, 2)}\n`,
  );
  console.log(`\n${markdown}`);
}

await main();
