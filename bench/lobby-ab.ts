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
import { execFileSync } from 'node:child_process';
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

const specs = (args.server ?? []).map(parseServerSpec);
if (specs.length < 2) throw new Error('give at least two --server');
const connections = Number(args.connections);
const batch = Number(args.batch);
execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

type Running = RunningServer;

async function start(spec: ServerSpec): Promise<Running> {
  const { child, info } = await startServer(spec, [args.seeded ?? '2000', '0', '0']);
  return { spec, child, info, name: spec.name, cpu: [], rps: [], p99: [] };
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

const servers: Running[] = [];
for (const spec of specs) servers.push(await start(spec));
for (const server of servers) await autocannon(options(server, 2)); // JIT warm-up
const rounds = Number(args.rounds);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < servers.length; i++) {
    const server = servers[(i + round) % servers.length]!;
    const before = cpuMicros(server.child.pid) ?? 0;
    const result = await autocannon(options(server, batch));
    const used = (cpuMicros(server.child.pid) ?? 0) - before;
    const answered = result.requests.total;
    if (result.non2xx + result.errors > 0) console.error(`${server.spec.name}: ${result.non2xx} non-2xx`);
    server.cpu.push(used / answered);
    server.rps.push(answered / batch);
    server.p99.push(result.latency.p99);
  }
}
console.log(`route ${args.route}, ${rounds} rounds of ${batch} s each, ${connections} connections`);
for (const line of abTable(servers)) console.log(line);
await stopServers(servers.map((s) => s.child));
