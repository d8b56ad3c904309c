import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { compareText } from '../embedded/rank-index.ts';
import type { BoardConfig } from '../types.ts';
import { openRedisStore } from './index.ts';
import { rankingMember, scoreKey, timeFromKey, timeKey } from './rank-order.ts';

/** Any finite double, the edges of the range weighted in. */
const finite = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    2 ** 53 + 2,
  ),
  fc.integer({ min: -5, max: 5 }),
);
const time = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const bytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

test('score keys sort exactly as the doubles they encode, -0 with 0', () => {
  fc.assert(
    fc.property(finite, finite, (a, b) => {
      expect(Math.sign(bytes(scoreKey(a), scoreKey(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
    }),
    { numRuns: 2000 },
  );
  expect(scoreKey(-0)).toBe(scoreKey(0));
});

test('time keys sort as the safe integers they encode and decode back', () => {
  fc.assert(
    fc.property(time, time, (a, b) => {
      expect(Math.sign(bytes(timeKey(a), timeKey(b)))).toBe(Math.sign(a - b));
      expect(timeFromKey(timeKey(a))).toBe(a);
    }),
    { numRuns: 2000 },
  );
});

test('members sort as (rank score, time, player id in code point order), as the embedded store ranks', () => {
  const key = fc.record({ score: finite, at: time, id: fc.string({ unit: 'grapheme', maxLength: 4 }) });
  fc.assert(
    fc.property(key, key, (a, b) => {
      const expected =
        a.score !== b.score
          ? a.score < b.score
            ? -1
            : 1
          : a.at !== b.at
            ? Math.sign(a.at - b.at)
            : compareText(a.id, b.id);
      // Redis compares members as UTF-8 bytes.
      const members = [a, b].map((k) => Buffer.from(rankingMember(k.score, k.at, k.id)));
      expect(Math.sign(Buffer.compare(members[0]!, members[1]!))).toBe(Math.sign(expected));
    }),
    { numRuns: 2000 },
  );
});

describe.skipIf(skipRedis())('rank order on Redis', () => {
  const redis = useRedisServer();

  test('Lua computes the same score keys as TypeScript, and reads scores back exactly', async () => {
    const include = readFileSync(new URL('./scripts/includes/records.lua', import.meta.url), 'utf8');
    const lua = `#!lua flags=no-writes\n${include}\nlocal out = {}\nfor i, s in ipairs(ARGV) do out[i] = scoreKey(tonumber(s)) .. ' ' .. scoreText(tonumber(s)) end\nreturn out`;
    await fc.assert(
      fc.asyncProperty(fc.array(finite, { minLength: 1, maxLength: 50 }), async (scores) => {
        const answers = (await redis.admin.eval(lua, 0, ...scores.map(String))) as string[];
        expect(answers.map((a) => a.split(' ')[0])).toEqual(scores.map(scoreKey));
        expect(answers.map((a) => Number(a.split(' ')[1]))).toEqual(scores.map((s) => s + 0));
      }),
      { numRuns: 100 },
    );
  });

  test('any finite scores rank and read back exactly, on desc and asc boards', async () => {
    const boards: BoardConfig[] = [
      { id: 'high', sort: 'desc', operator: 'set', reset: 'never' },
      { id: 'low', sort: 'asc', operator: 'set', reset: 'never' },
    ];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(finite, { minLength: 1, maxLength: 30 }), async (scores) => {
        const clock = Date.UTC(2026, 10, 18);
        const store = await openRedisStore({
          url: redis.server.url,
          prefix: `exact-${++run}`,
          boards,
          now: () => clock,
        });
        try {
          const players = scores.map((_, i) => `p${String(i).padStart(2, '0')}`);
          await store.leaderboards.submitAll(
            boards.flatMap((board) =>
              scores.map((score, i) => ({
                boardId: board.id,
                playerId: players[i]!,
                name: 'N',
                score,
                key: `k${i}`,
              })),
            ),
          );
          // Equal scores (all submitted in one millisecond) fall back to the player id.
          const order = (sign: number) =>
            scores
              .map((score, i) => ({ score: score + 0, playerId: players[i]! }))
              .sort((a, b) =>
                a.score !== b.score
                  ? sign * (a.score - b.score) > 0
                    ? 1
                    : -1
                  : a.playerId < b.playerId
                    ? -1
                    : 1,
              );
          for (const [board, sign] of [
            ['high', -1],
            ['low', 1],
          ] as const) {
            const page = await store.leaderboards.top(board, { limit: 100 });
            expect(page.records.map((r) => [r.playerId, r.score])).toEqual(
              order(sign).map((r) => [r.playerId, r.score]),
            );
            const last = page.records.at(-1)!;
            expect(await store.leaderboards.rank(board, last.playerId)).toEqual(last);
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
