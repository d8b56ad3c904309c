/**
 * How a load-test player moves in arena: a direction held for about a second, then a new one,
 * standing still one time in eight. Shared by the Node bots and the k6 gameplay script so both
 * produce the workload BENCHMARKS.md describes ("players moving most of the time").
 */

/** Arena's input: a direction, each axis in [-1, 1]. */
export interface ArenaInput {
  readonly dx: number;
  readonly dy: number;
}

/** One player's wandering direction. */
export class Wander {
  #input: ArenaInput = { dx: 0, dy: 0 };
  #turnAt = 0;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** The input to send at `now` (ms); the same object until the next turn. */
  next(now: number): ArenaInput {
    if (now >= this.#turnAt) {
      this.#turnAt = now + 800 + this.#random() * 400;
      if (this.#random() < 0.125) {
        this.#input = { dx: 0, dy: 0 };
      } else {
        const angle = this.#random() * 2 * Math.PI;
        // Three decimals: what a stick would send, and a short msgpack float.
        this.#input = {
          dx: Math.round(Math.cos(angle) * 1000) / 1000,
          dy: Math.round(Math.sin(angle) * 1000) / 1000,
        };
      }
    }
    return this.#input;
  }
}
