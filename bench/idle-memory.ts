/**
 * What a game node costs in memory before any player joins: RSS after loading each part in turn
 * (Node and this script, then the libraries, then the node itself, then a started node with no
 * rooms). Part of the memory breakdown in BENCHMARKS.md; numbers vary a little with the allocator.
 *
 *   node --expose-gc --max-semi-space-size=8 bench/idle-memory.ts            # from the .ts sources
 *   node --expose-gc --max-semi-space-size=8 bench/idle-memory.ts --bundle   # as npm start runs
 *
 * `--bundle` bundles this script as `npm start` bundles the node (server/bundle.ts, into
 * dist/bench-idle/) and runs that with the same Node flags, so no step loads the TypeScript stripper.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';

if (process.argv.includes('--bundle')) {
  const { bundleServer, ROOT } = await import('../server/bundle.ts');
  const outdir = join(ROOT, 'dist', 'bench-idle');
  await bundleServer(outdir, { 'idle-memory': 'bench/idle-memory.ts' });
  const run = spawnSync(process.execPath, [...process.execArgv, join(outdir, 'idle-memory.js')], {
    stdio: 'inherit',
  });
  process.exit(run.status ?? 1);
}

const mib = (bytes: number) => Math.round(bytes / 104857.6) / 10;
const rows: [string, number, number][] = [];
let last = process.memoryUsage().rss;
const stripping = import.meta.url.endsWith('.ts') ? 'with type stripping' : 'bundled, no type stripping';
rows.push([`node and this script (${stripping})`, mib(last), mib(last)]);

async function step(label: string, load: () => Promise<unknown>): Promise<void> {
  await load();
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  rows.push([label, mib(rss - last), mib(rss)]);
  last = rss;
}

await step('prom-client', () => import('prom-client'));
await step('ajv (+ formats) and the compiled schemas', () => import('../server/validation.ts'));
await step('jose', () => import('jose'));
await step('msgpackr', () => import('msgpackr'));
await step('uWebSockets.js addon', async () =>
  (await import('../server/game/transport/uws-addon.ts')).loadUws(),
);
await step('node:sqlite (match outbox)', () => import('node:sqlite'));
let started: { stop(): Promise<void> } | undefined;
await step('game node modules and the arena', async () => {
  await import('../server/game/game-node.ts');
  await import('../server/games/arena/index.ts');
});
await step('a started node, no rooms (default metrics on)', async () => {
  const { GameNode } = await import('../server/game/game-node.ts');
  const { SeatTokens } = await import('../server/game/seat-token.ts');
  const { arena } = await import('../server/games/arena/index.ts');
  const { loadConfig } = await import('../server/config.ts');
  started = await GameNode.start({
    config: { ...loadConfig({}).game, host: '127.0.0.1', port: 0 },
    log: pino({ level: 'silent' }),
    tokens: new SeatTokens({ secret: randomBytes(32) }),
    rooms: [arena],
  });
});
console.log('| loaded | + RSS MiB | RSS MiB |\n|---|---|---|');
for (const [label, added, total] of rows) console.log(`| ${label} | ${added} | ${total} |`);
const heap = process.memoryUsage();
console.log(
  `\nheap used ${mib(heap.heapUsed)} MiB of ${mib(heap.heapTotal)} committed; external ${mib(heap.external)} MiB`,
);
await started?.stop();
process.exit(0);
