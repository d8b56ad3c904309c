import { describe, expect, it } from 'vitest';
import { ClockSync, type PongSample } from './clock-sync.ts';
import { Emitter } from './emitter.ts';

const TICK_RATE = 20;
const MS_PER_TICK = 50;
/** The server's clock is this far ahead of the client's. */
const TRUE_OFFSET = 123_456.75;
/** The room's tick 0 on the server's clock. */
const TICK_ORIGIN = 100_000;

/** A seeded PRNG, so the jitter is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A ping sent at local `sentAt` over legs of `up` and `down` ms, answered at once by the server. */
function pong(sentAt: number, up: number, down: number): PongSample {
  const serverTime = sentAt + up + TRUE_OFFSET;
  return {
    sentAt,
    receivedAt: sentAt + up + down,
    serverTime,
    tick: Math.floor((serverTime - TICK_ORIGIN) / MS_PER_TICK),
  };
}

describe('ClockSync', () => {
  it('knows nothing before the first sample', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE, now: () => 0 });
    expect(clock.rtt).toBeUndefined();
    expect(clock.offset).toBeUndefined();
    expect(clock.serverTick()).toBeUndefined();
    expect(clock.arrivalTick()).toBeUndefined();
  });

  it('estimates RTT and offset from symmetric round trips exactly', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE });
    clock.addPong(pong(1000, 20, 20));
    expect(clock.rtt).toBe(40);
    expect(clock.offset).toBeCloseTo(TRUE_OFFSET);
    expect(clock.serverTime(5000)).toBeCloseTo(5000 + TRUE_OFFSET);
  });

  it('stays accurate under jitter and outliers by trusting the lowest-RTT samples', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE });
    const rand = random(42);
    for (let i = 0; i < 40; i++) {
      // 15 ms base each way, up to 30 ms of jitter per leg, and every fifth ping a 400 ms stall upward.
      const up = 15 + rand() * 30 + (i % 5 === 0 ? 400 : 0);
      const down = 15 + rand() * 30;
      clock.addPong(pong(1000 * i, up, down));
    }
    expect(clock.sampleCount).toBe(16);
    // A single stalled sample would be off by ~200 ms; the best samples are within a few ms.
    expect(Math.abs(clock.offset! - TRUE_OFFSET)).toBeLessThan(10);
    expect(clock.minRtt).toBeGreaterThanOrEqual(30);
    expect(clock.rtt).toBeGreaterThan(clock.minRtt!);
    expect(clock.rtt).toBeLessThan(120); // the median ignores the stalls
  });

  it('estimates the server tick, and the tick whose state is arriving', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE });
    // Pings at many phases of the tick, so the earliest one after a tick pins the tick's start.
    for (let i = 0; i < 16; i++) clock.addPong(pong(10_000 + i * 1003, 10, 10));
    const localNow = 30_000;
    const trueTick = (localNow + TRUE_OFFSET - TICK_ORIGIN) / MS_PER_TICK;
    expect(Math.abs(clock.serverTick(localNow)! - trueTick)).toBeLessThan(0.1);
    // Without state arrivals: the server tick less half the round trip.
    expect(clock.arrivalTick(localNow)).toBeCloseTo(clock.serverTick(localNow)! - 10 / MS_PER_TICK);
  });

  it('takes the arrival clock from the earliest state arrivals', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE });
    const rand = random(7);
    // Tick k arrives at local 2000 + 50k + 30 ms of latency + up to 40 ms of jitter.
    for (let tick = 100; tick < 140; tick++) clock.addState(tick, 2000 + tick * 50 + 30 + rand() * 40);
    // When tick 139 arrives with no jitter, the arrival clock reads 139 (less the jitter floor of
    // 40 samples, a ms or two): jitter only ever delays, so the earliest arrivals set the pace.
    const estimate = clock.arrivalTick(2000 + 139 * 50 + 30)!;
    expect(estimate).toBeLessThanOrEqual(139);
    expect(estimate).toBeGreaterThan(139 - 0.1);
  });

  it('ignores unusable samples and forgets on reset()', () => {
    const clock = new ClockSync({ tickRate: TICK_RATE });
    clock.addPong({ sentAt: 10, receivedAt: 5, serverTime: 0, tick: 0 });
    clock.addPong({ sentAt: 0, receivedAt: 5, serverTime: undefined, tick: undefined });
    expect(clock.sampleCount).toBe(0);
    clock.addPong(pong(0, 5, 5));
    clock.addState(1, 100);
    clock.reset();
    expect(clock.sampleCount).toBe(0);
    expect(clock.arrivalTick(200)).toBeUndefined();
  });

  it('tracks a client: pongs and state arrivals on its clock', () => {
    let now = 5000;
    const clock = new ClockSync({ tickRate: TICK_RATE, now: () => now });
    class Source extends Emitter<{ pong: PongSample; state: { tick: number } }> {
      fire<K extends 'pong' | 'state'>(event: K, payload: { pong: PongSample; state: { tick: number } }[K]) {
        this.emit(event, payload);
      }
    }
    const source = new Source();
    const stop = clock.track(source);
    source.fire('pong', pong(4960, 20, 20));
    source.fire('state', { tick: 10 });
    expect(clock.sampleCount).toBe(1);
    expect(clock.arrivalTick(5000)).toBe(10);
    stop();
    now = 9000;
    source.fire('state', { tick: 11 });
    expect(clock.arrivalTick(5000)).toBe(10);
  });
});
