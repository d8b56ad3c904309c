/**
 * A process clock set to Redis's: the local clock plus the offset to the server's `TIME`, measured at
 * open and again every minute. Every process sharing one Redis then agrees on "now" to within a
 * round trip, whatever its own clock says, so expiries one process writes (a node's heartbeat) are
 * judged by another (a lobby) as they were meant. The local clock still drives the time between
 * measurements, so reads are free and monotonic enough for expiries of seconds.
 */
import type { Cluster, Redis } from 'ioredis';

/** How often the offset is measured again (the local clock may be stepped by NTP meanwhile). */
const REFRESH_MS = 60_000;

export class RedisClock {
  readonly #client: Redis | Cluster;
  readonly #local: () => number;
  readonly #onError: (error: unknown) => void;
  #offset = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(client: Redis | Cluster, local: () => number, onError: (error: unknown) => void) {
    this.#client = client;
    this.#local = local;
    this.#onError = onError;
  }

  /** Measure the offset once (throws when Redis cannot answer), then keep it fresh in the background. */
  static async open(
    client: Redis | Cluster,
    local: () => number,
    onError: (error: unknown) => void,
  ): Promise<RedisClock> {
    const clock = new RedisClock(client, local, onError);
    await clock.#measure();
    clock.#timer = setInterval(() => {
      // An outage keeps the last offset: it was right a minute ago.
      clock.#measure().catch(clock.#onError);
    }, REFRESH_MS);
    // Stryker disable next-line OptionalChaining: equivalent on Node, whose timers always have unref
    clock.#timer.unref?.();
    return clock;
  }

  /** Redis's time in ms, as this process reckons it. */
  readonly now = (): number => this.#local() + this.#offset;

  close(): void {
    clearInterval(this.#timer);
  }

  async #measure(): Promise<void> {
    const sent = this.#local();
    const [seconds, micros] = await this.#client.time();
    const received = this.#local();
    const server = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // The server read its clock about half-way through the round trip.
    this.#offset = Math.round(server - (sent + received) / 2);
  }
}
