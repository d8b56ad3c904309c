/**
 * `npm run bench:lobby`: the lobby's hot routes under autocannon, beside the floor measured in the
 * same run (DESIGN.md: a bare Hono handler on @hono/node-server returning a fixed 10-record JSON).
 * Each server runs in its own process pinned to core 0 (bench/lobby-server.ts); autocannon runs here,
 * pinned to core 1. Beside each route's req/s it reports the server's CPU time per request (from
 * /proc), which moves less than req/s when other work shares the machine. Then matchmaking: 10,000
 * queued tickets placed by the pure matcher, and by the whole service (store, room creation, a held
 * seat per player). Ends with DESIGN.md's lobby targets, each judged met or not on this run. Writes
 * Markdown and JSON to bench/results/. Traffic stays on 127.0.0.1.
 *
 *   npm run bench:lobby -- [--duration 10] [--connections 50] [--seeded 10000] [--tickets 20000]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { LobbyBenchServerInfo } from './lobby-server.ts';
import { benchMatchmaking } from './matchmaking.ts';
import { benchMatchmakingService } from './matchmaking-service.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    seeded: { type: 'string', default: '10000' },
    tickets: { type: 'string', default: '20000' },
  },
});
const duration = Number(args.duration);
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

async function startServer(kind: 'floor' | 'lobby'): Promise<Server> {
  const node = process.execPath;
  const serverArgs = ['bench/lobby-server.ts', kind, args.seeded, args.tickets];
  const [cmd, cmdArgs] = hasTaskset ? ['taskset', ['-c', '0', node, ...serverArgs]] : [node, serverArgs];
  const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
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

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's CPU time so far (user + system, every thread), in µs; undefined without /proc. */
function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** One measured route; `floor` says which floor it is compared with. */
interface Measured {
  readonly name: string;
  readonly floor: 'get' | 'post';
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The server's CPU time per answered request (µs): less sensitive to other load than req/s. */
  readonly serverCpuUs: number | undefined;
}

async function measure(
  name: string,
  floor: Measured['floor'],
  server: Server,
  options: autocannon.Options,
): Promise<Measured> {
  const cpuBefore = cpuMicros(server.child.pid);
  // `amount` ends a run by count instead of time.
  const result = await autocannon({ connections, ...(options.amount ? {} : { duration }), ...options });
  const cpuAfter = cpuMicros(server.child.pid);
  const answered = result.requests.total;
  const measured: Measured = {
    name,
    floor,
    requestsPerSecond: Math.round(result.requests.average),
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

/** POST /v1/matchmaking/tickets, each request with the next of `tokens` (a player queues once). */
function ticketRequests(url: string, tokens: readonly string[]): autocannon.Options {
  let next = 0;
  return {
    url,
    amount: tokens.length,
    requests: [
      {
        method: 'POST',
        path: '/v1/matchmaking/tickets',
        body: JSON.stringify({ mode: 'arena', rating: 1500 }),
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[next++ % tokens.length]}`,
          },
        }),
      },
    ],
  };
}

async function measureRoutes(): Promise<{ floors: Record<Measured['floor'], Measured>; routes: Measured[] }> {
  const floor = await startServer('floor');
  const floorGet = `${floor.info.url}/v1/leaderboards/arena/top`;
  // Warm up the JIT on both sides before the measured window.
  await autocannon({ url: floorGet, connections, duration: 2 });
  const get = await measure('floor: bare Hono, fixed 10-record JSON', 'get', floor, { url: floorGet });
  const floorPost = `${floor.info.url}/v1/auth/guest`;
  await autocannon({ url: floorPost, connections, duration: 2, ...JSON_POST });
  const post = await measure('floor: bare Hono POST, JSON body echoed', 'post', floor, {
    url: floorPost,
    ...JSON_POST,
  });
  await stopServer(floor);

  const lobby = await startServer('lobby');
  const { url, playerIds, ticketTokens, warmupTokens } = lobby.info;
  const routes: Measured[] = [];
  const top = `${url}/v1/leaderboards/arena/top?limit=10`;
  await autocannon({ url: top, connections, duration: 2 });
  routes.push(await measure('leaderboard top-10', 'get', lobby, { url: top }));
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
  await autocannon({ ...around, connections, duration: 2 });
  routes.push(await measure('leaderboard around-player (10)', 'get', lobby, around));
  const guest = `${url}/v1/auth/guest`;
  await autocannon({ url: guest, connections, duration: 2, ...JSON_POST });
  routes.push(
    await measure('guest sign-up (POST /v1/auth/guest)', 'post', lobby, { url: guest, ...JSON_POST }),
  );
  await autocannon({ connections, ...ticketRequests(url, warmupTokens) });
  routes.push(
    await measure(
      'ticket creation (POST /v1/matchmaking/tickets)',
      'post',
      lobby,
      ticketRequests(url, ticketTokens),
    ),
  );
  await stopServer(lobby);
  return { floors: { get, post }, routes };
}

/** One of DESIGN.md's lobby targets, judged on this run. */
interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const ratio = (value: number, floor: number) => (floor > 0 ? value / floor : 0);
const times = (value: number) => `${value.toFixed(2)}x`;

function judge(floors: Record<Measured['floor'], Measured>, routes: readonly Measured[], matchMs: number) {
  const [top, around, guest, ticket] = routes as [Measured, Measured, Measured, Measured];
  const throughput = (m: Measured, atLeast: number): Verdict => {
    const r = ratio(m.requestsPerSecond, floors[m.floor].requestsPerSecond);
    return {
      target: `${m.name} >= ${atLeast}x the ${m.floor.toUpperCase()} floor`,
      measured: times(r),
      met: r >= atLeast,
    };
  };
  const tail = (m: Measured): Verdict => {
    const r = ratio(m.p99Ms, floors[m.floor].p99Ms);
    return {
      target: `${m.name} p99 within 1.5x the floor's`,
      measured: `${m.p99Ms} ms vs ${floors[m.floor].p99Ms} ms (${times(r)})`,
      met: m.p99Ms <= 1.5 * floors[m.floor].p99Ms,
    };
  };
  return [
    throughput(top, 0.6),
    tail(top),
    throughput(around, 0.5),
    tail(around),
    {
      target: `${guest.name} >= 10,000 req/s`,
      measured: `${guest.requestsPerSecond.toLocaleString('en-US')} req/s`,
      met: guest.requestsPerSecond >= 10_000,
    },
    throughput(guest, 0.5),
    throughput(ticket, 0.5),
    {
      target: '10,000 queued tickets matched in under 1 s',
      measured: `${matchMs.toFixed(0)} ms`,
      met: matchMs < 1000,
    },
  ];
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const { floors, routes } = await measureRoutes();
  const loadAfter = loadavg()[0] ?? 0;

  const pure = await benchMatchmaking({ tickets: 10_000, playersPerMatch: 16, scenario: 'mixed' });
  console.log(
    `matchmaking (matcher only): 10,000 tickets, first pass ${pure.firstPass.ms.toFixed(1)} ms placed ${pure.firstPass.placed}; all passes ${pure.ms.toFixed(1)} ms placed ${pure.placed}`,
  );
  const service = await benchMatchmakingService({ tickets: 10_000 });
  console.log(
    `matchmaking (service): ${service.tickets.toLocaleString('en-US')} tickets -> ${service.matches} matches in ${service.ms.toFixed(0)} ms (${service.placed} placed, seats held)`,
  );

  const verdicts = judge(floors, routes, service.ms);
  const all = [floors.get, floors.post, ...routes];
  const cpuRatio = (m: Measured) => {
    const floorCpu = floors[m.floor].serverCpuUs;
    return m.serverCpuUs && floorCpu ? times(floorCpu / m.serverCpuUs) : '?';
  };
  const date = new Date().toISOString().slice(0, 10);
  const command = `npm run bench:lobby -- ${process.argv.slice(2).join(' ')}`.trim();
  const markdown = [
    `# Lobby benchmark, ${date}`,
    '',
    `\`${command}\`: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), server ${hasTaskset ? 'pinned to core 0, autocannon to core 1' : 'unpinned'}; ${connections} connections, ${duration} s per route after a 2 s warm-up (tickets: ${routes[3]?.requests ?? 0} measured after 2,000 warm-up ones), keep-alive; ${args.seeded} seeded players on the board. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    '',
    '| route | req/s | vs floor (GET or POST) | p50 ms | p99 ms | server CPU us/req | floor CPU / route CPU | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...all.map(
      (m) =>
        `| ${m.name} | ${m.requestsPerSecond.toLocaleString('en-US')} | ${times(ratio(m.requestsPerSecond, floors[m.floor].requestsPerSecond))} | ${m.p50Ms} | ${m.p99Ms} | ${m.serverCpuUs ?? '?'} | ${cpuRatio(m)} | ${m.non2xx + m.errors} |`,
    ),
    '',
    '| target (DESIGN.md) | this run | verdict |',
    '|---|---|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'met' : '**not met**'} |`),
    '',
    `Matchmaking, 10,000 queued tickets (16-player matches): matcher first pass ${pure.firstPass.ms.toFixed(1)} ms (${pure.firstPass.placed} placed), all passes ${pure.ms.toFixed(1)} ms (${pure.placed} placed); whole service (store, rooms, a held seat per player) ${service.ms.toFixed(0)} ms.`,
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, `lobby-${date}.md`), markdown);
  await writeFile(
    join(RESULTS, `lobby-${date}.json`),
    `${JSON.stringify({ date, command, node: process.version, connections, duration, load: { before: loadBefore, after: loadAfter }, measured: all, verdicts, matchmaking: { pure, service } }, null, 2)}\n`,
  );
  console.log(`\n${markdown}`);
}

await main();
