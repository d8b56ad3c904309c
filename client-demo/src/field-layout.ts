/**
 * Where the field goes on the canvas: the largest copy of the world, at its own aspect, that fits
 * the canvas less a margin and overlaps none of the HUD's boxes. The HUD is DOM over the canvas, so
 * the field is placed around it rather than under it (at 1280x800 the network panel used to cover
 * the field's top-left corner).
 */

/** A box in CSS pixels, relative to the canvas. */
export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** The world -> CSS pixel mapping: field origin and scale. */
export interface FieldPlacement {
  readonly scale: number;
  readonly left: number;
  readonly top: number;
}

/** Space kept between the field and a HUD box. */
const GAP = 8;
/** Smallest scale drawn, whatever the screen (the field stays visible, if tiny). */
const MIN_SCALE = 0.05;

const overlaps = (a: Box, b: Box) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Place a `world`-sized field on a `width` x `height` canvas, `margin` from its edges, clear of
 * every box in `hud`. Tries every free rectangle bounded by the canvas and the boxes' edges and
 * keeps the one that fits the biggest field; the field is centered in it.
 */
export function placeField(
  width: number,
  height: number,
  world: { readonly width: number; readonly height: number },
  margin: number,
  hud: readonly Box[],
): FieldPlacement {
  const boxes = hud.filter((b) => b.right > b.left && b.bottom > b.top);
  const lefts = [margin, ...boxes.map((b) => b.right + GAP)];
  const rights = [width - margin, ...boxes.map((b) => b.left - GAP)];
  const tops = [margin, ...boxes.map((b) => b.bottom + GAP)];
  const bottoms = [height - margin, ...boxes.map((b) => b.top - GAP)];
  let best: { scale: number; area: Box } | undefined;
  for (const left of lefts) {
    for (const right of rights) {
      if (right <= left) continue;
      for (const top of tops) {
        for (const bottom of bottoms) {
          if (bottom <= top) continue;
          const scale = Math.min((right - left) / world.width, (bottom - top) / world.height);
          if (best && scale <= best.scale) continue;
          // The field sits centered in the free area; only that box must be clear.
          const w = world.width * scale;
          const h = world.height * scale;
          const field = {
            left: (left + right - w) / 2,
            top: (top + bottom - h) / 2,
            right: (left + right + w) / 2,
            bottom: (top + bottom + h) / 2,
          };
          if (boxes.some((b) => overlaps(field, b))) continue;
          best = { scale, area: field };
        }
      }
    }
  }
  if (!best || best.scale < MIN_SCALE) {
    const scale = Math.max(
      MIN_SCALE,
      Math.min((width - 2 * margin) / world.width, (height - 2 * margin) / world.height),
    );
    return { scale, left: (width - world.width * scale) / 2, top: (height - world.height * scale) / 2 };
  }
  return { scale: best.scale, left: best.area.left, top: best.area.top };
}
