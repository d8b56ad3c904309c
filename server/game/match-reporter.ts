/**
 * Match results to the lobby: POST /v1/matches with the game nodes' server key, retried with
 * backoff on network errors, 429 and 5xx. The lobby counts each (match, player) once, so a retry
 * after a lost answer never double-counts. A 4xx other than 429 is a report the lobby will never
 * take: logged once, not retried.
 */
import type { Logger } from 'pino';
import type { MatchReport } from './room.ts';

export interface MatchReporterOptions {
  /** The lobby's base URL, e.g. http://127.0.0.1:2568. */
  readonly lobbyUrl: string;
  readonly serverKey: string;
  readonly log: Logger;
  /** Tries in all (default 6: about 6 s of backoff). */
  readonly attempts?: number;
  /** First backoff in ms, doubled per retry (default 200). */
  readonly backoffMs?: number;
  readonly fetch?: typeof fetch;
}

/** A `reportMatch` for GameNode that delivers reports to the lobby over HTTP. */
export function httpMatchReporter(options: MatchReporterOptions): (report: MatchReport) => Promise<void> {
  const { log, serverKey } = options;
  const attempts = options.attempts ?? 6;
  const backoffMs = options.backoffMs ?? 200;
  const send = options.fetch ?? fetch;
  const url = new URL('/v1/matches', options.lobbyUrl).href;
  return async (report) => {
    const body = JSON.stringify(report);
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      try {
        const response = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
          body,
          signal: AbortSignal.timeout(5000),
        });
        const text = await response.text();
        if (response.ok) {
          log.info({ matchId: report.matchId, room: report.roomId, answer: text }, 'match reported');
          return;
        }
        if (response.status !== 429 && response.status < 500) {
          log.error(
            { matchId: report.matchId, status: response.status, answer: text },
            'match report refused',
          );
          return;
        }
        failure = `status ${response.status}`;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= attempts) {
        log.error({ matchId: report.matchId, attempts, failure }, 'match report not delivered');
        return;
      }
      log.warn({ matchId: report.matchId, attempt, failure }, 'match report failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    }
  };
}
