import { describe, expect, it } from 'vitest';
import { judge, type Measured, type Pair } from '../../bench/lobby-targets.ts';

const run = (name: string, floor: Measured['floor'], requestsPerSecond: number, p99Ms: number): Measured => ({
  name,
  floor,
  requestsPerSecond,
  p50Ms: 1,
  p99Ms,
  requests: requestsPerSecond * 5,
  non2xx: 0,
  errors: 0,
  serverCpuUs: 50,
});

/** Each route against its own floor: top-10, around-player, guest sign-up, ticket creation. */
const pairs = (top: number, around: number, guest: number, ticket: number, p99 = 10): Pair[] => [
  { floor: run('get floor', 'get', 20_000, 10), route: run('top-10', 'get', top, p99) },
  { floor: run('get floor', 'get', 20_000, 10), route: run('around', 'get', around, p99) },
  { floor: run('post floor', 'post', 18_000, 10), route: run('guest', 'post', guest, 10) },
  { floor: run('post floor', 'post', 16_000, 10), route: run('ticket', 'post', ticket, 10) },
];

const verdicts = (list: Pair[], matchMs = 500) => judge(list, matchMs).map((v) => v.met);

describe('lobby benchmark verdicts', () => {
  it('meets every target at the thresholds themselves', () => {
    expect(verdicts(pairs(12_000, 10_000, 10_000, 8_000, 15))).toEqual(Array(8).fill(true));
  });

  it('misses each target just below its threshold, against the floor of its own pair', () => {
    expect(verdicts(pairs(11_999, 10_000, 10_000, 8_000))).toEqual([false, ...Array(7).fill(true)]);
    expect(verdicts(pairs(12_000, 9_999, 10_000, 8_000))[2]).toBe(false);
    // 9,999 req/s is 0.56x its floor: only the absolute sign-up target is missed.
    expect(verdicts(pairs(12_000, 10_000, 9_999, 8_000)).slice(4, 6)).toEqual([false, true]);
    // 8,999 req/s misses both: under 10,000, and under 0.5x of its 18,000 floor.
    expect(verdicts(pairs(12_000, 10_000, 8_999, 8_000)).slice(4, 6)).toEqual([false, false]);
    expect(verdicts(pairs(12_000, 10_000, 10_000, 7_999))[6]).toBe(false);
    expect(verdicts(pairs(12_000, 10_000, 10_000, 8_000), 1000)[7]).toBe(false);
  });

  it('judges p99 against the floor p99 of the same pair', () => {
    expect(verdicts(pairs(12_000, 10_000, 10_000, 8_000, 16))).toEqual([
      true,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
