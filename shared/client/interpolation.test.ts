import { describe, expect, it } from 'vitest';
import { Interpolator } from './interpolation.ts';

const TICK = 50; // ms at 20 Hz
const make = (options: Partial<ConstructorParameters<typeof Interpolator<'x' | 'y'>>[0]> = {}) =>
  new Interpolator({ fields: ['x', 'y'], tickRate: 20, ...options });
const at = (interp: Interpolator<'x' | 'y'>, time: number) => {
  const out = interp.sample(time);
  return new Map([...out].map(([id, s]) => [id, { ...s }]));
};

describe('Interpolator', () => {
  it('defaults to a two-tick delay and one tick of extrapolation', () => {
    const interp = make();
    expect(interp.delayMs).toBe(2 * TICK);
    expect(interp.maxExtrapolationMs).toBe(TICK);
    expect(interp.renderTime(1000)).toBe(900);
    expect(make({ delayMs: 30 }).renderTime(1000)).toBe(970);
  });

  it('interpolates linearly between the two samples around the render time', () => {
    const interp = make();
    interp.record(0, [{ id: 1, x: 0, y: 10 }]);
    interp.record(50, [{ id: 1, x: 100, y: 20 }]);
    interp.record(100, [{ id: 1, x: 100, y: 40 }]);
    expect(at(interp, 0).get(1)).toEqual({ x: 0, y: 10 });
    expect(at(interp, 25).get(1)).toEqual({ x: 50, y: 15 });
    expect(at(interp, 50).get(1)).toEqual({ x: 100, y: 20 });
    expect(at(interp, 75).get(1)).toEqual({ x: 100, y: 30 });
  });

  it('renders `delay` behind the timeline: now - delay lands between received samples', () => {
    const interp = make();
    for (let tick = 0; tick <= 10; tick++) interp.record(tick * TICK, [{ id: 7, x: tick * 12, y: 0 }]);
    // Newest sample is tick 10; now = 10.5 ticks renders at tick 8.5.
    const sample = interp.sample(interp.renderTime(10.5 * TICK)).get(7)!;
    expect(sample.x).toBeCloseTo(8.5 * 12);
  });

  it('extrapolates at most maxExtrapolationMs past the newest sample, then holds', () => {
    const interp = make();
    interp.record(0, [{ id: 1, x: 0, y: 0 }]);
    interp.record(50, [{ id: 1, x: 10, y: -10 }]);
    expect(at(interp, 75).get(1)).toEqual({ x: 15, y: -15 });
    expect(at(interp, 100).get(1)).toEqual({ x: 20, y: -20 });
    expect(at(interp, 400).get(1)).toEqual({ x: 20, y: -20 }); // capped at one tick ahead
    // Once a newer sample arrives, interpolation resumes from real data.
    interp.record(100, [{ id: 1, x: 12, y: -20 }]);
    expect(at(interp, 75).get(1)).toEqual({ x: 11, y: -15 });
  });

  it('holds without extrapolating when maxExtrapolationMs is 0 or there is only one sample', () => {
    const none = make({ maxExtrapolationMs: 0 });
    none.record(0, [{ id: 1, x: 0, y: 0 }]);
    none.record(50, [{ id: 1, x: 10, y: 0 }]);
    expect(at(none, 90).get(1)).toEqual({ x: 10, y: 0 });
    const single = make();
    single.record(0, [{ id: 2, x: 3, y: 4 }]);
    expect(at(single, 500).get(2)).toEqual({ x: 3, y: 4 });
  });

  it('shows entities only from when they appear until they disappear, on the render timeline', () => {
    const interp = make();
    interp.record(0, [{ id: 1, x: 0, y: 0 }]);
    interp.record(50, [
      { id: 1, x: 5, y: 0 },
      { id: 2, x: 100, y: 100 },
    ]);
    interp.record(100, [{ id: 2, x: 110, y: 100 }]); // 1 is gone from t=100
    expect([...at(interp, 25).keys()]).toEqual([1]); // 2 not born yet
    expect(at(interp, 75).get(1)).toEqual({ x: 5, y: 0 }); // held until removal, no extrapolation into it
    expect(at(interp, 75).get(2)).toEqual({ x: 105, y: 100 });
    expect([...at(interp, 100).keys()]).toEqual([2]);
  });

  it('an entity that leaves and comes back does not slide from where it left', () => {
    const interp = make();
    interp.record(0, [{ id: 1, x: 0, y: 0 }]);
    interp.record(50, []);
    interp.record(100, [{ id: 1, x: 500, y: 500 }]);
    interp.record(150, [{ id: 1, x: 510, y: 500 }]);
    expect(at(interp, 25).get(1)).toEqual({ x: 0, y: 0 });
    expect(at(interp, 75).has(1)).toBe(false);
    expect(at(interp, 125).get(1)).toEqual({ x: 505, y: 500 });
  });

  it('steps across a teleport instead of sliding', () => {
    const interp = make({ teleportDistance: 100 });
    interp.record(0, [{ id: 1, x: 0, y: 0 }]);
    interp.record(50, [{ id: 1, x: 1000, y: 0 }]);
    interp.record(100, [{ id: 1, x: 1010, y: 0 }]);
    expect(at(interp, 40).get(1)).toEqual({ x: 0, y: 0 });
    expect(at(interp, 75).get(1)).toEqual({ x: 1005, y: 0 });
    expect(at(interp, 500).get(1)).toEqual({ x: 1020, y: 0 }); // extrapolates the real motion only
  });

  it('ignores out-of-order samples and lets a second record for the same time win', () => {
    const interp = make();
    interp.add(1, 0, { x: 0, y: 0 });
    interp.add(1, 100, { x: 100, y: 0 });
    interp.add(1, 50, { x: 999, y: 999 });
    interp.add(1, 100, { x: 200, y: 0 });
    expect(at(interp, 50).get(1)).toEqual({ x: 100, y: 0 });
  });

  it('bounds the samples it keeps and forgets gone entities once rendered past', () => {
    const interp = make({ maxSamples: 4 });
    for (let i = 0; i < 100; i++) interp.record(i * TICK, [{ id: 1, x: i, y: 0 }]);
    // The oldest kept sample is held for render times before it.
    expect(at(interp, 0).get(1)).toEqual({ x: 96, y: 0 });
    interp.record(100 * TICK, []);
    expect(interp.sample(100 * TICK).size).toBe(0);
    interp.record(101 * TICK, []);
    expect(interp.sample(50 * TICK).size).toBe(0); // the track itself is gone
  });

  it('reuses its output records between samples', () => {
    const interp = make();
    interp.record(0, [{ id: 1, x: 0, y: 0 }]);
    interp.record(50, [{ id: 1, x: 10, y: 0 }]);
    const first = interp.sample(10).get(1);
    const second = interp.sample(20).get(1);
    expect(second).toBe(first);
    expect(second?.x).toBe(4);
  });
});
