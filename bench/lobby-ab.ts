/**
 * Interleaved A/B of lobby routes: several bench servers (bench/lobby-server.ts, each from any
 * checkout and with its own environment) stay up pinned to core 0 and take turns under autocannon
 * (core 1) in short batches, rotating the order every round, so a load swing from outside moves
 * them all alike. Reports, per server, the median over rounds of its CPU time per request (from
 * /proc: what a busy machine moves least) and of its req/s, and both as ratios to the first server.
 *
 *   node bench/lobby-ab.ts --route top|around|guest [--rounds 8] [--batch 3] [--seeded 2000]
 *     --server floor=.:floor --server base=/work/main:lobby --server new=.:lobby[:ENV=1,ENV2=x]
 *
 * A server is `name=checkout:mode[:ENV=value,...]`; mode is floor or lobby. BENCH_NODE_FLAGS in a
 * server's environment is passed to its node (e.g. --cpu-prof).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { LobbyBenchServerInfo } from './lobby-server.ts';

const { values: args } = parseArgs({
  options: {
    route: { type: 'string', default: 'top' },
    rounds: { type: 'string', default: '8' },
    batch: { type: 'string', default: '3' },
    seeded: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '50' },
    server: { type: 'string', multiple: true, default: [] },
  },
});

interface Spec {
  readonly name: string;
  readonly root: string;
  readonly mode: 'floor' | 'lobby';
  readonly env: Record<string, string>;
}

function parseSpec(text: string): Spec {
  const [name, rest] = text.split('=', 2) as [string, string | undefined];
  const [root, mode, envText] = (rest ?? '').split(':');
  if (!name || !root || (mode !== 'floor' && mode !== 'lobby')) throw new Error(`bad --server ${text}`);
  const env = Object.fromEntries(
    (envText ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=', 2) as [string, string]),
  );
  return { name, root: resolvePath(root), mode, env };
}

const specs = (args.server ?? []).map(parseSpec);
if (specs.length < 2) throw new Error('give at least two --server');
const connections = Number(args.connections);
const batch = Number(args.batch);
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

interface Running {
  readonly spec: Spec;
  readonly child: ChildProcess;
  readonly info: LobbyBenchServerInfo;
  readonly cpu: number[];
  readonly rps: number[];
  readonly p99: number[];
}

async function start(spec: Spec): Promise<Running> {
  const flags = (spec.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      ...flags,
      'bench/lobby-server.ts',
      spec.mode,
      args.seeded ?? '2000',
      '0',
      '0',
    ],
    { cwd: spec.root, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...spec.env } },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}`)));
  });
  return { spec, child, info: JSON.parse(line) as LobbyBenchServerInfo, cpu: [], rps: [], p99: [] };
}

function cpuMicros(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

function options(server: Running, seconds: number): autocannon.Options {
  const { url, playerIds } = server.info;
  const floor = server.spec.mode === 'floor';
  if (args.route === 'guest') {
    return {
      url: `${url}/v1/auth/guest`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench player' }),
      connections,
      duration: seconds,
    };
  }
  if (args.route === 'around' && !floor) {
    let n = 0;
    return {
      url,
      connections,
      duration: seconds,
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
  }
  return {
    url: `${url}/v1/leaderboards/arena/top${floor ? '' : '?limit=10'}`,
    connections,
    duration: seconds,
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const servers: Running[] = [];
for (const spec of specs) servers.push(await start(spec));
for (const server of servers) await autocannon(options(server, 2)); // JIT warm-up
const rounds = Number(args.rounds);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < servers.length; i++) {
    const server = servers[(i + round) % servers.length]!;
    const before = cpuMicros(server.child.pid);
    const result = await autocannon(options(server, batch));
    const used = cpuMicros(server.child.pid) - before;
    const answered = result.requests.total;
    if (result.non2xx + result.errors > 0) console.error(`${server.spec.name}: ${result.non2xx} non-2xx`);
    server.cpu.push(used / answered);
    server.rps.push(answered / batch);
    server.p99.push(result.latency.p99);
  }
}
const [first] = servers;
console.log(`route ${args.route}, ${rounds} rounds of ${batch} s each, ${connections} connections`);
console.log(
  '| server | CPU us/req (median) | min-max | req/s (median) | p99 ms (median) | CPU vs first | req/s vs first |',
);
console.log('|---|---|---|---|---|---|---|');
for (const s of servers) {
  const cpu = median(s.cpu);
  const rps = median(s.rps);
  console.log(
    `| ${s.spec.name} | ${cpu.toFixed(1)} | ${Math.min(...s.cpu).toFixed(0)}-${Math.max(...s.cpu).toFixed(0)} | ${Math.round(rps)} | ${median(s.p99)} | ${(cpu / median(first!.cpu)).toFixed(2)}x | ${(rps / median(first!.rps)).toFixed(2)}x |`,
  );
}
await Promise.all(
  servers.map(
    (s) =>
      new Promise<void>((resolve) => {
        s.child.once('exit', () => resolve());
        s.child.stdin?.end();
      }),
  ),
);
