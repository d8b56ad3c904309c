/**
 * `npm run bench:lobby`: the lobby's hot routes under autocannon, beside the floor measured in the
 * same run (DESIGN.md: a bare Hono handler on @hono/node-server returning a fixed 10-record JSON).
 * Each server runs in its own process pinned to core 0 (bench/lobby-server.ts); autocannon runs here,
 * pinned to core 1. Then matchmaking: 10,000 queued tickets placed by the pure matcher, and by the
 * whole service (store, room creation, a held seat per player). Writes Markdown and JSON to
 * bench/results/. Traffic stays on 127.0.0.1.
 *
 *   npm run bench:lobby -- [--duration 10] [--connections 50] [--seeded 10000] [--tickets 20000]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
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

/** One measured route. */
interface Measured {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(name: string, options: autocannon.Options): Promise<Measured> {
  // `amount` ends a run by count instead of time.
  const result = await autocannon({ connections, ...(options.amount ? {} : { duration }), ...options });
  const measured = {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(
    `${name}: ${measured.requestsPerSecond.toLocaleString('en-US')} req/s, p50 ${measured.p50Ms} ms, ` +
      `p99 ${measured.p99Ms} ms, ${measured.non2xx} non-2xx, ${measured.errors} errors`,
  );
  return measured;
}

async function main(): Promise<void> {
  const measured: Measured[] = [];
  const floor = await startServer('floor');
  // Warm up the JIT on both sides before the measured window.
  await autocannon({ url: `${floor.info.url}/v1/leaderboards/arena/top`, connections, duration: 2 });
  measured.push(
    await measure('floor: bare Hono, fixed 10-record JSON', {
      url: `${floor.info.url}/v1/leaderboards/arena/top`,
    }),
  );
  const postFloor = await measure('floor: bare Hono POST, JSON body echoed', {
    url: `${floor.info.url}/v1/auth/guest`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench player' }),
  });
  await stopServer(floor);

  const lobby = await startServer('lobby');
  const { url, playerIds, ticketTokens } = lobby.info;
  const top = `${url}/v1/leaderboards/arena/top?limit=10`;
  await autocannon({ url: top, connections, duration: 2 });
  measured.push(await measure('leaderboard top-10', { url: top }));
  let n = 0;
  measured.push(
    await measure('leaderboard around-player (10)', {
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
    }),
  );
  measured.push(
    await measure('guest auth (POST /v1/auth/guest)', {
      url: `${url}/v1/auth/guest`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench player' }),
    }),
  );
  let t = 0;
  measured.push(
    await measure('ticket creation (POST /v1/matchmaking/tickets)', {
      url,
      amount: ticketTokens.length,
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
              authorization: `Bearer ${ticketTokens[t++ % ticketTokens.length]}`,
            },
          }),
        },
      ],
    }),
  );
  await stopServer(lobby);

  const pure = await benchMatchmaking({ tickets: 10_000, playersPerMatch: 16, scenario: 'mixed' });
  console.log(
    `matchmaking (matcher only): 10,000 tickets, first pass ${pure.firstPass.ms.toFixed(1)} ms placed ${pure.firstPass.placed}; all passes ${pure.ms.toFixed(1)} ms placed ${pure.placed}`,
  );
  const service = await benchMatchmakingService({ tickets: 10_000 });
  console.log(
    `matchmaking (service): ${service.tickets.toLocaleString('en-US')} tickets -> ${service.matches} matches in ${service.ms.toFixed(0)} ms (${service.placed} placed, seats held)`,
  );

  const floorRps = measured[0]?.requestsPerSecond ?? 1;
  // Writes are compared with the POST floor, reads with the GET floor.
  const versus = (m: Measured) =>
    (m.requestsPerSecond / (m.name.includes('POST') ? postFloor.requestsPerSecond : floorRps)).toFixed(2);
  measured.splice(1, 0, postFloor);
  const date = new Date().toISOString().slice(0, 10);
  const rows = measured.map(
    (m) =>
      `| ${m.name} | ${m.requestsPerSecond.toLocaleString('en-US')} | ${versus(m)}x | ${m.p50Ms} | ${m.p99Ms} | ${m.non2xx + m.errors} |`,
  );
  const markdown = [
    `# Lobby benchmark, ${date}`,
    '',
    `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), server ${hasTaskset ? 'pinned to core 0, autocannon to core 1' : 'unpinned'}; ${connections} connections, ${duration} s per route, keep-alive; ${args.seeded} seeded players on the board.`,
    '',
    '| route | req/s | vs floor (GET or POST) | p50 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Matchmaking, 10,000 queued tickets (16-player matches): matcher first pass ${pure.firstPass.ms.toFixed(1)} ms (${pure.firstPass.placed} placed), all passes ${pure.ms.toFixed(1)} ms (${pure.placed} placed); whole service (store, rooms, a held seat per player) ${service.ms.toFixed(0)} ms.`,
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, `lobby-${date}.md`), markdown);
  await writeFile(
    join(RESULTS, `lobby-${date}.json`),
    `${JSON.stringify({ date, node: process.version, connections, duration, measured, matchmaking: { pure, service } }, null, 2)}\n`,
  );
  console.log(`\n${markdown}`);
}

await main();
