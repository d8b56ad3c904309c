/**
 * The matcher's promises for any queue, rules and time: no ticket twice, sizes within the mode's
 * bounds, windows that share a point at `now`, partial matches only after the fill wait, the same
 * answer whatever order the queue comes in, and no full set of unrated solos left waiting.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formMatches, isMatchable, type MatchRules, type QueuedTicket, skillWindow } from './matcher.ts';

/** A window size: often on a 25-point grid (so windows touch exactly), sometimes anything. */
const windowArb = fc.oneof(fc.constantFrom(0, 25, 50, 100, 200), fc.integer({ min: 0, max: 400 }));

const rulesArb: fc.Arbitrary<MatchRules> = fc
  .record({
    maxPlayers: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 11, max: 16 })),
    // The boundaries (exactly 1, exactly maxPlayers) as often as anything between.
    minKind: fc.constantFrom('one', 'max', 'fraction'),
    minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    fillWaitMs: fc.oneof(fc.constantFrom(0, 1000, 5000, 30_000), fc.integer({ min: 0, max: 60_000 })),
    initialWindow: windowArb,
    widenPerSecond: fc.oneof(fc.constantFrom(0, 1, 10, 100), fc.double({ min: 0, max: 50, noNaN: true })),
    maxWindow: windowArb,
  })
  .map(({ maxPlayers, minKind, minFraction, fillWaitMs, initialWindow, widenPerSecond, maxWindow }) => ({
    maxPlayers,
    minPlayers:
      minKind === 'one'
        ? 1
        : minKind === 'max'
          ? maxPlayers
          : Math.max(1, Math.round(minFraction * maxPlayers)),
    fillWaitMs,
    skill: { initialWindow, widenPerSecond, maxWindow },
  }));

/** Queue times around a realistic epoch, so window and wait arithmetic runs at real magnitudes. */
const T0 = 1.7e12;

/** Tickets without ids; ids are given by position, so they are unique. */
const ticketArb = fc.record({
  // Sometimes bigger than any generated maxPlayers allows, to exercise ignoring them.
  size: fc.oneof(
    { weight: 5, arbitrary: fc.constant(1) },
    { weight: 3, arbitrary: fc.integer({ min: 2, max: 6 }) },
    { weight: 1, arbitrary: fc.integer({ min: 7, max: 18 }) },
  ),
  // On a 25-point grid half the time: with grid windows, neighbours touch at exactly one point.
  rating: fc.option(
    fc.oneof(
      fc.integer({ min: 40, max: 56 }).map((k) => k * 25),
      fc.integer({ min: 1000, max: 2000 }),
    ),
    { nil: undefined, freq: 5 },
  ),
  // A small pool of times, so equal enqueuedAt (ties broken by id) happens often.
  enqueuedAt: fc
    .oneof(fc.constantFrom(0, 1000, 1000, 5000), fc.integer({ min: 0, max: 60_000 }))
    .map((ms) => T0 + ms),
});

/** Mostly small queues, a fifth of them in the hundreds (a busy mode at peak). */
const queueArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(ticketArb, { maxLength: 60 }) },
    { weight: 1, arbitrary: fc.array(ticketArb, { minLength: 100, maxLength: 400 }) },
  )
  .map((tickets) => tickets.map((t, i): QueuedTicket => ({ id: `t${String(i).padStart(3, '0')}`, ...t })));

/** Sometimes before the newest ticket, usually after all of them. */
const nowArb = fc.integer({ min: 0, max: 120_000 }).map((ms) => T0 + ms);

describe('formMatches properties', () => {
  test('every match is valid: no ticket twice, sizes in bounds, windows intersect, fill wait kept', () => {
    fc.assert(
      fc.property(queueArb, rulesArb, nowArb, (queue, rules, now) => {
        const byId = new Map(queue.map((t) => [t.id, t]));
        const used = new Set<string>();
        for (const match of formMatches(queue, rules, now)) {
          const tickets = match.ticketIds.map((id) => byId.get(id)!);
          expect(tickets.every((t) => t !== undefined && isMatchable(t, rules))).toBe(true);
          for (const id of match.ticketIds) {
            expect(used.has(id)).toBe(false);
            used.add(id);
          }
          const players = tickets.reduce((sum, t) => sum + t.size, 0);
          expect(match.players).toBe(players);
          expect(players).toBeGreaterThanOrEqual(rules.minPlayers);
          expect(players).toBeLessThanOrEqual(rules.maxPlayers);

          let low = Number.NEGATIVE_INFINITY;
          let high = Number.POSITIVE_INFINITY;
          for (const t of tickets) {
            if (t.rating === undefined) continue;
            const w = skillWindow(t, rules, now);
            low = Math.max(low, t.rating - w);
            high = Math.min(high, t.rating + w);
          }
          expect(low).toBeLessThanOrEqual(high);

          // Oldest first, by (enqueuedAt, id).
          for (let k = 1; k < tickets.length; k++) {
            const [a, b] = [tickets[k - 1]!, tickets[k]!];
            expect(a.enqueuedAt < b.enqueuedAt || (a.enqueuedAt === b.enqueuedAt && a.id < b.id)).toBe(true);
          }
          if (players < rules.maxPlayers)
            expect(now - tickets[0]!.enqueuedAt).toBeGreaterThanOrEqual(rules.fillWaitMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('the same matches whatever order the queue comes in', () => {
    fc.assert(
      fc.property(
        queueArb.chain((queue) =>
          fc.tuple(fc.constant(queue), fc.shuffledSubarray(queue, { minLength: queue.length })),
        ),
        rulesArb,
        nowArb,
        ([queue, shuffled], rules, now) => {
          expect(formMatches(shuffled, rules, now)).toEqual(formMatches(queue, rules, now));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('maxPlayers unrated solos never all wait: at least one match forms', () => {
    fc.assert(
      fc.property(
        queueArb,
        rulesArb,
        nowArb,
        // At least 16 solos: maxPlayers is at most 16.
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 16, maxLength: 24 }),
        (others, rules, now, times) => {
          const solos = times.map(
            (enqueuedAt, i): QueuedTicket => ({
              id: `s${i}`,
              size: 1,
              rating: undefined,
              enqueuedAt: T0 + enqueuedAt,
            }),
          );
          const matches = formMatches([...others, ...solos], rules, now);
          expect(matches.length).toBeGreaterThanOrEqual(1);
          expect(matches.some((m) => m.players === rules.maxPlayers)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('with two-player matches, no two solos that fit together are left waiting', () => {
    // Maximality where packing cannot be the excuse: every waiting solo was some anchor's partner.
    const rules: MatchRules = {
      minPlayers: 2,
      maxPlayers: 2,
      fillWaitMs: 0,
      skill: { initialWindow: 50, widenPerSecond: 0, maxWindow: 50 },
    };
    fc.assert(
      fc.property(queueArb, nowArb, (queue, now) => {
        const placed = new Set(formMatches(queue, rules, now).flatMap((m) => m.ticketIds));
        const solos = queue.filter((t) => t.size === 1 && !placed.has(t.id));
        const unrated = solos.filter((t) => t.rating === undefined);
        // An unrated solo fits anyone, so it waits only when it is the last solo.
        if (unrated.length > 0) expect(solos.length).toBe(1);
        // Rated solos fit when their ±50 windows overlap: ratings at most 100 apart.
        const ratings = solos.map((t) => t.rating).filter((r) => r !== undefined);
        ratings.sort((a, b) => a - b);
        for (let k = 1; k < ratings.length; k++) expect(ratings[k]! - ratings[k - 1]!).toBeGreaterThan(100);
      }),
      { numRuns: 300 },
    );
  });
});
