/**
 * Leaderboard requests on the Redis store as a board grows: a score submission, the top 10, a
 * cursor page from the middle of the board, 10 records around a player in the middle and that
 * player's rank, each timed over many sequential calls (one round trip each) at several board sizes.
 * Per-call times that stay flat from a thousand records to a million are the O(log n) of
 * docs/ARCHITECTURE.md, measured. The board is filled with `submitAll` batches of 1,000.
 *
 *   node --experimental-strip-types bench/leaderboard-redis.ts [--sizes 1000,100000,1000000]
 *     [--calls 2000] [--url redis://127.0.0.1:6390]
 *
 * Without --url it starts a private redis-server (as the tests do) and stops it afterwards.
 */
import { parseArgs } from 'node:util';
import { encodeCursor } from '../server/store/cursor.ts';
import { openRedisStore } from '../server/store/redis/index.ts';
import type { LeaderboardStore, ScoreSubmission } from '../server/store/types.ts';
import { startRedisServer } from '../test/support/redis-server.ts';

const BOARD = 'points';
const BATCH = 1000;

interface Timing {
  readonly meanUs: number;
  readonly p99Us: number;
}

async function time(calls: number, call: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(200, calls); i++) await call(i);
  const took: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    took.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  took.sort((a, b) => a - b);
  const mean = took.reduce((sum, us) => sum + us, 0) / took.length;
  return { meanUs: Math.round(mean), p99Us: Math.round(took[Math.floor(took.length * 0.99)] ?? 0) };
}

/** Scores from a fixed sequence (many ties), so runs compare. */
const scoreOf = (i: number): number => (i * 7919) % 100_003;

async function fill(boards: LeaderboardStore, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += BATCH) {
    const batch: ScoreSubmission[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      batch.push({ boardId: BOARD, playerId: `p${i}`, name: `Player ${i}`, score: scoreOf(i), key: `k${i}` });
    }
    await boards.submitAll(batch);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,100000,1000000' },
      calls: { type: 'string', default: '2000' },
      url: { type: 'string' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const calls = Number(values.calls);
  const server = values.url === undefined ? await startRedisServer() : undefined;
  let now = Date.UTC(2026, 10, 18, 12);
  const store = await openRedisStore({
    url: values.url ?? server!.url,
    prefix: `bench-${process.pid}`,
    boards: [{ id: BOARD, sort: 'desc', operator: 'best', reset: 'never' }],
    now: () => now++,
  });
  const boards = store.leaderboards;
  try {
    console.log('records    op           mean us   p99 us');
    let filled = 0;
    for (const size of sizes) {
      const started = performance.now();
      await fill(boards, filled, size);
      const perRecordUs = ((performance.now() - started) * 1000) / (size - filled);
      console.log(
        `${String(size).padEnd(10)} fill         ${String(Math.round(perRecordUs)).padStart(7)}          (per record, in batches of ${BATCH})`,
      );
      filled = size;
      const middle = `p${Math.floor(size / 2)}`;
      // The cursor `top` would hand out after the middle player's record.
      const [at] = (await boards.around(BOARD, middle, { limit: 1 })).records;
      if (!at) throw new Error(`${middle} has no record`);
      const cursor = encodeCursor({ boardId: BOARD, period: 'all', ...at });
      const ops: [string, (i: number) => Promise<unknown>][] = [
        ['top-10', () => boards.top(BOARD, { limit: 10 })],
        ['page-10', () => boards.top(BOARD, { limit: 10, cursor })],
        ['around-10', () => boards.around(BOARD, middle, { limit: 10 })],
        ['rank', () => boards.rank(BOARD, middle)],
        [
          'submit',
          (i) =>
            boards.submit({
              boardId: BOARD,
              playerId: `q${i % 5000}`,
              name: 'Q',
              score: scoreOf(i),
              key: `b${size}:${i}`,
            }),
        ],
      ];
      for (const [name, call] of ops) {
        const { meanUs, p99Us } = await time(calls, call);
        console.log(
          `${String(size).padEnd(10)} ${name.padEnd(12)} ${String(meanUs).padStart(7)} ${String(p99Us).padStart(8)}`,
        );
      }
    }
  } finally {
    await store.close();
    await server?.stop();
  }
}

await main();
