import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Store } from '../types.ts';
import { CONTRACT_BOARDS, readAllPages, type StoreFactory, TestClock } from './harness.ts';

interface Step {
  readonly playerId: string;
  readonly score: number;
  /** Keys come from a small pool, so retried reports (duplicate keys) happen often. */
  readonly key: number;
}

/** Submissions sent together with `submitAll`, after `wait` ms; a poisoned batch is refused whole. */
interface Batch {
  readonly steps: readonly Step[];
  /** Milliseconds before this batch; 0 makes same-millisecond ties. */
  readonly wait: number;
  /** Carries one invalid submission (a NaN score on another board), so none of it may count. */
  readonly poisoned: boolean;
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
});
const wait = fc.constantFrom(0, 0, 1, 2);
/** One submission at a time, as `submit` sends them. */
const singles: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({ steps: step.map((s) => [s]), wait, poisoned: fc.constant(false) }),
  { maxLength: 60 },
);
/** Match-sized batches, some poisoned. */
const batches: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({
    steps: fc.array(step, { maxLength: 6 }),
    wait,
    poisoned: fc.constantFrom(false, false, false, true),
  }),
  { maxLength: 20 },
);

/** The reference: a 'best' desc board, sorted by (score desc, first time achieved asc, player id asc). */
function modelTop(batches: readonly Batch[]): ModelRecord[] {
  const seen = new Set<number>();
  const records = new Map<string, ModelRecord>();
  let now = 0;
  for (const batch of batches) {
    now += batch.wait;
    if (batch.poisoned) continue;
    for (const s of batch.steps) {
      if (seen.has(s.key)) continue;
      seen.add(s.key);
      const record = records.get(s.playerId);
      if (!record) records.set(s.playerId, { playerId: s.playerId, score: s.score, firstAchieved: now });
      else if (s.score > record.score) Object.assign(record, { score: s.score, firstAchieved: now });
    }
  }
  return [...records.values()].sort(
    (x, y) =>
      y.score - x.score ||
      x.firstAchieved - y.firstAchieved ||
      (x.playerId < y.playerId ? -1 : x.playerId > y.playerId ? 1 : 0),
  );
}

/** Send one batch the way the model says it was sent. */
async function send(store: Store, batch: Batch): Promise<void> {
  const submissions = batch.steps.map((s) => ({
    boardId: 'points',
    playerId: s.playerId,
    name: s.playerId.toUpperCase(),
    score: s.score,
    key: `match-${s.key}`,
  }));
  if (batch.steps.length === 1 && !batch.poisoned) {
    await store.leaderboards.submit(submissions[0]!);
    return;
  }
  if (!batch.poisoned) {
    await store.leaderboards.submitAll(submissions);
    return;
  }
  const poison = { boardId: 'wins', playerId: 'a', name: 'A', score: Number.NaN, key: 'poison' };
  const at = batch.steps.length === 0 ? 0 : batch.steps[0]!.key % (batch.steps.length + 1);
  await expect(store.leaderboards.submitAll(submissions.toSpliced(at, 0, poison))).rejects.toThrow();
}

/** The fast-check property: any submission sequence reads back exactly as the reference model. */
export function describeModel(factory: StoreFactory): void {
  const property = (arbitrary: fc.Arbitrary<Batch[]>) =>
    fc.asyncProperty(arbitrary, fc.integer({ min: 1, max: 4 }), async (sent, limit) => {
      const clock = new TestClock();
      const start = clock.ms;
      const store = await factory({ boards: CONTRACT_BOARDS, now: clock.now });
      try {
        for (const [i, batch] of sent.entries()) {
          clock.tick(batch.wait);
          await send(store, batch);
          // Reads between writes: whatever a store keeps in memory must follow every write.
          const soFar = modelTop(sent.slice(0, i + 1));
          for (const s of batch.steps) {
            const at = soFar.findIndex((r) => r.playerId === s.playerId);
            expect((await store.leaderboards.rank('points', s.playerId))?.rank).toBe(
              at === -1 ? undefined : at + 1,
            );
          }
          const first = await store.leaderboards.top('points', { limit });
          expect(first.records.map((r) => r.playerId)).toEqual(soFar.slice(0, limit).map((r) => r.playerId));
        }
        const expected = modelTop(sent).map((r, i) => ({
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
        // A poisoned batch wrote nothing anywhere, its valid part included.
        expect((await store.leaderboards.top('wins')).records).toEqual([]);
      } finally {
        await store.close();
      }
    });

  describe('reference model', () => {
    test('a best desc board read through top pages equals the reference model', async () => {
      await fc.assert(property(singles), { numRuns: 60 });
    });

    test('batches (submitAll) read back as the model; a poisoned batch counts for nothing', async () => {
      await fc.assert(property(batches), { numRuns: 60 });
    });
  });
}
