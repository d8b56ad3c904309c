/**
 * RedisClock's arithmetic on a scripted `TIME` reply: the offset is measured against the middle of
 * the round trip, kept fresh every minute, kept as it was through an outage, and no longer
 * refreshed once closed. (directory-clock.test.ts runs it against a real redis-server.)
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { RedisClock } from './redis-clock.ts';

/** A client whose TIME answers the queued replies in order (an Error rejects). */
function scriptedTime(replies: ([string, string] | Error)[]) {
  const calls: number[] = [];
  const client = {
    time: async (): Promise<[string, string]> => {
      calls.push(calls.length);
      const reply = replies.shift();
      if (reply === undefined) throw new Error('no more TIME replies');
      if (reply instanceof Error) throw reply;
      return reply;
    },
  };
  return { client: client as unknown as Redis, calls };
}

/** A local clock that reads the queued values in order, then stays on the last. */
function steppingClock(values: number[]) {
  let last = values[0] ?? 0;
  return () => {
    last = values.shift() ?? last;
    return last;
  };
}

describe('RedisClock', () => {
  afterEach(() => vi.useRealTimers());

  test("reads Redis's time as the server read it half-way through the round trip", async () => {
    // Sent at 1000, answered at 1010: the server read 1_700_000_000_123.456 ms at local 1005.
    const { client } = scriptedTime([['1700000000', '123456']]);
    const local = steppingClock([1000, 1010, 2000, 2001]);
    const clock = await RedisClock.open(client, local, () => undefined);
    try {
      expect(clock.now()).toBe(1_700_000_000_123 + (2000 - 1005));
      expect(clock.now()).toBe(1_700_000_000_123 + (2001 - 1005));
    } finally {
      clock.close();
    }
  });

  test('rounds an odd round trip to whole milliseconds', async () => {
    const { client } = scriptedTime([['10', '999999']]);
    const clock = await RedisClock.open(client, steppingClock([0, 3, 3]), () => undefined);
    clock.close();
    // Server 10_999 ms (micros floored), read at local 1.5: offset 10_997.5 rounds to 10_998.
    expect(clock.now()).toBe(3 + 10_998);
  });

  test('an outage at open fails the open', async () => {
    const { client } = scriptedTime([new Error('Connection is closed.')]);
    await expect(
      RedisClock.open(
        client,
        () => 0,
        () => undefined,
      ),
    ).rejects.toThrow('Connection is closed.');
  });

  test('measures again every minute, keeps the last offset through an outage, stops when closed', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const outage = new Error('Connection is closed.');
    const { client, calls } = scriptedTime([['1', '0'], ['5', '0'], outage, ['9', '0']]);
    const clock = await RedisClock.open(
      client,
      () => 0,
      (error) => errors.push(error),
    );
    expect(clock.now()).toBe(1000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(clock.now()).toBe(5000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(errors).toEqual([outage]);
    expect(clock.now()).toBe(5000);
    clock.close();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(3);
    expect(clock.now()).toBe(5000);
  });
});
