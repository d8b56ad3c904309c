/**
 * The durations of a node's most recent room ticks, for an operator's glance (the admin status):
 * percentiles over a fixed window, next to the Prometheus histogram that keeps the long view.
 */

/** Ticks remembered: a few seconds of a busy node's ticks. */
const WINDOW = 2048;

export interface TickTimings {
  /** Ticks in the window. */
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class TickWindow {
  readonly #durations = new Float64Array(WINDOW);
  #next = 0;
  #filled = 0;
  /** Ticks since start that took longer than their period. */
  overruns = 0;
  /** Ticks since start skipped because the process fell behind. */
  slipped = 0;

  record(ms: number, overrun: boolean): void {
    if (overrun) this.overruns++;
    this.#durations[this.#next] = ms;
    this.#next = (this.#next + 1) % WINDOW;
    this.#filled = Math.min(WINDOW, this.#filled + 1);
  }

  timings(): TickTimings {
    const sorted = this.#durations.slice(0, this.#filled).sort();
    const at = (q: number) =>
      sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      count: sorted.length,
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      maxMs: round(sorted.at(-1) ?? 0),
    };
  }
}
