/**
 * The fixed-step clock that drives every room in the process: one timer, many rooms.
 *
 * Tick k of a task is due at `origin + k * period`, computed from the origin rather than from the
 * previous tick, so lateness never accumulates into drift. A late process catches up at most
 * `maxCatchUpTicks` ticks per task per wake-up; ticks beyond that are skipped and counted as
 * slipped (a room that runs many ticks back to back to catch up would hurt every other room).
 */

/** Milliseconds from a monotonic source (performance.now in production). */
export interface MonotonicClock {
  now(): number;
}

/** The one-shot timer the scheduler re-arms after each wake-up. */
export interface WakeTimer {
  set(callback: () => void, delayMs: number): void;
  cancel(): void;
}

/** Something that advances by fixed steps: a room. */
export interface TickTask {
  /** Run step `tick` (1, 2, 3...) of `dtSeconds`. Exceptions are caught and reported. */
  tick(tick: number, dtSeconds: number): void;
}

/** Counters a scheduler keeps, per task and for the whole process. */
export interface TickCounters {
  /** Ticks run. */
  ticks: number;
  /** Ticks that took longer than one period to run. */
  overruns: number;
  /** Ticks skipped because the process fell further behind than the catch-up cap. */
  slipped: number;
}

/** A task's place in the schedule. */
export interface ScheduleEntry {
  readonly task: TickTask;
  readonly tickRate: number;
  readonly periodMs: number;
  readonly counters: Readonly<TickCounters>;
}

export interface SchedulerOptions {
  readonly clock: MonotonicClock;
  readonly timer: WakeTimer;
  /** Most ticks one task runs in one wake-up to catch up. Default 3. */
  readonly maxCatchUpTicks?: number;
  /** Ticks due within this many ms are run in the same wake-up. Default 1. */
  readonly coalesceMs?: number;
  /** Told about every tick that threw, and every tick that ran (with its duration in ms). */
  readonly onTickError?: (entry: ScheduleEntry, error: unknown) => void;
  readonly onTick?: (entry: ScheduleEntry, durationMs: number, overrun: boolean) => void;
  /** Told when ticks are skipped because the process fell too far behind. */
  readonly onSlip?: (entry: ScheduleEntry, skipped: number) => void;
}

interface MutableEntry extends ScheduleEntry {
  readonly origin: number;
  /** Ticks run or skipped so far; the next tick is `done + 1`. */
  done: number;
  readonly counters: TickCounters;
  removed: boolean;
}

/** Drives every registered task at its own fixed rate from one timer. */
export class TickScheduler {
  readonly #clock: MonotonicClock;
  readonly #timer: WakeTimer;
  readonly #maxCatchUp: number;
  readonly #coalesceMs: number;
  readonly #onTickError: SchedulerOptions['onTickError'];
  readonly #onTick: SchedulerOptions['onTick'];
  readonly #onSlip: SchedulerOptions['onSlip'];
  readonly #entries = new Set<MutableEntry>();
  readonly #wake = (): void => this.runDue();
  #armedAt = Number.POSITIVE_INFINITY;
  #running = false;
  /** Totals over every task, including removed ones. */
  readonly counters: TickCounters = { ticks: 0, overruns: 0, slipped: 0 };

  constructor(options: SchedulerOptions) {
    this.#clock = options.clock;
    this.#timer = options.timer;
    this.#maxCatchUp = options.maxCatchUpTicks ?? 3;
    this.#coalesceMs = options.coalesceMs ?? 1;
    this.#onTickError = options.onTickError;
    this.#onTick = options.onTick;
    this.#onSlip = options.onSlip;
  }

  /** Number of scheduled tasks. */
  get size(): number {
    return this.#entries.size;
  }

  /** Start ticking `task` at `tickRate` Hz; its first tick is one period from now. */
  add(task: TickTask, tickRate: number): ScheduleEntry {
    if (!(tickRate > 0 && tickRate <= 1000))
      throw new RangeError(`tick rate must be in (0, 1000] Hz, got ${tickRate}`);
    const entry: MutableEntry = {
      task,
      tickRate,
      periodMs: 1000 / tickRate,
      origin: this.#clock.now(),
      done: 0,
      counters: { ticks: 0, overruns: 0, slipped: 0 },
      removed: false,
    };
    this.#entries.add(entry);
    this.#arm();
    return entry;
  }

  /** Stop ticking a task. Safe to call from inside its own tick. */
  remove(entry: ScheduleEntry): void {
    const mutable = entry as MutableEntry;
    mutable.removed = true;
    this.#entries.delete(mutable);
    if (this.#entries.size === 0) this.stop();
  }

  /** Cancel the timer; tasks stay registered and resume (with skipped ticks counted) on the next add. */
  stop(): void {
    this.#timer.cancel();
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  /** Run every tick that is due now, then re-arm the timer for the next one. */
  runDue(): void {
    if (this.#running) return;
    this.#running = true;
    this.#armedAt = Number.POSITIVE_INFINITY;
    try {
      const horizon = this.#clock.now() + this.#coalesceMs;
      for (const entry of this.#entries) this.#runEntry(entry, horizon);
    } finally {
      this.#running = false;
      this.#arm();
    }
  }

  #runEntry(entry: MutableEntry, horizon: number): void {
    let behind = Math.floor((horizon - entry.origin) / entry.periodMs) - entry.done;
    if (behind > this.#maxCatchUp) {
      const skipped = behind - this.#maxCatchUp;
      entry.done += skipped;
      entry.counters.slipped += skipped;
      this.counters.slipped += skipped;
      this.#onSlip?.(entry, skipped);
      behind = this.#maxCatchUp;
    }
    const dt = entry.periodMs / 1000;
    for (; behind > 0 && !entry.removed; behind--) {
      const tick = ++entry.done;
      const started = this.#clock.now();
      try {
        entry.task.tick(tick, dt);
      } catch (error) {
        this.#onTickError?.(entry, error);
      }
      const duration = this.#clock.now() - started;
      const overrun = duration > entry.periodMs;
      entry.counters.ticks++;
      this.counters.ticks++;
      if (overrun) {
        entry.counters.overruns++;
        this.counters.overruns++;
      }
      this.#onTick?.(entry, duration, overrun);
    }
  }

  #arm(): void {
    if (this.#running || this.#entries.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) {
      const due = entry.origin + (entry.done + 1) * entry.periodMs;
      if (due < next) next = due;
    }
    if (next >= this.#armedAt) return;
    this.#timer.cancel();
    this.#armedAt = next;
    this.#timer.set(this.#wake, Math.max(0, next - this.#clock.now()));
  }
}

/** The production clock: performance.now(), which never jumps with wall-clock changes. */
export const monotonicClock: MonotonicClock = { now: () => performance.now() };

/** The production timer: one pending setTimeout at a time. */
export function createWakeTimer(): WakeTimer {
  let handle: ReturnType<typeof setTimeout> | undefined;
  return {
    set(callback, delayMs) {
      if (handle !== undefined) clearTimeout(handle);
      handle = setTimeout(callback, delayMs);
    },
    cancel() {
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
    },
  };
}
