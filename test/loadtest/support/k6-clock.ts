/**
 * Time for the emulated k6 VU: a virtual clock (tests run a minutes-long session in milliseconds
 * and get the same numbers every time) or the real one (VUs in worker threads against a real
 * lobby and game node), and the VU's event loop, which runs timers and socket events in time order
 * until none is left and no socket is open, as k6 does before it ends an iteration.
 */

/** What passes for time in one VU. */
export interface Clock {
  now(): number;
  /** Block the VU for `ms` (k6's sleep, or waiting for the next event). */
  advance(ms: number): void;
}

/** A clock that moves only when the VU waits. */
export class VirtualClock implements Clock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (ms > 0) this.#now += ms;
  }
}

/** The wall clock; waiting blocks the thread (a worker thread's, never the test runner's). */
export class RealClock implements Clock {
  readonly #cell = new Int32Array(new SharedArrayBuffer(4));

  now(): number {
    return Date.now();
  }

  advance(ms: number): void {
    if (ms > 0) Atomics.wait(this.#cell, 0, 0, ms);
  }
}

/**
 * Events from outside the VU's thread (a real socket's frames): the loop waits on them instead of
 * sleeping while any is still expected.
 */
export interface ExternalEvents {
  /** True while an event may still come (a socket is open or opening). */
  pending(): boolean;
  /** Run the events that have arrived, without blocking. */
  poll(): void;
  /** Block until an event arrives or `ms` pass. */
  wait(ms: number): void;
}

/** A task on the clock. */
interface Task {
  readonly id: number;
  at: number;
  readonly seq: number;
  readonly run: () => void;
  readonly every?: number;
}

/** Timers and socket events, run in time order. */
export class EventLoop {
  readonly clock: Clock;
  readonly #tasks = new Map<number, Task>();
  #external: ExternalEvents | undefined;
  #ids = 0;
  #seq = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Wait on `events` too (real sockets); the loop is not done while they are pending. */
  attach(events: ExternalEvents): void {
    this.#external = events;
  }

  get now(): number {
    return this.clock.now();
  }

  /** Run `run` after `delayMs` (and every `every` ms after that, if given); the task's id (from 1). */
  schedule(delayMs: number, run: () => void, every?: number): number {
    const id = ++this.#ids;
    this.#tasks.set(id, {
      id,
      at: this.now + Math.max(0, delayMs),
      seq: ++this.#seq,
      run,
      ...(every !== undefined ? { every } : {}),
    });
    return id;
  }

  cancel(id: number): void {
    this.#tasks.delete(id);
  }

  /**
   * Run tasks (and external events) until none is left; throws if the script keeps the loop busy
   * past `limitMs`.
   */
  drain(limitMs: number): void {
    const end = this.now + limitMs;
    const external = this.#external;
    for (;;) {
      external?.poll();
      let next: Task | undefined;
      for (const task of this.#tasks.values()) {
        if (!next || task.at < next.at || (task.at === next.at && task.seq < next.seq)) next = task;
      }
      const waiting = external?.pending() ?? false;
      if (!next && !waiting) return;
      const due = next?.at ?? Number.POSITIVE_INFINITY;
      if (waiting ? this.now >= end : due > end) throw new Error(`event loop still busy after ${limitMs} ms`);
      if (waiting && due > this.now) {
        // An event may come first: wait for it, or for the next timer, then look again.
        external!.wait(Math.min(due, end) - this.now);
        continue;
      }
      if (!next) continue;
      this.clock.advance(next.at - this.now);
      if (next.every !== undefined) {
        // Like k6's setInterval: the next run is one interval after this one.
        next.at = Math.max(next.at, this.now) + next.every;
      } else {
        this.#tasks.delete(next.id);
      }
      next.run();
    }
  }
}
