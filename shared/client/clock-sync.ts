/**
 * Clock synchronization: maps the client's clock to the server's and to the room's ticks, from PONG
 * samples (client send/receive times, the server's monotonic time and tick) and from the arrival
 * times of state messages. Outliers are filtered the usual way: a sample delayed on either leg only
 * ever makes a round trip longer, so the offset comes from the lowest-RTT samples of a recent window,
 * and tick phases from the earliest arrivals.
 */

/** One answered ping, as GameClient's `pong` event carries it (all times in ms). */
export interface PongSample {
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly serverTime: number | undefined;
  readonly tick: number | undefined;
}

/** What ClockSync.track listens to: a GameClient or a ReconnectingClient. */
export interface TimingSource {
  on(event: 'pong', listener: (pong: PongSample) => void): () => void;
  on(event: 'state', listener: (state: { readonly tick: number }) => void): () => void;
}

export interface ClockSyncOptions {
  /** Ticks per second of the room (GameClient.tickRate). */
  readonly tickRate: number;
  /** PONG samples kept (at the default ping interval of 1 s, this many seconds). Default 16. */
  readonly window?: number;
  /** How many of the lowest-RTT samples the offset averages. Default 4. */
  readonly best?: number;
  /** State arrivals kept for `arrivalTick`. Default two seconds' worth of ticks. */
  readonly arrivalWindow?: number;
  /** The client's clock in ms; must be the GameClient's `now` (default performance.now). */
  readonly now?: () => number;
}

interface Sample {
  readonly rtt: number;
  /** serverTime - local midpoint of the round trip: server ≈ local + offset. */
  readonly offset: number;
  /** serverTime - tick * msPerTick: never before the room's tick origin on the server's clock. */
  readonly tickOrigin: number;
}

/** A bounded FIFO of numbers or samples. */
function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** RTT, clock offset and tick estimates for one connection. */
export class ClockSync {
  readonly msPerTick: number;
  readonly #window: number;
  readonly #best: number;
  readonly #arrivalWindow: number;
  readonly #now: () => number;
  readonly #samples: Sample[] = [];
  /** receivedAt - tick * msPerTick of recent state messages. */
  readonly #arrivals: number[] = [];
  #offset: number | undefined;
  #tickOrigin: number | undefined;
  #arrivalOrigin: number | undefined;

  constructor(options: ClockSyncOptions) {
    this.msPerTick = 1000 / options.tickRate;
    this.#window = Math.max(1, options.window ?? 16);
    this.#best = Math.max(1, options.best ?? 4);
    this.#arrivalWindow = Math.max(1, options.arrivalWindow ?? Math.ceil(2 * options.tickRate));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Listen to a client's pongs and states; returns a function that stops listening. */
  track(source: TimingSource): () => void {
    const offPong = source.on('pong', (pong) => this.addPong(pong));
    const offState = source.on('state', (state) => this.addState(state.tick, this.#now()));
    return () => {
      offPong();
      offState();
    };
  }

  /** Add one answered ping. Samples without server time or tick, or with a negative RTT, are ignored. */
  addPong(pong: PongSample): void {
    const { sentAt, receivedAt, serverTime, tick } = pong;
    const rtt = receivedAt - sentAt;
    if (serverTime === undefined || tick === undefined || !(rtt >= 0) || !Number.isFinite(serverTime)) return;
    pushBounded(
      this.#samples,
      { rtt, offset: serverTime - (sentAt + receivedAt) / 2, tickOrigin: serverTime - tick * this.msPerTick },
      this.#window,
    );
    const byRtt = [...this.#samples].sort((a, b) => a.rtt - b.rtt).slice(0, this.#best);
    this.#offset = byRtt.reduce((sum, s) => sum + s.offset, 0) / byRtt.length;
    this.#tickOrigin = Math.min(...this.#samples.map((s) => s.tickOrigin));
  }

  /** Note that the state of `tick` arrived at local time `receivedAt`. */
  addState(tick: number, receivedAt: number): void {
    pushBounded(this.#arrivals, receivedAt - tick * this.msPerTick, this.#arrivalWindow);
    this.#arrivalOrigin = Math.min(...this.#arrivals);
  }

  /** Forget every sample (e.g. after a reconnect to another node). */
  reset(): void {
    this.#samples.length = 0;
    this.#arrivals.length = 0;
    this.#offset = this.#tickOrigin = this.#arrivalOrigin = undefined;
  }

  /** PONG samples held. */
  get sampleCount(): number {
    return this.#samples.length;
  }

  /** Median round-trip time of the window, in ms: the typical RTT, robust to spikes. */
  get rtt(): number | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = this.#samples.map((s) => s.rtt).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** Lowest round-trip time of the window, in ms. */
  get minRtt(): number | undefined {
    return this.#samples.length === 0 ? undefined : Math.min(...this.#samples.map((s) => s.rtt));
  }

  /** Server clock minus client clock, in ms (server ≈ local + offset). */
  get offset(): number | undefined {
    return this.#offset;
  }

  /** The server's clock at local time `now` (default this clock's now). */
  serverTime(now = this.#now()): number | undefined {
    return this.#offset === undefined ? undefined : now + this.#offset;
  }

  /**
   * The room's tick on the server at local time `now`, fractional (3.5: half way from tick 3 to 4).
   * Undefined before the first pong.
   */
  serverTick(now = this.#now()): number | undefined {
    const server = this.serverTime(now);
    if (server === undefined || this.#tickOrigin === undefined) return undefined;
    return (server - this.#tickOrigin) / this.msPerTick;
  }

  /**
   * The tick whose state is arriving at local time `now`, fractional: the clock to interpolate
   * against (render at `arrivalTick * msPerTick - delay` on the tick timeline). From state arrival
   * times once there are some, else from the server tick less half the lowest RTT.
   */
  arrivalTick(now = this.#now()): number | undefined {
    if (this.#arrivalOrigin !== undefined) return (now - this.#arrivalOrigin) / this.msPerTick;
    const tick = this.serverTick(now);
    const minRtt = this.minRtt;
    return tick === undefined || minRtt === undefined ? undefined : tick - minRtt / 2 / this.msPerTick;
  }
}
