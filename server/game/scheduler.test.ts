import { describe, expect, it } from 'vitest';
import {
  createWakeTimer,
  type MonotonicClock,
  monotonicClock,
  TickScheduler,
  type TickTask,
  type WakeTimer,
} from './scheduler.ts';

/** A manual clock and timer: the test decides when time passes and when the timer fires. */
function fakeTime() {
  let now = 1_000;
  let pending: { callback: () => void; at: number } | undefined;
  const clock: MonotonicClock = { now: () => now };
  const timer: WakeTimer = {
    set(callback, delayMs) {
      pending = { callback, at: now + delayMs };
    },
    cancel() {
      pending = undefined;
    },
  };
  return {
    clock,
    timer,
    get now() {
      return now;
    },
    set now(value: number) {
      now = value;
    },
    get pendingAt() {
      return pending?.at;
    },
    /** Let time pass to `until`, firing the timer whenever it is due (late by `lateness(i)` ms). */
    runUntil(until: number, lateness: (wakeup: number) => number = () => 0) {
      for (let i = 0; pending && pending.at <= until; i++) {
        const fire = pending;
        pending = undefined;
        now = Math.min(until, fire.at + lateness(i));
        fire.callback();
      }
      now = until;
    },
  };
}

function counter(): TickTask & { ticks: number[] } {
  const ticks: number[] = [];
  return { ticks, tick: (n) => void ticks.push(n) };
}

describe('TickScheduler', () => {
  it('runs a task at its fixed rate with a fixed dt', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer });
    const dts: number[] = [];
    scheduler.add({ tick: (_n, dt) => void dts.push(dt) }, 20);
    time.runUntil(time.now + 1_000);
    expect(dts).toHaveLength(20);
    expect(new Set(dts)).toEqual(new Set([0.05]));
  });

  it('does not drift when every wake-up is late', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer });
    const task = counter();
    const start = time.now;
    scheduler.add(task, 20);
    // Ten simulated minutes of wake-ups that are each 0-4 ms late, as real timers are.
    time.runUntil(start + 600_000, (i) => (i * 7919) % 5);
    expect(task.ticks).toHaveLength(12_000);
    expect(task.ticks.at(-1)).toBe(12_000);
    expect(scheduler.counters.slipped).toBe(0);
  });

  it('runs several rates from one timer', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer });
    const slow = counter();
    const fast = counter();
    scheduler.add(slow, 10);
    scheduler.add(fast, 60);
    time.runUntil(time.now + 2_000);
    expect(slow.ticks).toHaveLength(20);
    expect(fast.ticks).toHaveLength(120);
  });

  it('caps catch-up after a stall and counts the skipped ticks as slipped', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer, maxCatchUpTicks: 3 });
    const task = counter();
    const entry = scheduler.add(task, 20);
    time.runUntil(time.now + 100); // ticks 1, 2
    time.now += 500; // the process stalls for 10 periods
    scheduler.runDue();
    expect(task.ticks).toEqual([1, 2, 10, 11, 12]);
    expect(entry.counters.slipped).toBe(7);
    expect(scheduler.counters.slipped).toBe(7);
    // Back on schedule afterwards: tick 13 is due at origin + 650 ms.
    expect(time.pendingAt).toBeCloseTo(1_000 + 650);
  });

  it('counts a tick that takes longer than its period as an overrun', () => {
    const time = fakeTime();
    const overruns: boolean[] = [];
    const scheduler = new TickScheduler({
      clock: time.clock,
      timer: time.timer,
      onTick: (_entry, _ms, overrun) => void overruns.push(overrun),
    });
    const entry = scheduler.add(
      {
        tick: (n) => {
          if (n === 2) time.now += 60;
        },
      },
      20,
    );
    time.runUntil(time.now + 200);
    expect(entry.counters.overruns).toBe(1);
    expect(overruns.filter(Boolean)).toHaveLength(1);
  });

  it('contains a throwing task: it is reported and other tasks keep ticking', () => {
    const time = fakeTime();
    const errors: unknown[] = [];
    const scheduler = new TickScheduler({
      clock: time.clock,
      timer: time.timer,
      onTickError: (_entry, error) => void errors.push(error),
    });
    const healthy = counter();
    scheduler.add(
      {
        tick: () => {
          throw new Error('boom');
        },
      },
      20,
    );
    scheduler.add(healthy, 20);
    time.runUntil(time.now + 250);
    expect(healthy.ticks).toHaveLength(5);
    expect(errors).toHaveLength(5);
  });

  it('lets a task remove itself mid-tick and disarms when empty', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer });
    let runs = 0;
    const entry = scheduler.add(
      {
        tick: () => {
          runs++;
          scheduler.remove(entry);
        },
      },
      20,
    );
    time.runUntil(time.now + 500);
    expect(runs).toBe(1);
    expect(scheduler.size).toBe(0);
    expect(time.pendingAt).toBeUndefined();
  });

  it('rejects a nonsensical tick rate', () => {
    const time = fakeTime();
    const scheduler = new TickScheduler({ clock: time.clock, timer: time.timer });
    expect(() => scheduler.add(counter(), 0)).toThrow(RangeError);
    expect(() => scheduler.add(counter(), Number.NaN)).toThrow(RangeError);
  });

  it('never runs a tick early on the real clock', async () => {
    const scheduler = new TickScheduler({ clock: monotonicClock, timer: createWakeTimer() });
    const start = performance.now();
    // [tick, ms since start] of every tick run. On a loaded machine the process may fall more than
    // the catch-up cap behind and skip ticks (counted as slipped): lateness is not under test here.
    const ran: [number, number][] = [];
    await new Promise<void>((resolve) => {
      const entry = scheduler.add(
        {
          tick: (n) => {
            ran.push([n, performance.now() - start]);
            if (n >= 10) {
              scheduler.remove(entry);
              resolve();
            }
          },
        },
        100,
      );
    });
    // Tick n is due n * 10 ms after the start; 1 ms of coalescing is the only allowed earliness.
    for (const [n, t] of ran) expect(t, `tick ${n}`).toBeGreaterThanOrEqual(n * 10 - 1);
    const last = ran.at(-1)![0];
    expect(scheduler.counters.ticks).toBe(ran.length);
    expect(scheduler.counters.ticks + scheduler.counters.slipped).toBe(last);
  });
});
