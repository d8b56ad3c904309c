/**
 * Arena's rules as pure functions and constants, with no server or browser API: the room runs them
 * authoritatively, and a client can run the same movement to predict its own player.
 */

/** The playing field, in world units. */
export const WORLD = { width: 1200, height: 800 } as const;
/** Player speed in units per second. */
export const PLAYER_SPEED = 240;
export const PLAYER_RADIUS = 16;
export const ORB_RADIUS = 8;
export const ORB_COUNT = 32;
/** Default match length; a room option `matchSeconds` overrides it. */
export const MATCH_SECONDS = 120;

/** What a player sends: a direction; each component in [-1, 1]. */
export interface ArenaInput {
  dx: number;
  dy: number;
}

/** Move a point by one input for `dt` seconds, clamped to the field. Diagonals are not faster. */
export function move(
  position: { x: number; y: number },
  input: ArenaInput,
  dt: number,
): { x: number; y: number } {
  const length = Math.hypot(input.dx, input.dy);
  const scale = length > 1 ? 1 / length : 1;
  const x = position.x + input.dx * scale * PLAYER_SPEED * dt;
  const y = position.y + input.dy * scale * PLAYER_SPEED * dt;
  return {
    x: Math.min(WORLD.width - PLAYER_RADIUS, Math.max(PLAYER_RADIUS, x)),
    y: Math.min(WORLD.height - PLAYER_RADIUS, Math.max(PLAYER_RADIUS, y)),
  };
}

const TOUCH_DISTANCE_SQUARED = (PLAYER_RADIUS + ORB_RADIUS) ** 2;

/** True when a player at `p` touches an orb at `o`. */
export function touches(p: { x: number; y: number }, o: { x: number; y: number }): boolean {
  const dx = p.x - o.x;
  const dy = p.y - o.y;
  return dx * dx + dy * dy <= TOUCH_DISTANCE_SQUARED;
}

/** A small seeded PRNG (mulberry32) so a room's orb layout is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
