/**
 * Logs a fault that repeats on every run of a timer (a matchmaking pass while the store is out of
 * reach) once per interval instead of on every run: the first failure at once, then at most one
 * line per `intervalMs` with how many failures it left unlogged, and one line when runs succeed
 * again. Time is the injected clock.
 */
import type { Logger } from 'pino';

/** Default: one line per 10 s of a lasting fault, as the store's connection faults are logged. */
export const FAULT_LOG_INTERVAL_MS = 10_000;

export class FaultLog {
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #message: string;
  readonly #intervalMs: number;
  #loggedAt = Number.NEGATIVE_INFINITY;
  /** Failures since the last success. */
  #failures = 0;
  /** Failures not logged since the last line. */
  #unlogged = 0;

  constructor(options: {
    readonly log: Logger;
    readonly now: () => number;
    /** What failed, e.g. 'matchmaking pass failed'. */
    readonly message: string;
    readonly intervalMs?: number;
  }) {
    this.#log = options.log;
    this.#now = options.now;
    this.#message = options.message;
    this.#intervalMs = options.intervalMs ?? FAULT_LOG_INTERVAL_MS;
  }

  failed(err: unknown): void {
    this.#failures++;
    if (this.#now() - this.#loggedAt < this.#intervalMs) {
      this.#unlogged++;
      return;
    }
    this.#log.error({ err, failures: this.#failures, unlogged: this.#unlogged }, this.#message);
    this.#loggedAt = this.#now();
    this.#unlogged = 0;
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.#log.info({ failures: this.#failures }, `${this.#message}: recovered`);
    this.#failures = 0;
    this.#unlogged = 0;
    this.#loggedAt = Number.NEGATIVE_INFINITY;
  }
}
