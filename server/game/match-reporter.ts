/**
 * Match reports to the lobby over HTTP: `POST /v1/matches` with the game nodes' server key, each
 * answer turned into what the delivery loop does next. 2xx with the lobby's acknowledgement of this
 * match: delivered, with whether the lobby's store has it on disk (`durable`) and whether any of it
 * was new to the lobby (see match-delivery.ts for the confirmation send). 429 and 503 (with their `Retry-After`), 408, other 5xx and network failures: try
 * again. 400, 413 and 422 judge the report itself: the lobby will never take it (dead letter). Every
 * other answer says the node is misconfigured, not that the report is bad: a wrong server key (401,
 * 403), a lobby URL that reaches something else (404, 405, a redirect to a GET, a 2xx that is not the
 * lobby's acknowledgement). Those reports are kept and tried again, so fixing the configuration
 * delivers them. The lobby counts each (match, player) once, so a retry after a lost answer never
 * double-counts.
 */
import type { MatchSender, SendOutcome } from './match-delivery.ts';

export interface LobbyReporterOptions {
  /** The lobby's base URL, e.g. http://127.0.0.1:2568. */
  readonly lobbyUrl: string;
  readonly serverKey: string;
  /** How long one request may take before it counts as a timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Wall clock, for `Retry-After` given as an HTTP date. */
  readonly now?: () => number;
}

/** The longest `Retry-After` honoured: a bogus header must not park results for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/** How much of a refusal's body is kept with the dead letter (or logged with a retry). */
const MAX_REASON_CHARS = 500;
/** Answers that judge the report itself, so sending it again can never succeed. */
const REFUSALS: ReadonlySet<number> = new Set([400, 413, 422]);

/** POST /v1/matches's 200 body, as far as the node reads it. */
interface Acknowledgement {
  readonly matchId?: unknown;
  readonly applied?: unknown;
  readonly unchanged?: unknown;
  readonly durable?: unknown;
}

/**
 * The delivered outcome when `answer` is the lobby's acknowledgement of match `matchId`, else
 * undefined. Only `durable: true` spares the confirmation send (a lobby that does not say is not
 * trusted to be durable); `applied` is whether anything in it was new to the lobby (not all duplicates).
 */
function acknowledgement(answer: string, matchId: string): SendOutcome | undefined {
  let body: unknown;
  try {
    body = JSON.parse(answer);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const ack = body as Acknowledgement;
  if (ack.matchId !== matchId) return undefined;
  const fresh = Number(ack.applied ?? 0) + Number(ack.unchanged ?? 0);
  return { kind: 'delivered', answer, durable: ack.durable === true, applied: fresh !== 0 };
}

/**
 * `Retry-After` in ms (delay-seconds or an HTTP date, RFC 9110 §10.2.3), capped at an hour, or
 * undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** A MatchSender that posts reports to the lobby with the server key. */
export function lobbyReporter(options: LobbyReporterOptions): MatchSender {
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL('/v1/matches', options.lobbyUrl).href;
  // Where reports go, as logged with a misconfiguration: never with credentials a URL may carry.
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.serverKey}` };
  return async (report, signal): Promise<SendOutcome> => {
    let response: Response;
    let answer: string;
    try {
      response = await send(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(report),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      answer = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { kind: 'retry', reason: timedOut ? 'timeout' : 'network', detail: String(error) };
    }
    const { status } = response;
    const delivered = response.ok ? acknowledgement(answer, report.matchId) : undefined;
    if (delivered) return delivered;
    const afterMs = retryAfterMs(response.headers.get('retry-after'), now());
    const detail = `status ${status}`;
    const said = `${detail}: ${answer.slice(0, MAX_REASON_CHARS)}`;
    if (status === 429) return { kind: 'retry', reason: 'rate_limited', detail, afterMs };
    if (status === 503) return { kind: 'retry', reason: 'unavailable', detail, afterMs };
    if (status === 408) return { kind: 'retry', reason: 'timeout', detail, afterMs };
    if (status >= 500) return { kind: 'retry', reason: 'server_error', detail, afterMs };
    if (REFUSALS.has(status)) return { kind: 'refused', reason: said };
    const fix = status === 401 || status === 403 ? 'check the server key' : 'check the lobby URL';
    return { kind: 'retry', reason: 'misconfigured', detail: `${said} (${fix}: ${shown.href})`, afterMs };
  };
}
