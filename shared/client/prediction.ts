/**
 * Client-side prediction with server reconciliation for the local player. The game runs a local
 * fixed step at the room's tick rate; each step it sends the current input (every step, even when
 * unchanged) and predicts one step with the same pure rule the room runs (arena: rules.ts `move`).
 *
 * This matches how a room applies inputs: every tick it hands queued inputs to the room (arena keeps
 * the latest direction) and simulates once. So each input stands for one server tick, and on every
 * authoritative state (tick, ackSeq) the predictor drops the inputs with seq <= ackSeq, restarts
 * from the server's state and replays the rest, one step each. Jitter that makes the server apply
 * two inputs in one tick shows up as a small correction, which `view()` can smooth out.
 */

/** The game's pure movement rule: the next state after one tick of `input`. */
export type StepFunction<S, I> = (state: S, input: I, dt: number) => S;

/** Keys of S whose values are numbers (the fields that can be blended and smoothed). */
export type NumericKeys<S> = { [K in keyof S]: S[K] extends number ? K : never }[keyof S] & string;

export interface PredictorOptions<S, I> {
  /** The same rule the room runs each tick. */
  readonly step: StepFunction<S, I>;
  /** Ticks per second of the room (GameClient.tickRate); each step covers 1 / tickRate seconds. */
  readonly tickRate: number;
  /** The state to start from (usually the local player's entity from the first snapshot). */
  readonly initial: S;
  /** Numeric fields `view()` blends between steps and smooths after corrections, e.g. `['x', 'y']`. */
  readonly fields?: readonly NumericKeys<S>[];
  /**
   * How fast a correction fades out of `view()`: half of what is left goes every `halfLifeMs`.
   * Default 100 ms; 0 shows corrections at once.
   */
  readonly halfLifeMs?: number;
  /** A correction longer than this (Euclidean over `fields`) is shown at once. Default: never. */
  readonly snapDistance?: number;
  /** Unacknowledged inputs kept (the oldest go first). Default 128. */
  readonly maxPending?: number;
  /** Milliseconds for smoothing; default performance.now. */
  readonly now?: () => number;
}

interface PendingInput<I> {
  readonly seq: number;
  readonly input: I;
}

/** Predicts the local player ahead of the server and reconciles with each authoritative state. */
export class Predictor<S, I> {
  readonly #step: StepFunction<S, I>;
  readonly #dt: number;
  readonly #fields: readonly NumericKeys<S>[];
  readonly #halfLifeMs: number;
  readonly #snapSquared: number;
  readonly #maxPending: number;
  readonly #now: () => number;
  readonly #pending: PendingInput<I>[] = [];
  #server: S;
  #state: S;
  #previous: S;
  /** The visual correction still shown, per field, as of #offsetAt. */
  #offset: number[];
  #offsetAt = 0;
  #ackSeq = 0;

  constructor(options: PredictorOptions<S, I>) {
    this.#step = options.step;
    this.#dt = 1 / options.tickRate;
    this.#fields = options.fields ?? [];
    this.#halfLifeMs = options.halfLifeMs ?? 100;
    this.#snapSquared = (options.snapDistance ?? Number.POSITIVE_INFINITY) ** 2;
    this.#maxPending = Math.max(1, options.maxPending ?? 128);
    this.#now = options.now ?? (() => performance.now());
    this.#server = options.initial;
    this.#state = options.initial;
    this.#previous = options.initial;
    this.#offset = this.#fields.map(() => 0);
  }

  /** The predicted state after every input applied so far. */
  get state(): S {
    return this.#state;
  }

  /** The predicted state one step earlier (for blending between steps). */
  get previous(): S {
    return this.#previous;
  }

  /** The last authoritative state. */
  get serverState(): S {
    return this.#server;
  }

  /** Highest input seq the server had applied in the last reconciled state. */
  get ackSeq(): number {
    return this.#ackSeq;
  }

  /** Inputs sent but not yet acknowledged. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /**
   * One local step: `input` was just sent with `seq` (the value sendInput returned). A seq that does
   * not increase means numbering restarted (a reconnect): the pending inputs from it on were lost.
   */
  apply(seq: number, input: I): S {
    const pending = this.#pending;
    if (pending.length > 0 && seq <= pending[pending.length - 1]!.seq) this.discardAfter(seq - 1);
    pending.push({ seq, input });
    if (pending.length > this.#maxPending) pending.splice(0, pending.length - this.#maxPending);
    this.#previous = this.#state;
    this.#state = this.#step(this.#state, input, this.#dt);
    return this.#state;
  }

  /**
   * An authoritative state for the local player, with the state message's ackSeq: drop the inputs it
   * covers, restart from it and replay the others. Returns the new predicted state.
   */
  reconcile(serverState: S, ackSeq: number): S {
    const pending = this.#pending;
    let acked = 0;
    while (acked < pending.length && pending[acked]!.seq <= ackSeq) acked++;
    if (acked > 0) pending.splice(0, acked);
    const before = this.#state;
    this.#server = serverState;
    this.#ackSeq = ackSeq;
    let state = serverState;
    let previous = serverState;
    for (const { input } of pending) {
      previous = state;
      state = this.#step(state, input, this.#dt);
    }
    this.#previous = previous;
    this.#state = state;
    this.#correct(before, state);
    return state;
  }

  /** Drop pending inputs with seq > `seq`: the server never got them (after a reconnect, WELCOME's lastSeq). */
  discardAfter(seq: number): void {
    const pending = this.#pending;
    let keep = pending.length;
    while (keep > 0 && pending[keep - 1]!.seq > seq) keep--;
    pending.length = keep;
  }

  /** Start over from `state`: no pending inputs, no correction shown. */
  reset(state: S): void {
    this.#pending.length = 0;
    this.#server = state;
    this.#state = state;
    this.#previous = state;
    this.#offset.fill(0);
  }

  /**
   * What to draw: the state blended from `previous` to `state` by `alpha` (the fraction of the local
   * step elapsed, 0-1; default 1), plus what is left of recent corrections on the smoothed fields.
   * Returns a new object; with no `fields` it is `state` itself.
   */
  view(alpha = 1): S {
    const fields = this.#fields;
    if (fields.length === 0) return this.#state;
    const fade = this.#fade();
    const out = { ...this.#state };
    const from = this.#previous as Record<string, number>;
    const to = this.#state as Record<string, number>;
    for (let f = 0; f < fields.length; f++) {
      const key = fields[f]!;
      (out as Record<string, number>)[key] =
        from[key]! + (to[key]! - from[key]!) * alpha + this.#offset[f]! * fade;
    }
    return out;
  }

  /** Carry a reconciliation's jump into the visual offset, so the view moves smoothly instead. */
  #correct(before: S, after: S): void {
    const fields = this.#fields;
    if (fields.length === 0) return;
    const fade = this.#fade();
    const a = before as Record<string, number>;
    const b = after as Record<string, number>;
    let squared = 0;
    for (let f = 0; f < fields.length; f++) {
      const key = fields[f]!;
      this.#offset[f] = this.#offset[f]! * fade + (a[key]! - b[key]!);
      squared += this.#offset[f]! ** 2;
    }
    if (squared > this.#snapSquared || this.#halfLifeMs <= 0) this.#offset.fill(0);
    this.#offsetAt = this.#now();
  }

  /** The share of the offset still shown now. */
  #fade(): number {
    if (this.#halfLifeMs <= 0) return 0;
    return 0.5 ** (Math.max(0, this.#now() - this.#offsetAt) / this.#halfLifeMs);
  }
}
