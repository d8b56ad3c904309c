/**
 * Ticket creation, interleaved A/B: several bench servers (bench/lobby-server.ts, each from any
 * checkout and with its own environment; typically the bare POST floor, the lobby before a change
 * and after it) stay up pinned to core 0 and take turns under autocannon (core 1) in batches of
 * `--batch` requests, rotating the order every round, so a load swing from outside moves them all
 * alike. A lobby's batch is POST /v1/matchmaking/tickets with a fresh player and token per request
 * (a player queues once), as in `npm run bench:lobby`; the floor's is its bare JSON POST. Every
 * server first takes `--warmup` requests. Reports, per server, the median over rounds of its CPU
 * time per request (/proc, every thread) and of its req/s (first request to last answer), and both
 * as ratios to the first server. Traffic stays on 127.0.0.1.
 *
 *   node --experimental-strip-types bench/ticket-ab.ts [--rounds 6] [--batch 2000] [--warmup 10000]
 *     --server floor=.:floor --server base=/work/main:lobby --server new=.:lobby[:ENV=1,ENV2=x]
 *     [--perf DIR]
 *
 * A server is `name=checkout:mode[:ENV=value,...]`. BENCH_NODE_FLAGS in a server's environment is
 * passed to its node (e.g. `--cpu-prof`, `--perf-basic-prof-only-functions`); BENCH_MATCHMAKING_MS
 * runs the lobby's matchmaking service beside the route (bench/lobby-server.ts). `--perf DIR`
 * records each server's measured batches with `perf record -e cpu-clock -g` to DIR/<name>.data.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { LobbyBenchServerInfo } from './lobby-server.ts';
import { cpuMicros } from './proc-cpu.ts';
import { ticketCreations } from './ticket-requests.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    batch: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '10000' },
    seeded: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '50' },
    server: { type: 'string', multiple: true, default: [] },
    perf: { type: 'string' },
  },
});

interface Spec {
  readonly name: string;
  readonly root: string;
  readonly mode: 'floor' | 'lobby';
  readonly env: Record<string, string>;
}

function parseSpec(text: string): Spec {
  const at = text.indexOf('=');
  const name = text.slice(0, at);
  const [root, mode, ...envParts] = text.slice(at + 1).split(':');
  const envText = envParts.join(':');
  if (at < 1 || !root || (mode !== 'floor' && mode !== 'lobby')) throw new Error(`bad --server ${text}`);
  const env = Object.fromEntries(
    envText
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const at = kv.indexOf('=');
        return [kv.slice(0, at), kv.slice(at + 1)] as [string, string];
      }),
  );
  return { name, root: resolvePath(root), mode, env };
}

const specs = (args.server ?? []).map(parseSpec);
if (specs.length < 2) throw new Error('give at least two --server');
const rounds = Number(args.rounds);
const batch = Number(args.batch);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

interface Running {
  readonly spec: Spec;
  readonly child: ChildProcess;
  readonly info: LobbyBenchServerInfo;
  /** Ticket tokens spent so far. */
  spent: number;
  readonly cpu: number[];
  readonly rps: number[];
  readonly p99: number[];
}

async function start(spec: Spec): Promise<Running> {
  const flags = (spec.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const tickets = spec.mode === 'lobby' ? rounds * batch : 0;
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--experimental-strip-types',
      '--no-warnings',
      ...flags,
      'bench/lobby-server.ts',
      spec.mode,
      args.seeded ?? '2000',
      String(tickets),
      String(spec.mode === 'lobby' ? warmup : 0),
    ],
    { cwd: spec.root, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...spec.env } },
  );
  const lines = createInterface({ input: child.stdout! });
  // The server's JSON line; whatever V8 traces (--trace-opt) is skipped.
  const line = await new Promise<string>((resolve, reject) => {
    const first = (l: string) => {
      if (!l.startsWith('{"url"')) return;
      lines.off('line', first);
      resolve(l);
    };
    lines.on('line', first);
    child.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}`)));
  });
  return { spec, child, info: JSON.parse(line) as LobbyBenchServerInfo, spent: 0, cpu: [], rps: [], p99: [] };
}

/** `amount` requests to `server`: its floor POST, or ticket creations with its next tokens. */
function options(server: Running, tokens: readonly string[], amount: number): autocannon.Options {
  const { url } = server.info;
  if (server.spec.mode === 'floor') {
    return {
      url: `${url}/v1/auth/guest`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench player' }),
      connections,
      amount,
    };
  }
  return { ...ticketCreations(url, tokens.slice(0, amount)), connections };
}

interface Batch {
  readonly cpuUs: number;
  readonly rps: number;
  readonly p99Ms: number;
}

async function run(server: Running, tokens: readonly string[], amount: number): Promise<Batch> {
  const before = cpuMicros(server.child.pid) ?? 0;
  const startedAt = performance.now();
  let lastAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options(server, tokens, amount), (err, done) =>
      err ? reject(err as Error) : resolve(done),
    );
    instance.on('response', () => {
      lastAt = performance.now();
    });
  });
  const used = (cpuMicros(server.child.pid) ?? 0) - before;
  const answered = result.requests.total;
  if (result.non2xx + result.errors > 0) {
    console.error(`${server.spec.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return {
    cpuUs: used / Math.max(1, answered),
    rps: (answered * 1000) / Math.max(1, lastAt - startedAt),
    p99Ms: result.latency.p99,
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const servers: Running[] = [];
for (const spec of specs) servers.push(await start(spec));
for (const server of servers) {
  const warm = await run(server, server.info.warmupTokens, warmup);
  console.error(`${server.spec.name}: warm-up ${warmup} requests, ${warm.cpuUs.toFixed(0)} us/req`);
}
const perf = args.perf
  ? servers.map((s) =>
      spawn(
        'perf',
        [
          'record',
          '-e',
          'cpu-clock',
          '-g',
          '-o',
          join(args.perf ?? '.', `${s.spec.name}.data`),
          '-p',
          String(s.child.pid),
        ],
        { stdio: 'ignore' },
      ),
    )
  : [];
for (let round = 0; round < rounds; round++) {
  const line: string[] = [];
  for (let i = 0; i < servers.length; i++) {
    const server = servers[(i + round) % servers.length] as Running;
    const tokens = server.info.ticketTokens.slice(server.spent, server.spent + batch);
    server.spent += batch;
    const b = await run(server, tokens, batch);
    server.cpu.push(b.cpuUs);
    server.rps.push(b.rps);
    server.p99.push(b.p99Ms);
    line.push(`${server.spec.name} ${b.cpuUs.toFixed(0)} us ${b.rps.toFixed(0)} req/s`);
  }
  console.error(`round ${round + 1}: ${line.join(' | ')}`);
}
await Promise.all(
  perf.map((p) => {
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGINT');
    return exited;
  }),
);
const [first] = servers as [Running];
console.log(
  `tickets: ${rounds} rounds of ${batch} requests after ${warmup} warm-up ones, ${connections} connections`,
);
console.log(
  '| server | CPU us/req (median) | min-max | req/s (median) | p99 ms (median) | CPU vs first | req/s vs first |',
);
console.log('|---|---|---|---|---|---|---|');
for (const s of servers) {
  const cpu = median(s.cpu);
  const rps = median(s.rps);
  console.log(
    `| ${s.spec.name} | ${cpu.toFixed(0)} | ${Math.min(...s.cpu).toFixed(0)}-${Math.max(...s.cpu).toFixed(0)} | ${Math.round(rps)} | ${median(s.p99)} | ${(cpu / median(first.cpu)).toFixed(2)}x | ${(rps / median(first.rps)).toFixed(2)}x |`,
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
