import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CONTRACT_BOARDS, readAllPages, type StoreFactory, TestClock } from './harness.ts';

interface Step {
  readonly playerId: string;
  readonly score: number;
  /** Keys come from a small pool, so retried reports (duplicate keys) happen often. */
  readonly key: number;
  /** Milliseconds before this submission; 0 makes same-millisecond ties. */
  readonly wait: number;
}

interface ModelRecord {
  readonly playerId: string;
  score: number;
  firstAchieved: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  playerId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
  score: fc.integer({ min: -3, max: 6 }),
  key: fc.nat({ max: 40 }),
  wait: fc.constantFrom(0, 0, 1, 2),
});

/** The reference: a 'best' desc board, sorted by (score desc, first time achieved asc, player id asc). */
function modelTop(steps: readonly Step[]): ModelRecord[] {
  const seen = new Set<number>();
  const records = new Map<string, ModelRecord>();
  let now = 0;
  for (const s of steps) {
    now += s.wait;
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    const record = records.get(s.playerId);
    if (!record) records.set(s.playerId, { playerId: s.playerId, score: s.score, firstAchieved: now });
    else if (s.score > record.score) Object.assign(record, { score: s.score, firstAchieved: now });
  }
  return [...records.values()].sort(
    (x, y) =>
      y.score - x.score ||
      x.firstAchieved - y.firstAchieved ||
      (x.playerId < y.playerId ? -1 : x.playerId > y.playerId ? 1 : 0),
  );
}

/** The fast-check property: any submission sequence reads back exactly as the reference model. */
export function describeModel(factory: StoreFactory): void {
  describe('reference model', () => {
    test('a best desc board read through top pages equals the reference model', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { maxLength: 60 }),
          fc.integer({ min: 1, max: 4 }),
          async (steps, limit) => {
            const clock = new TestClock();
            const start = clock.ms;
            const store = await factory({ boards: CONTRACT_BOARDS, now: clock.now });
            try {
              for (const [i, s] of steps.entries()) {
                clock.tick(s.wait);
                await store.leaderboards.submit({
                  boardId: 'points',
                  playerId: s.playerId,
                  name: s.playerId.toUpperCase(),
                  score: s.score,
                  key: `match-${s.key}`,
                });
                // Reads between writes: whatever a store keeps in memory must follow every write.
                const soFar = modelTop(steps.slice(0, i + 1));
                const at = soFar.findIndex((r) => r.playerId === s.playerId);
                expect((await store.leaderboards.rank('points', s.playerId))?.rank).toBe(
                  at === -1 ? undefined : at + 1,
                );
                const first = await store.leaderboards.top('points', { limit });
                expect(first.records.map((r) => r.playerId)).toEqual(
                  soFar.slice(0, limit).map((r) => r.playerId),
                );
              }
              const expected = modelTop(steps).map((r, i) => ({
                playerId: r.playerId,
                name: r.playerId.toUpperCase(),
                score: r.score,
                rank: i + 1,
                updatedAt: start + r.firstAchieved,
              }));
              const { records } = await readAllPages(store.leaderboards, 'points', limit);
              expect(records).toEqual(expected);
              for (const record of expected) {
                expect(await store.leaderboards.rank('points', record.playerId)).toEqual(record);
              }
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
