import { describe, expect, test } from 'vitest';
import { formMatches, isMatchable, type MatchRules, type QueuedTicket, skillWindow } from './matcher.ts';

const T0 = 1_000_000;

/** Rules with the skill window fixed at ±100 unless a test widens it. */
function rules(
  overrides: Partial<Omit<MatchRules, 'skill'>> & Partial<MatchRules['skill']> = {},
): MatchRules {
  return {
    minPlayers: overrides.minPlayers ?? 2,
    maxPlayers: overrides.maxPlayers ?? 2,
    fillWaitMs: overrides.fillWaitMs ?? 10_000,
    skill: {
      initialWindow: overrides.initialWindow ?? 100,
      widenPerSecond: overrides.widenPerSecond ?? 0,
      maxWindow: overrides.maxWindow ?? 1000,
    },
  };
}

function ticket(id: string, rating: number | undefined, options: { size?: number; at?: number } = {}) {
  return { id, rating, size: options.size ?? 1, enqueuedAt: options.at ?? T0 } satisfies QueuedTicket;
}

const ids = (queue: readonly QueuedTicket[], r: MatchRules, now: number) =>
  formMatches(queue, r, now).map((m) => m.ticketIds);

describe('skillWindow', () => {
  const r = rules({ initialWindow: 50, widenPerSecond: 10, maxWindow: 200 });

  test('starts at the initial half-width, widens per second waited, stops at the maximum', () => {
    const t = ticket('a', 1500);
    expect(skillWindow(t, r, T0)).toBe(50);
    expect(skillWindow(t, r, T0 + 2500)).toBe(75);
    expect(skillWindow(t, r, T0 + 15_000)).toBe(200);
    expect(skillWindow(t, r, T0 + 3_600_000)).toBe(200);
  });

  test('a ticket stamped after now counts as just queued', () => {
    expect(skillWindow(ticket('a', 1500, { at: T0 + 5000 }), r, T0)).toBe(50);
  });
});

describe('formMatches', () => {
  test('tickets whose windows overlap match; tickets whose windows do not, wait', () => {
    const r = rules();
    expect(ids([ticket('a', 1500), ticket('b', 1690)], r, T0)).toEqual([['a', 'b']]);
    expect(ids([ticket('a', 1500), ticket('b', 1710)], r, T0)).toEqual([]);
  });

  test('windows widen with waiting time (injected now)', () => {
    const r = rules({ initialWindow: 50, widenPerSecond: 10, maxWindow: 400 });
    const queue = [ticket('a', 1500), ticket('b', 1700)];
    // Half-widths: 50 + 10/s each; they meet in the middle once each reaches 100, after 5 s.
    expect(ids(queue, r, T0)).toEqual([]);
    expect(ids(queue, r, T0 + 4999)).toEqual([]);
    expect(ids(queue, r, T0 + 5000)).toEqual([['a', 'b']]);
  });

  test('every rated window must share a point, not only overlap the anchor', () => {
    const r = rules({ initialWindow: 50, maxPlayers: 3, minPlayers: 3 });
    // a overlaps b and c, but b [1040, 1140] and c [860, 960] do not overlap.
    const queue = [ticket('a', 1000), ticket('b', 1090, { at: T0 + 1 }), ticket('c', 910, { at: T0 + 2 })];
    expect(ids(queue, r, T0 + 60_000)).toEqual([]);
    const pairs = rules({ initialWindow: 50, maxPlayers: 3, minPlayers: 2, fillWaitMs: 0 });
    expect(ids(queue, pairs, T0)).toEqual([['a', 'b']]);
  });

  test('unrated tickets fit any window', () => {
    const r = rules({ maxPlayers: 3, minPlayers: 3 });
    const queue = [
      ticket('a', 100, { at: T0 }),
      ticket('u', undefined, { at: T0 + 1 }),
      ticket('b', 250, { at: T0 + 2 }),
    ];
    expect(ids(queue, r, T0 + 2)).toEqual([['a', 'u', 'b']]);
    // An unrated anchor takes unrated tickets first, then any rated one.
    const unrated = [
      ticket('u', undefined),
      ticket('v', undefined, { at: T0 + 1 }),
      ticket('a', 9000, { at: T0 + 2 }),
    ];
    expect(ids(unrated, r, T0 + 2)).toEqual([['u', 'v', 'a']]);
    // ... then the oldest rated ticket, which would otherwise pair with its own kind first.
    const pair = [
      ticket('u', undefined),
      ticket('a', 1000, { at: T0 + 1 }),
      ticket('b', 1000, { at: T0 + 2 }),
    ];
    expect(ids(pair, rules({ maxPlayers: 2 }), T0 + 2)).toEqual([['u', 'a']]);
  });

  test('fills with the closest-rated compatible tickets', () => {
    const r = rules({ maxPlayers: 3, minPlayers: 3, initialWindow: 200 });
    const queue = [
      ticket('anchor', 1500),
      ticket('far-low', 1380, { at: T0 + 1 }),
      ticket('near-low', 1450, { at: T0 + 2 }),
      ticket('near-high', 1520, { at: T0 + 3 }),
      ticket('far-high', 1600, { at: T0 + 4 }),
    ];
    expect(ids(queue, r, T0 + 10)).toEqual([['anchor', 'near-low', 'near-high']]);
  });

  test('parties stay together', () => {
    const r = rules({ maxPlayers: 4, minPlayers: 4 });
    const queue = [
      ticket('trio', 1500, { size: 3 }),
      ticket('duo', 1500, { size: 2, at: T0 + 1 }),
      ticket('solo', 1500, { at: T0 + 2 }),
    ];
    expect(formMatches(queue, r, T0)).toEqual([{ ticketIds: ['trio', 'solo'], players: 4 }]);
    // Two duos and a trio: the trio cannot be split to fill anyone's gap.
    const duos = [ticket('trio', 1500, { size: 3 }), ticket('d1', 1500, { size: 2, at: T0 + 1 })];
    expect(formMatches(duos, r, T0 + 60_000)).toEqual([]);
  });

  test('finds an exact fill of parties where greedy packing falls one short', () => {
    // Oldest first, greedy takes five trios (15) and cannot place a duo; 4 trios + 2 duos fill it.
    // Partial matches are allowed at once, so only the exact fill keeps the 15 from starting.
    const r = rules({ maxPlayers: 16, minPlayers: 4, fillWaitMs: 0 });
    const queue = [
      ...[1, 2, 3, 4, 5].map((k) => ticket(`t${k}`, undefined, { size: 3, at: T0 + k })),
      ticket('d1', undefined, { size: 2, at: T0 + 6 }),
      ticket('d2', undefined, { size: 2, at: T0 + 7 }),
    ];
    expect(formMatches(queue, r, T0 + 10)).toEqual([
      { ticketIds: ['t1', 't2', 't3', 't4', 'd1', 'd2'], players: 16 },
    ]);
  });

  test('an exact fill still needs every window to share a point', () => {
    // a and p (±100) would be completed exactly by b + c (±40), but b and c do not overlap.
    const r = rules({ maxPlayers: 9, minPlayers: 7, initialWindow: 40, widenPerSecond: 10 });
    const now = T0 + 6000;
    const queue = [
      ticket('a', 1000, { at: T0 }),
      ticket('p', 1000, { size: 5, at: T0 }),
      ticket('b', 930, { size: 4, at: now }),
      ticket('c', 1070, { size: 4, at: now }),
    ];
    expect(formMatches(queue, r, now)).toEqual([{ ticketIds: ['p', 'b'], players: 9 }]);
  });

  test('ignores parties larger than a match', () => {
    const r = rules({ maxPlayers: 4, minPlayers: 2 });
    const big = ticket('big', 1500, { size: 5 });
    expect(isMatchable(big, r)).toBe(false);
    expect(isMatchable(ticket('ok', 1500, { size: 4 }), r)).toBe(true);
    expect(isMatchable(ticket('empty', 1500, { size: 0 }), r)).toBe(false);
    expect(isMatchable(ticket('nan', Number.NaN), r)).toBe(false);
    expect(
      ids([big, ticket('a', 1500), ticket('b', 1500), ticket('c', 1500), ticket('d', 1500)], r, T0),
    ).toEqual([['a', 'b', 'c', 'd']]);
  });

  test('a full match forms at once; a partial one only after the fill wait', () => {
    const r = rules({ maxPlayers: 8, minPlayers: 4, fillWaitMs: 10_000 });
    const five = ['a', 'b', 'c', 'd', 'e'].map((id, k) => ticket(id, 1500, { at: T0 + k }));
    expect(ids(five, r, T0 + 9_999)).toEqual([]);
    expect(formMatches(five, r, T0 + 10_000)).toEqual([{ ticketIds: ['a', 'b', 'c', 'd', 'e'], players: 5 }]);
    const eight = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ticket(id, 1500));
    expect(formMatches(eight, r, T0)).toEqual([{ ticketIds: eight.map((t) => t.id), players: 8 }]);
  });

  test('the fill wait counts from the oldest ticket of the match', () => {
    const r = rules({ maxPlayers: 8, minPlayers: 2, fillWaitMs: 10_000 });
    const queue = [ticket('old', 1500, { at: T0 }), ticket('new', 1500, { at: T0 + 9_000 })];
    expect(ids(queue, r, T0 + 10_000)).toEqual([['old', 'new']]);
    // f fails as an anchor (its nearest, g, narrows the window away from h and k); h, younger than
    // the fill wait, then starts a partial match with f, whose wait is the one that counts.
    const w = rules({ maxPlayers: 4, minPlayers: 3, fillWaitMs: 2000 });
    const queue2 = [
      ticket('f', 1000, { at: T0 }),
      ticket('g', 1085, { at: T0 + 1 }),
      ticket('h', 880, { at: T0 + 2000 }),
      ticket('k', 850, { at: T0 + 3000 }),
    ];
    expect(ids(queue2, w, T0 + 2500)).toEqual([['f', 'h', 'k']]);
    expect(ids(queue2, w, T0 + 1999)).toEqual([]);
  });

  test('never starts below minPlayers', () => {
    const r = rules({ maxPlayers: 8, minPlayers: 4, fillWaitMs: 0 });
    const three = ['a', 'b', 'c'].map((id) => ticket(id, 1500));
    expect(ids(three, r, T0 + 3_600_000)).toEqual([]);
    expect(ids([...three, ticket('d', 1500, { size: 1 })], r, T0)).toEqual([['a', 'b', 'c', 'd']]);
  });

  test('serves the oldest tickets first', () => {
    const r = rules({ maxPlayers: 2 });
    const queue = [
      ticket('young', 1500, { at: T0 + 30 }),
      ticket('oldest', 1500, { at: T0 }),
      ticket('middle', 1500, { at: T0 + 20 }),
    ];
    expect(ids(queue, r, T0 + 100)).toEqual([['oldest', 'middle']]);
    // The oldest is served even when two younger tickets are a closer pair.
    const rated = [
      ticket('oldest', 1400, { at: T0 }),
      ticket('x', 1490, { at: T0 + 1 }),
      ticket('y', 1491, { at: T0 + 2 }),
    ];
    expect(ids(rated, rules({ maxPlayers: 2 }), T0 + 100)).toEqual([['oldest', 'x']]);
  });

  test('forms as many matches as the queue allows in one pass', () => {
    const r = rules({ maxPlayers: 2, initialWindow: 10 });
    const queue = [
      ticket('a', 1000),
      ticket('b', 2000),
      ticket('c', 1005),
      ticket('d', 2005),
      ticket('e', 3000),
    ];
    expect(ids(queue, r, T0)).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
  });

  test('is deterministic: same matches whatever the queue order, ties broken by id', () => {
    const r = rules({ maxPlayers: 3, minPlayers: 3, initialWindow: 50 });
    const queue = [
      ticket('c', 1500),
      ticket('a', 1500),
      ticket('e', 1510),
      ticket('b', 1490),
      ticket('d', 1500),
      ticket('f', 1530),
    ];
    const expected = formMatches(queue, r, T0);
    expect(expected).toEqual([
      // a anchors (same time, smallest id) and takes the equal ratings c and d before b.
      { ticketIds: ['a', 'c', 'd'], players: 3 },
      { ticketIds: ['b', 'e', 'f'], players: 3 },
    ]);
    expect(formMatches([...queue].reverse(), r, T0)).toEqual(expected);
    expect(formMatches([queue[3]!, queue[0]!, queue[5]!, queue[1]!, queue[4]!, queue[2]!], r, T0)).toEqual(
      expected,
    );
  });

  test('does not modify the queue', () => {
    const queue = Object.freeze([ticket('b', 1500), ticket('a', 1500)]);
    expect(ids(queue, rules(), T0)).toEqual([['a', 'b']]);
    expect(queue.map((t) => t.id)).toEqual(['b', 'a']);
  });
});
