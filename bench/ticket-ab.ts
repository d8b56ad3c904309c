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
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  abTable,
  parseServerSpec,
  type RunningServer,
  type ServerSpec,
  startServer,
  stopServers,
} from './ab-servers.ts';
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

const specs = (args.server ?? []).map(parseServerSpec);
if (specs.length < 2) throw new Error('give at least two --server');
const rounds = Number(args.rounds);
const batch = Number(args.batch);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

interface Running extends RunningServer {
  /** Ticket tokens spent so far. */
  spent: number;
}

async function start(spec: ServerSpec): Promise<Running> {
  const lobby = spec.mode === 'lobby';
  const { child, info } = await startServer(spec, [
    args.seeded ?? '2000',
    String(lobby ? rounds * batch : 0),
    String(lobby ? warmup : 0),
  ]);
  return { spec, child, info, name: spec.name, spent: 0, cpu: [], rps: [], p99: [] };
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
console.log(
  `tickets: ${rounds} rounds of ${batch} requests after ${warmup} warm-up ones, ${connections} connections`,
);
for (const line of abTable(servers)) console.log(line);
await stopServers(servers.map((s) => s.child));
