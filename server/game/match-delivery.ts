/**
 * The delivery loop: sends the outbox's reports, oldest first, until the lobby acknowledges each.
 *
 * An acknowledgement is only as durable as the lobby's store: with Redis on `appendfsync everysec`
 * the lobby answers once Redis has applied the report, up to about two seconds before it is on disk,
 * so a Redis crash just then would lose a result the node had already forgotten. Unless the answer
 * says the write is durable (`durable: true`: the embedded store, or Redis on `appendfsync always`),
 * the report stays in the outbox, marked acknowledged, for a confirmation window (`confirmMs`,
 * default 3 s, longer than everysec's worst case), then is sent once more. The lobby counts each
 * (match, player) once, so that answer says which it was: all duplicates (the write survived:
 * confirmed, forgotten) or applied again (it had been lost and is back: counted, and confirmed in
 * turn after another window). A node that restarts within the window sends the confirmation after
 * the restart: the mark is on disk.
 *
 * It retries forever (network errors, 408, 429, 5xx, a misconfigured node): after an exponential
 * backoff with a cap and jitter, or later when the lobby's `Retry-After` says so. A report is forgotten only
 * once acknowledged; a permanent refusal moves it to the dead-letter table, logged once. At most
 * one small batch of reports is in memory; the rest waits on disk.
 */
import type { Logger } from 'pino';
import type { MatchOutbox, PendingReport } from './match-outbox.ts';
import type { GameMetrics, RetryReason } from './metrics.ts';
import type { MatchReport } from './room.ts';

/** What one delivery attempt came to. */
export type SendOutcome =
  | {
      readonly kind: 'delivered';
      readonly answer?: string;
      /**
       * The receiver has the report on disk (`durable` in the lobby's answer). Absent means it
       * does (a receiver with no such notion, such as the log); false: it must be confirmed.
       */
      readonly durable?: boolean;
      /** False when the receiver had every part of it already (all duplicates); absent means true. */
      readonly applied?: boolean;
    }
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
  /**
   * How long after a non-durable acknowledgement the confirmation send goes, in ms (default
   * DEFAULT_CONFIRM_MS); 0 forgets reports on any acknowledgement, never confirming.
   */
  readonly confirmMs?: number;
  /** The clock of the confirmation window (wall-clock ms); injectable for tests. */
  readonly now?: () => number;
}

/**
 * Default confirmation window: Redis's `appendfsync everysec` writes the AOF about once a second
 * and may fall up to two seconds behind when the disk is slow (it then delays writes instead).
 */
export const DEFAULT_CONFIRM_MS = 3_000;

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
  readonly #now: () => number;
  readonly #confirmMs: number;
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
    this.#now = options.now ?? Date.now;
    this.#confirmMs = options.confirmMs ?? DEFAULT_CONFIRM_MS;
  }

  /** Start sending, beginning with whatever the outbox held from before a restart. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** A new report is in the outbox. */
  wake(): void {
    this.#wake?.();
  }

  /** Resolves once the outbox holds no report, unsent or unconfirmed (or the loop stopped). */
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
    const limit = this.#options.batchSize ?? 16;
    let failures = 0;
    while (!signal.aborted) {
      try {
        // New reports first, then the confirmations that are due: both every round, so neither
        // waits for the other to run dry.
        const batch = [...outbox.oldest(limit), ...outbox.unconfirmed(this.#now() - this.#confirmMs, limit)];
        if (batch.length === 0) {
          this.#settle();
          await this.#idle(signal);
          continue;
        }
        for (const pending of batch) {
          if (signal.aborted) break;
          const { report } = pending;
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
          if (outcome.kind === 'delivered') await this.#delivered(pending, outcome);
          else {
            await outbox.refused(pending.id, outcome.reason);
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

  /**
   * The lobby took `pending`: forget it if the answer is durable (or confirms an earlier
   * acknowledgement it had kept), else keep it for a confirmation send after the window.
   */
  async #delivered(
    { id, report, ackedAt }: PendingReport,
    outcome: Extract<SendOutcome, { kind: 'delivered' }>,
  ): Promise<void> {
    const { outbox, log, metrics } = this.#options;
    const where = { matchId: report.matchId, room: report.roomId, answer: outcome.answer };
    const durable = outcome.durable !== false || this.#confirmMs === 0;
    const applied = outcome.applied !== false;
    if (ackedAt === undefined) metrics.reportsDelivered.inc();
    else {
      metrics.reportConfirmations.inc();
      if (applied) {
        // The store lost what it had acknowledged, and this send put it back.
        metrics.reportsReapplied.inc();
        log.warn(where, 'match report was lost by the lobby store after its acknowledgement; applied again');
      }
    }
    // Nothing new applied on a confirmation: the earlier write survived, whatever this answer says.
    if (durable || (ackedAt !== undefined && !applied)) {
      await outbox.delivered(id);
      log.info(where, ackedAt === undefined ? 'match reported' : 'match report confirmed');
      return;
    }
    await outbox.acknowledged(id, this.#now());
    log.info({ ...where, confirmInMs: this.#confirmMs }, 'match reported; confirming after the window');
  }

  /** Wait for a new report, or until the earliest confirmation is due, or for stop(). */
  async #idle(signal: AbortSignal): Promise<void> {
    const next = this.#options.outbox.nextConfirmation();
    const woken = new AbortController();
    this.#wake = () => woken.abort();
    try {
      if (next === undefined) {
        await new Promise<void>((resolve) => woken.signal.addEventListener('abort', () => resolve()));
      } else {
        const dueInMs = Math.max(0, next + this.#confirmMs - this.#now());
        await this.#sleep(dueInMs, AbortSignal.any([signal, woken.signal]));
      }
    } finally {
      this.#wake = undefined;
    }
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
