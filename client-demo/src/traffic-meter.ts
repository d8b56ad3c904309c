/**
 * Bytes per second received, over a sliding window. A ReconnectingClient starts a new GameClient
 * (with new stats from zero) on every reconnect, so the meter keeps its own running total across
 * connections.
 */
import type { ClientStats } from '../../shared/client/index.ts';

interface Point {
  readonly at: number;
  readonly total: number;
}

/** Measures the rate of `bytesReceived` across a sequence of connections' stats. */
export class TrafficMeter {
  readonly #windowMs: number;
  readonly #points: Point[] = [];
  #stats: ClientStats | undefined;
  /** Bytes of the connections before the current one, plus what the current one had when seen. */
  #base = 0;
  #seen = 0;

  constructor(windowMs = 2000) {
    this.#windowMs = windowMs;
  }

  /** Note the current connection's stats at time `now` (ms). */
  sample(now: number, stats: ClientStats | undefined): void {
    if (stats !== this.#stats) {
      this.#base += this.#seen;
      this.#seen = 0;
      this.#stats = stats;
    }
    if (stats) this.#seen = stats.bytesReceived;
    const points = this.#points;
    points.push({ at: now, total: this.#base + this.#seen });
    while (points.length > 2 && points[1]!.at <= now - this.#windowMs) points.shift();
  }

  /** Bytes per second over the window (0 until there are two samples). */
  get bytesPerSecond(): number {
    const points = this.#points;
    if (points.length < 2) return 0;
    const first = points[0]!;
    const last = points[points.length - 1]!;
    return last.at > first.at ? ((last.total - first.total) * 1000) / (last.at - first.at) : 0;
  }
}
