import { describe, expect, it } from 'vitest';
import { type Box, placeField } from './field-layout.ts';

const WORLD = { width: 1200, height: 800 };
const fieldBox = (p: { scale: number; left: number; top: number }): Box => ({
  left: p.left,
  top: p.top,
  right: p.left + WORLD.width * p.scale,
  bottom: p.top + WORLD.height * p.scale,
});
const clear = (a: Box, b: Box) =>
  a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;

describe('placeField', () => {
  it('fills the canvas less the margin when nothing is in the way', () => {
    expect(placeField(1240, 840, WORLD, 20, [])).toEqual({ scale: 1, left: 20, top: 20 });
  });

  it('keeps clear of every HUD box and stays on the canvas', () => {
    const hud: Box[] = [
      { left: 12, top: 12, right: 540, bottom: 70 }, // network bar
      { left: 1050, top: 12, right: 1268, bottom: 380 }, // a tall scoreboard
      { left: 500, top: 770, right: 780, bottom: 790 }, // hint
    ];
    const field = fieldBox(placeField(1280, 800, WORLD, 20, hud));
    for (const box of hud) expect(clear(field, box), JSON.stringify(box)).toBe(true);
    expect(field.left).toBeGreaterThanOrEqual(20);
    expect(field.bottom).toBeLessThanOrEqual(780);
    // Still most of the screen: beside the scoreboard and below the bar.
    expect(field.right - field.left).toBeGreaterThan(950);
  });

  it('falls back to the whole canvas, tiny, when the HUD leaves no room', () => {
    const placed = placeField(100, 100, WORLD, 2, [{ left: 0, top: 0, right: 100, bottom: 100 }]);
    expect(placed.scale).toBeGreaterThanOrEqual(0.05);
  });
});
