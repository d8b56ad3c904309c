/**
 * Snapshot interpolation for remote entities: each state message is recorded as a timestamped
 * sample per entity, and the renderer draws the world a little in the past (`delay`), between the
 * two samples around that moment, so motion is smooth although states arrive only every tick and
 * with jitter. Past the newest sample it extrapolates for a bounded time, then holds.
 *
 * Times are milliseconds on one timeline of the caller's choice: the server's tick timeline
 * (`tick * 1000 / tickRate`, jitter-free; render with ClockSync.arrivalTick) or local receive times.
 */

/** An entity as recorded: an id and (at least) the interpolated numeric fields. */
export interface InterpolatedEntity {
  readonly id: number;
  readonly [field: string]: unknown;
}

/** The interpolated fields of one entity. */
export type Sample<F extends string> = { [K in F]: number };

export interface InterpolatorOptions<F extends string> {
  /** The numeric fields that interpolate, e.g. `['x', 'y']`; other fields are the caller's business. */
  readonly fields: readonly F[];
  /** Ticks per second of the room (GameClient.tickRate): the unit of the defaults. */
  readonly tickRate: number;
  /** How far behind the timeline's "now" to render, in ms. Default two ticks. */
  readonly delayMs?: number;
  /** How far past the newest sample to extrapolate, in ms, before holding. Default one tick; 0 holds. */
  readonly maxExtrapolationMs?: number;
  /**
   * A jump longer than this between two samples (Euclidean over `fields`) is a teleport (a respawn):
   * the entity steps to the new place instead of sliding there. Default: never.
   */
  readonly teleportDistance?: number;
  /** Samples kept per entity, bounding memory when sample() is not called. Default 64. */
  readonly maxSamples?: number;
}

/** How a sample relates to the one before it. */
const NORMAL = 0;
/** The entity (re)appeared here: nothing to interpolate from. */
const BORN = 1;
/** The entity is gone from this time on. */
const GONE = 2;
type SampleKind = typeof NORMAL | typeof BORN | typeof GONE;

interface Point {
  readonly time: number;
  readonly kind: SampleKind;
  readonly values: readonly number[];
}

interface Track<F extends string> {
  /** Ascending by time; the first one is at or before the last render time once trimmed. */
  readonly points: Point[];
  /** Reused output of sample(), so rendering allocates nothing per entity per frame. */
  readonly out: Sample<F>;
}

/** Snapshot interpolation of a set of entities; see the module comment. */
export class Interpolator<F extends string> {
  readonly fields: readonly F[];
  /** Render this far behind the timeline's now (ms). */
  readonly delayMs: number;
  readonly maxExtrapolationMs: number;
  readonly #teleportSquared: number;
  readonly #maxSamples: number;
  readonly #tracks = new Map<number, Track<F>>();
  readonly #visible = new Map<number, Sample<F>>();
  readonly #seen = new Set<number>();

  constructor(options: InterpolatorOptions<F>) {
    const msPerTick = 1000 / options.tickRate;
    this.fields = options.fields;
    this.delayMs = options.delayMs ?? 2 * msPerTick;
    this.maxExtrapolationMs = options.maxExtrapolationMs ?? msPerTick;
    this.#teleportSquared = (options.teleportDistance ?? Number.POSITIVE_INFINITY) ** 2;
    this.#maxSamples = Math.max(2, options.maxSamples ?? 64);
  }

  /** The render time for a timeline time `now`: `now - delayMs`. */
  renderTime(now: number): number {
    return now - this.delayMs;
  }

  /**
   * Record the whole set of interpolated entities at `time`: each one gets a sample, and entities
   * recorded before but absent now are gone from `time` on. Call it on every state message (deltas
   * omit entities that did not move, and a gap between samples would read as slow motion).
   */
  record(time: number, entities: Iterable<InterpolatedEntity>): void {
    const seen = this.#seen;
    seen.clear();
    for (const entity of entities) {
      seen.add(entity.id);
      this.add(entity.id, time, entity);
    }
    for (const id of this.#tracks.keys()) if (!seen.has(id)) this.remove(id, time);
  }

  /** Record one entity's fields at `time`. A time not after its newest sample replaces or is ignored. */
  add(id: number, time: number, entity: Readonly<Record<string, unknown>>): void {
    const values = this.fields.map((field) => Number(entity[field]));
    let track = this.#tracks.get(id);
    if (!track) {
      track = { points: [], out: {} as Sample<F> };
      this.#tracks.set(id, track);
    }
    const { points } = track;
    const last = points.at(-1);
    if (last && time < last.time) return; // out of order: the newer state already covers it
    if (last && time === last.time) {
      // A second record for the same time wins; gone and back at one instant means it never left.
      const kind = last.kind !== GONE ? last.kind : points.length > 1 ? NORMAL : BORN;
      points[points.length - 1] = { time, kind, values };
    } else {
      points.push({ time, kind: !last || last.kind === GONE ? BORN : NORMAL, values });
    }
    if (points.length > this.#maxSamples) points.splice(0, points.length - this.#maxSamples);
  }

  /** The entity is gone from `time` on (it is still drawn at render times before that). */
  remove(id: number, time: number): void {
    const points = this.#tracks.get(id)?.points;
    const last = points?.at(-1);
    if (!points || !last || last.kind === GONE || time < last.time) return;
    points.push({ time, kind: GONE, values: last.values });
  }

  /** Forget everything (e.g. a different room). */
  clear(): void {
    this.#tracks.clear();
    this.#visible.clear();
  }

  /**
   * The entities at `renderTime` (usually `renderTime(now)`) with their interpolated fields. Entities
   * not born yet or already gone at that time are absent. The map and its records are reused by the
   * next call: copy what must outlive a frame. Samples older than `renderTime` are dropped.
   */
  sample(renderTime: number): ReadonlyMap<number, Readonly<Sample<F>>> {
    const visible = this.#visible;
    visible.clear();
    for (const [id, track] of this.#tracks) {
      const { points } = track;
      // Drop what no later render time needs, keeping two points so extrapolation has a velocity.
      let drop = 0;
      while (drop + 2 < points.length && points[drop + 1]!.time <= renderTime) drop++;
      if (drop > 0) points.splice(0, drop);
      let i = points.length - 1;
      while (i >= 0 && points[i]!.time > renderTime) i--;
      if (i < 0) {
        if (points[0]!.kind === BORN) continue; // not born yet at this render time
        this.#write(track.out, points[0]!.values); // older samples were capped away: hold the oldest
      } else if (points[i]!.kind === GONE) {
        if (i === points.length - 1) this.#tracks.delete(id);
        continue;
      } else {
        this.#at(track.out, points, i, renderTime);
      }
      visible.set(id, track.out);
    }
    return visible;
  }

  /** Fill `out` for renderTime at or after points[i] (which is not GONE) and before points[i + 1]. */
  #at(out: Sample<F>, points: readonly Point[], i: number, renderTime: number): void {
    const a = points[i]!;
    const b = points[i + 1];
    const fields = this.fields;
    if (b === undefined) {
      // Past the newest point: continue its last velocity for a bounded time, then hold. A NORMAL
      // point always follows a live one, so `prev` exists.
      const prev = points[i - 1];
      if (
        prev === undefined ||
        a.kind !== NORMAL ||
        this.maxExtrapolationMs <= 0 ||
        this.#isTeleport(prev.values, a.values)
      ) {
        this.#write(out, a.values);
        return;
      }
      const k = Math.min(renderTime - a.time, this.maxExtrapolationMs) / (a.time - prev.time);
      for (let f = 0; f < fields.length; f++) {
        const v = a.values[f]!;
        out[fields[f]!] = v + (v - prev.values[f]!) * k;
      }
      return;
    }
    // Hold until a removal or a rebirth, and step (never slide) into a teleport.
    if (b.kind !== NORMAL || this.#isTeleport(a.values, b.values)) {
      this.#write(out, a.values);
      return;
    }
    const t = (renderTime - a.time) / (b.time - a.time);
    for (let f = 0; f < fields.length; f++) {
      const from = a.values[f]!;
      out[fields[f]!] = from + (b.values[f]! - from) * t;
    }
  }

  #isTeleport(from: readonly number[], to: readonly number[]): boolean {
    if (this.#teleportSquared === Number.POSITIVE_INFINITY) return false;
    let squared = 0;
    for (let f = 0; f < from.length; f++) squared += (to[f]! - from[f]!) ** 2;
    return squared > this.#teleportSquared;
  }

  #write(out: Sample<F>, values: readonly number[]): void {
    const fields = this.fields;
    for (let f = 0; f < fields.length; f++) out[fields[f]!] = values[f]!;
  }
}
