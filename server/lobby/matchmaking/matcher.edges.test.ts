/**
 * The matcher's edges, each pinned by a queue built to tell a correct pass from a subtly wrong one
 * (found by mutation testing, docs/MUTATION.md): impossible rules, id ties, the widest window, the
 * unrated top-up, touching windows, the miss limit, the exact-fill search and its candidate limit.
 */
import { describe, expect, test } from 'vitest';
import { formMatches, type MatchRules, type QueuedTicket } from './matcher.ts';

const T0 = 1.7e12;
const NEVER = 1e12; // a fill wait no ticket here reaches

function rules(
  overrides: Partial<Omit<MatchRules, 'skill'>> & Partial<MatchRules['skill']> = {},
): MatchRules {
  return {
    minPlayers: overrides.minPlayers ?? overrides.maxPlayers ?? 2,
    maxPlayers: overrides.maxPlayers ?? 2,
    fillWaitMs: overrides.fillWaitMs ?? NEVER,
    skill: {
      initialWindow: overrides.initialWindow ?? 100,
      widenPerSecond: overrides.widenPerSecond ?? 0,
      maxWindow: overrides.maxWindow ?? 1000,
    },
  };
}

const t = (id: string, rating: number | undefined, size = 1, at = T0): QueuedTicket => ({
  id,
  rating,
  size,
  enqueuedAt: at,
});
const ids = (queue: readonly QueuedTicket[], r: MatchRules, now = T0) =>
  formMatches(queue, r, now).map((m) => m.ticketIds);

describe('formMatches edges', () => {
  test('rules no match can satisfy form nothing, even from a queue that would fill', () => {
    const queue = [t('a', undefined), t('b', undefined), t('c', undefined)];
    expect(ids(queue, rules({ maxPlayers: 2, minPlayers: 3 }))).toEqual([]);
    expect(ids(queue, rules({ maxPlayers: 2.5, minPlayers: 1 }))).toEqual([]);
    expect(ids(queue, rules({ maxPlayers: 0, minPlayers: 0 }))).toEqual([]);
    // minPlayers 0 counts as 1: still valid.
    expect(ids(queue, rules({ maxPlayers: 1, minPlayers: 0 }))).toEqual([['a'], ['b'], ['c']]);
  });

  test('tickets queued in the same millisecond are served in id order, whatever order they come in', () => {
    const names = Array.from({ length: 120 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    const shuffled = [...names].reverse().map((id) => t(id, undefined, 1, T0));
    const expected = Array.from({ length: 30 }, (_, k) => names.slice(4 * k, 4 * k + 4));
    expect(ids(shuffled, rules({ maxPlayers: 4 }))).toEqual(expected);
    const interleaved = names
      .map((id) => t(id, undefined, 1, T0))
      .sort((a, b) => (a.id.at(-1)! < b.id.at(-1)! ? -1 : 1));
    expect(ids(interleaved, rules({ maxPlayers: 4 }))).toEqual(expected);
  });

  test('the scan reaches as far as the widest window, not the last ticket queued', () => {
    const r = rules({ initialWindow: 0, widenPerSecond: 10, maxWindow: 1000 });
    // a: 1000 ±200, b: 1300 ±150 (overlap at [1150, 1200]); c, queued last, has no window at all.
    const queue = [t('a', 1000, 1, T0 - 20_000), t('b', 1300, 1, T0 - 15_000), t('c', 5000, 1, T0)];
    expect(ids(queue, r)).toEqual([['a', 'b']]);
  });

  test('a rated anchor tops up with unrated tickets before an unrated anchor takes them', () => {
    const queue = [t('a', 1000, 1, T0), t('u1', undefined, 1, T0 + 1), t('u2', undefined, 1, T0 + 2)];
    expect(ids(queue, rules(), T0 + 2)).toEqual([['a', 'u1']]);
  });

  test('windows that touch at one point match, from either side', () => {
    // ±100 each: [900, 1100] and [700, 900] share 900; [1100, 1300] shares 1100.
    expect(ids([t('a', 1000), t('b', 800)], rules())).toEqual([['a', 'b']]);
    expect(ids([t('a', 1000), t('b', 1200)], rules())).toEqual([['a', 'b']]);
    expect(ids([t('a', 1000), t('b', 799.5)], rules())).toEqual([]);
    expect(ids([t('a', 1000), t('b', 1200.5)], rules())).toEqual([]);
    // Through a narrowed intersection: a+b leave [1000, 1100]; c touches it at 1100 from above.
    const three = rules({ maxPlayers: 3 });
    expect(ids([t('a', 1000), t('b', 1100), t('c', 1200)], three)).toEqual([['a', 'b', 'c']]);
    expect(ids([t('a', 1000), t('b', 900), t('c', 800)], three)).toEqual([['a', 'b', 'c']]);
    expect(ids([t('a', 1000), t('b', 1100), t('c', 1200.5)], three)).toEqual([]);
  });

  /**
   * p (oldest, ±500) first takes b (no window, nearest), which narrows the match to [1001, 1001].
   * `misses` tickets just above b then miss it; a, farther off but covering 1001, completes the match
   * only if the scan has not given up: it gives up after 32 x maxPlayers = 96 misses.
   */
  function missQueue(misses: number): QueuedTicket[] {
    const queue = [
      t('p', 1000, 1, T0 - 50_000),
      t('a', 850, 1, T0 - 20_000),
      t('b', 1001, 1, T0),
      ...Array.from({ length: misses }, (_, i) =>
        t(`m${String(i).padStart(3, '0')}`, 1002 + i * 0.5, 1, T0 + 1),
      ),
    ];
    return queue;
  }
  const missRules = rules({
    maxPlayers: 3,
    minPlayers: 2,
    fillWaitMs: 0,
    initialWindow: 0,
    widenPerSecond: 10,
  });

  test('a rating scan steps over 32 misses per player slot, then gives up', () => {
    expect(ids(missQueue(96), missRules)[0]).toEqual(['p', 'a', 'b']);
    expect(ids(missQueue(97), missRules)[0]).toEqual(['p', 'b']);
  });

  test('a party skipped for size is not a miss', () => {
    // 70 duos between the solo anchor and the solo that completes it: none fit, none is a miss.
    const queue = [
      t('a', 1000, 1, T0),
      ...Array.from({ length: 70 }, (_, i) => t(`d${String(i).padStart(2, '0')}`, 1000, 2, T0 + 1)),
      t('z', 1000, 1, T0 + 2),
    ];
    expect(ids(queue, rules(), T0 + 2)[0]).toEqual(['a', 'z']);
  });

  test('a scan stops when nothing left fits, but not while a party of the free size may', () => {
    // Rated: a (2) has 2 free slots; 16 trios fill the candidate list; z (2) still fits exactly.
    const rated = [
      t('a', 1000, 2, T0),
      ...Array.from({ length: 16 }, (_, i) => t(`m${String(i).padStart(2, '0')}`, 1000, 3, T0 + 1)),
      t('z', 1000, 2, T0 + 2),
    ];
    expect(ids(rated, rules({ maxPlayers: 4 }), T0 + 2)[0]).toEqual(['a', 'z']);
    // Unrated: the same, and had the unrated scan stopped before z, a would have taken r1 instead.
    const unrated = [
      t('a', undefined, 2, T0),
      ...Array.from({ length: 16 }, (_, i) => t(`m${String(i).padStart(2, '0')}`, undefined, 3, T0 + 1)),
      t('r1', 1000, 2, T0 + 2),
      t('r2', 1000, 2, T0 + 2),
      t('z', undefined, 2, T0 + 3),
    ];
    expect(ids(unrated, rules({ maxPlayers: 4 }), T0 + 3)).toEqual([
      ['a', 'z'],
      ['r1', 'r2'],
    ]);
  });

  test('when nothing left fits, the scan still gathers candidates for the exact fill', () => {
    // a (2) + b (2) leaves 1 of 5 free and no solo exists; c (3), met after that, is the exact fill.
    const queue = [t('a', 1000, 2), t('b', 1010, 2), t('c', 1030, 3)];
    expect(ids(queue, rules({ maxPlayers: 5 }))).toEqual([['a', 'c']]);
  });

  test('windows that touch the narrowed intersection match, from either side', () => {
    // a+c leave [950, 1100]; b [750, 950] touches it from below. Then [900, 1050] and b [1050, 1250].
    const r = rules({ maxPlayers: 3, minPlayers: 2, fillWaitMs: 0 });
    expect(ids([t('a', 1000), t('b', 850), t('c', 1050)], r)).toEqual([['a', 'b', 'c']]);
    expect(ids([t('a', 1000), t('b', 1150), t('c', 950)], r)).toEqual([['a', 'b', 'c']]);
    expect(ids([t('a', 1000), t('b', 849.5), t('c', 1050)], r)).toEqual([['a', 'c']]);
  });

  test('a short match whose exact fill failed still forms once the fill wait is over', () => {
    // a+b = 3 of 4; c (2) does not fit and no exact fill exists: a+b start after the fill wait.
    const queue = [t('a', undefined, 1, T0), t('b', undefined, 2, T0 + 1), t('c', undefined, 2, T0 + 2)];
    expect(ids(queue, rules({ maxPlayers: 4, minPlayers: 2, fillWaitMs: 1000 }), T0 + 1000)).toEqual([
      ['a', 'b'],
    ]);
  });

  test('the exact fill passes over a near party that leaves a gap nothing can fill', () => {
    // a (1) + b (2) leaves 1 free; c (3) was skipped. Exact: skip b (1 left, no solo), take c.
    const queue = [t('a', undefined, 1, T0), t('b', undefined, 2, T0 + 1), t('c', undefined, 3, T0 + 2)];
    expect(ids(queue, rules({ maxPlayers: 4 }), T0 + 2)).toEqual([['a', 'c']]);
    // Rated, with s beside c but out of a's reach: a fill that took b would leave c to s.
    const rated = [t('a', 1000, 1), t('b', 1010, 2), t('c', 1150, 3), t('s', 1240, 1)];
    expect(ids(rated, rules({ maxPlayers: 4 }))).toEqual([['a', 'c']]);
  });

  test('the exact fill keeps every window overlapping, not only each with the greedy picks', () => {
    // ±100. Greedy: a+b(3) -> [950, 1100]; c (2, [770, 970]) and e (2, [1090, 1290]) each meet
    // that, but not each other: a cannot have c+e. b (older than c, e) then takes a?+e exactly.
    const queue = [t('a', 1000, 1), t('b', 1050, 3), t('c', 870, 2), t('e', 1190, 2)];
    expect(ids(queue, rules({ maxPlayers: 5 }))).toEqual([['b', 'e']]);
  });

  test('the exact fill keeps the intersection from both sides, touching included', () => {
    // Mirror of the above: greedy a+b(3) -> [900, 1050]; c [1030, 1230] first, then e [710, 910]
    // meets the greedy picks but not c. b then takes its nearer e.
    expect(
      ids([t('a', 1000, 1), t('b', 950, 3), t('c', 1130, 2), t('e', 810, 2)], rules({ maxPlayers: 5 })),
    ).toEqual([['b', 'e']]);
    // e [830, 1030] then c [1030, 1230]: they touch at 1030, so a has them both.
    expect(
      ids([t('a', 1000, 1), t('b', 950, 3), t('c', 1130, 2), t('e', 930, 2)], rules({ maxPlayers: 5 })),
    ).toEqual([['a', 'c', 'e']]);
    // e [970, 1170] then c [770, 970]: touching from below.
    expect(
      ids([t('a', 1000, 1), t('b', 1050, 3), t('c', 870, 2), t('e', 1070, 2)], rules({ maxPlayers: 5 })),
    ).toEqual([['a', 'c', 'e']]);
  });

  test('a party matched from the middle of the unrated list leaves the older ones in reach', () => {
    // r (3) takes u1, the first unrated that fits; u0 and v (duos) stay queued and then pair up.
    const queue = [
      t('r', 1000, 3, T0),
      t('u0', undefined, 2, T0 + 1),
      t('v', undefined, 2, T0 + 2),
      t('u1', undefined, 1, T0 + 3),
      t('u2', undefined, 1, T0 + 4),
      t('u3', undefined, 1, T0 + 5),
    ];
    expect(ids(queue, rules({ maxPlayers: 4 }), T0 + 5)).toEqual([
      ['r', 'u1'],
      ['u0', 'v'],
    ]);
  });

  test('the exact fill never takes a party bigger than the slots left', () => {
    // 8 slots. a (4): greedy takes c (3) and is left 1 short. Exact fill of 4: b, d, e are too big,
    // c leaves a gap, f fills it. A fill that took d on the way would fail, and c+d would go first.
    const sizes = [4, 7, 3, 5, 7, 4, 3];
    const queue = sizes.map((size, i) => t('abcdefg'[i]!, undefined, size, T0 + i));
    expect(ids(queue, rules({ maxPlayers: 8 }), T0 + 7)).toEqual([
      ['a', 'f'],
      ['c', 'd'],
    ]);
  });

  test('the exact fill looks at the first 4 x maxPlayers candidates only', () => {
    // a (1) + b (2), then 15 duos: 16 candidates, all even, 3 to fill. d (3) would do, but it is
    // the 17th. Then b (2) fills exactly with the first duo.
    const queue = [
      t('a', undefined, 1, T0),
      t('b', undefined, 2, T0 + 1),
      ...Array.from({ length: 15 }, (_, i) => t(`s${String(i).padStart(2, '0')}`, undefined, 2, T0 + 2)),
      t('d', undefined, 3, T0 + 3),
    ];
    expect(ids(queue, rules({ maxPlayers: 4 }), T0 + 3)[0]).toEqual(['b', 's00']);
  });
});
