/**
 * What a node does with a finished match's report, before any player hears MATCH_END: a report
 * with results is checked against the shared report schema and written to the outbox; once it is
 * on disk the room announces MATCH_END and the delivery loop is woken. Decided here, and documented in docs/PROTOCOL.md:
 * - dev rooms (`dev-...`, made by POST /dev/seats) are never reported: their matches never count;
 * - a match that ended with no results (every player left) has nothing to report: logged at info;
 * - a report the lobby would refuse (a NaN score, a bad name, too many results: a game bug) is never
 *   sent: it goes straight to the dead-letter table with the schema's complaint, logged and counted;
 * - if the outbox cannot be written (disk full, I/O error) the report is logged in full at error
 *   level, so an operator can replay it, and counted (`not_durable`).
 * Players get MATCH_END in every case.
 */
import type { Logger } from 'pino';
import { isDevRoom, MatchReportSchema } from '../../shared/protocol/schemas/match-report.ts';
import { fieldProblems } from '../problem.ts';
import { ajv } from '../validation.ts';
import type { MatchDelivery } from './match-delivery.ts';
import type { MatchOutbox } from './match-outbox.ts';
import type { GameMetrics, MatchEndDisposition } from './metrics.ts';
import type { MatchReport } from './room.ts';

const validReport = ajv.compile(MatchReportSchema);

export interface MatchResultsOptions {
  readonly outbox: MatchOutbox;
  readonly delivery: MatchDelivery;
  readonly log: Logger;
  readonly metrics: GameMetrics;
  /**
   * Pending reports above which the node warns that the lobby is not keeping up (logged once per
   * crossing). Reports beyond it are still written: results are never dropped.
   */
  readonly warnPending: number;
}

/** The node's finished matches: recorded durably, then delivered to the lobby. */
export class MatchResults {
  readonly #options: MatchResultsOptions;
  #overWarned = false;

  constructor(options: MatchResultsOptions) {
    this.#options = options;
    options.metrics.reportsPending.set(options.outbox.pending);
    options.metrics.reportsDeadLetters.set(options.outbox.deadLetters);
  }

  /** Deliver what the outbox held from before a restart, and every report recorded from now on. */
  start(): void {
    this.#options.delivery.start();
  }

  /** Decide a finished match's report and make it durable; resolves once it is (never rejects). */
  async record(report: MatchReport): Promise<void> {
    const disposition = await this.#keep(report);
    this.#options.metrics.matchEnds.labels(disposition).inc();
    if (disposition !== 'queued') return;
    this.#warnIfBehind();
    this.#options.delivery.wake();
  }

  /** Resolves once every recorded report is on disk and delivered (or delivery stopped). */
  async drain(): Promise<void> {
    await this.#options.outbox.flushed();
    await this.#options.delivery.drain();
  }

  /** Stop delivering and close the outbox; what is undelivered is sent after the next start. */
  async stop(): Promise<void> {
    await this.#options.delivery.stop();
    await this.#options.outbox.close();
  }

  /** Where the report goes: nowhere, the dead-letter table or the outbox. */
  async #keep(report: MatchReport): Promise<MatchEndDisposition> {
    const { log, outbox, metrics } = this.#options;
    const context = { matchId: report.matchId, room: report.roomId, mode: report.mode };
    if (isDevRoom(report.roomId)) {
      log.info(context, 'dev room match ended; dev rooms are never reported');
      return 'dev_room';
    }
    if (report.results.length === 0) {
      log.info(context, 'match ended with no results (every player left); nothing to report');
      return 'empty';
    }
    try {
      if (validReport(report)) {
        await outbox.add(report);
        return 'queued';
      }
      const problems = fieldProblems(validReport.errors, '/report');
      await outbox.bury(report, `invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
      metrics.reportsDeadLettered.labels('invalid').inc();
      metrics.reportsDeadLetters.set(outbox.deadLetters);
      log.error({ ...context, problems }, 'match report invalid (a game bug); kept in the dead-letter table');
      return 'invalid';
    } catch (err) {
      log.error({ ...context, err, report }, 'match report could not be written to the outbox');
      return 'not_durable';
    }
  }

  #warnIfBehind(): void {
    const pending = this.#options.outbox.pending;
    this.#options.metrics.reportsPending.set(pending);
    const over = pending > this.#options.warnPending;
    if (over && !this.#overWarned) {
      this.#options.log.warn(
        { pending, warnPending: this.#options.warnPending },
        'match reports are piling up in the outbox: is the lobby reachable? (nothing is dropped)',
      );
    }
    this.#overWarned = over;
  }
}
