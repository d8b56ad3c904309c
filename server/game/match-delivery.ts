/**
 * The delivery loop: sends the outbox's reports, oldest first, until the lobby acknowledges each.
 * It retries forever (network errors, 408, 429, 5xx, a misconfigured node): after an exponential
 * backoff with a cap and jitter, or later when the lobby's `Retry-After` says so. A report is forgotten only
 * once acknowledged; a permanent refusal moves it to the dead-letter table, logged once. At most
 * one small batch of reports is in memory; the rest waits on disk.
 */
import type { Logger } from 'pino';
import type { MatchOutbox } from './match-outbox.ts';
import type { GameMetrics, RetryReason } from './metrics.ts';
import type { MatchReport } from './room.ts';

/** What one delivery attempt came to. */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly answer?: string }
  | {
      readonly kind: 'retry';
      readonly reason: RetryReason;
      readonly detail: string;
      /** The receiver's own word on when to come back (`Retry-After`), in ms. */
      readonly afterMs?: number | undefined;
    }
  | { readonly kind: 'refused'; readonly reason: string };

/** Delivers one report; `signal` aborts it when the node stops. Must not throw. */
export type MatchSender = (report: MatchReport, signal: AbortSignal) => Promise<SendOutcome>;

/** Waits `ms`, or less when `signal` aborts. Injectable so tests never really wait. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface MatchDeliveryOptions {
  readonly outbox: MatchOutbox;
  readonly send: MatchSender;
  readonly log: Logger;
  readonly metrics: GameMetrics;
  readonly sleep?: Sleep;
  /** Uniform in [0, 1), for the jitter. */
  readonly random?: () => number;
  /** First backoff ceiling in ms, doubled per consecutive failure (default 250). */
  readonly backoffMs?: number;
  /** Largest backoff ceiling in ms (default 30 s). */
  readonly maxBackoffMs?: number;
  /** Reports read from disk at a time (default 16). */
  readonly batchSize?: number;
}

/** A sleep on a timer that ends early, without error, when `signal` aborts. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Sends what the outbox holds; `wake()` on every new report, `stop()` to end. */
export class MatchDelivery {
  readonly #options: MatchDeliveryOptions;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #stopping = new AbortController();
  /** Resolves the loop's wait for new reports. */
  #wake: (() => void) | undefined;
  /** Waiting for the outbox to empty (drain). */
  readonly #emptied = new Set<() => void>();
  #loop: Promise<void> | undefined;

  constructor(options: MatchDeliveryOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? timerSleep;
    this.#random = options.random ?? Math.random;
  }

  /** Start sending, beginning with whatever the outbox held from before a restart. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** A new report is in the outbox. */
  wake(): void {
    this.#wake?.();
  }

  /** Resolves once the outbox holds no pending report (or the loop stopped). */
  drain(): Promise<void> {
    if (this.#options.outbox.pending === 0 || this.#stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.#emptied.add(resolve));
  }

  /** Abort the send under way and end the loop; undelivered reports stay in the outbox. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#wake?.();
    this.#settle();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { outbox, log, metrics } = this.#options;
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const batch = outbox.oldest(this.#options.batchSize ?? 16);
        if (batch.length === 0) {
          this.#settle();
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = undefined;
          continue;
        }
        for (const { id, report } of batch) {
          if (signal.aborted) break;
          const outcome = await this.#attempt(report, signal);
          if (signal.aborted) break; // the answer may be lost: the report stays for the next start
          if (outcome.kind === 'retry') {
            failures++;
            metrics.reportRetries.labels(outcome.reason).inc();
            // Retry-After is the earliest time to come back, never a reason to skip the backoff: a
            // `Retry-After: 0` (or a date gone by) on every answer must not become a request loop.
            const waitMs = Math.max(outcome.afterMs ?? 0, this.#backoff(failures));
            log.warn(
              { matchId: report.matchId, attempt: failures, failure: outcome.detail, retryInMs: waitMs },
              'match report not delivered; retrying',
            );
            await this.#sleep(waitMs, signal);
            break; // start again from the oldest report, this one
          }
          failures = 0;
          if (outcome.kind === 'delivered') {
            await outbox.delivered(id);
            metrics.reportsDelivered.inc();
            log.info(
              { matchId: report.matchId, room: report.roomId, answer: outcome.answer },
              'match reported',
            );
          } else {
            await outbox.refused(id, outcome.reason);
            metrics.reportsDeadLettered.labels('refused').inc();
            metrics.reportsDeadLetters.set(outbox.deadLetters);
            log.error(
              { matchId: report.matchId, room: report.roomId, reason: outcome.reason },
              'match report refused by the lobby; kept in the dead-letter table',
            );
          }
          metrics.reportsPending.set(outbox.pending);
        }
      } catch (err) {
        // The outbox itself failed (disk full, I/O error): say so and try again later.
        failures++;
        log.error({ err }, 'match outbox failed; retrying');
        await this.#sleep(this.#backoff(failures), signal);
      }
    }
    this.#settle();
  }

  /** One send; a sender that throws anyway counts as a network failure, never ends the loop. */
  async #attempt(report: MatchReport, signal: AbortSignal): Promise<SendOutcome> {
    try {
      return await this.#options.send(report, signal);
    } catch (error) {
      return { kind: 'retry', reason: 'network', detail: String(error) };
    }
  }

  /**
   * Exponential backoff with equal jitter: uniform in [c/2, c] for c = min(cap, base * 2^(n-1)),
   * so nodes that failed together do not retry in step, and none retries in a tight loop.
   */
  #backoff(failures: number): number {
    const base = this.#options.backoffMs ?? 250;
    const cap = this.#options.maxBackoffMs ?? 30_000;
    const ceiling = Math.min(cap, base * 2 ** Math.min(failures - 1, 30));
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** Resolve drain() waiters when there is nothing left to wait for. */
  #settle(): void {
    if (this.#options.outbox.pending > 0 && !this.#stopping.signal.aborted) return;
    for (const resolve of this.#emptied) resolve();
    this.#emptied.clear();
  }
}
