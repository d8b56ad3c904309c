/**
 * Errors of the lobby client: a refused request (an RFC 9457 problem+json answer, or any non-2xx),
 * and a matchmaking ticket that ended without a match.
 */
import type { Ticket } from './lobby-types.ts';

/** One field a request got wrong: a JSON Pointer into the request (`/body/name`) and why. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** The lobby refused a request. */
export class LobbyError extends Error {
  override readonly name = 'LobbyError';
  /** HTTP status. */
  readonly status: number;
  /** The problem type URI (e.g. https://tickforge.dev/problems/validation), `about:blank` if none. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** Field errors of a validation problem; empty otherwise. */
  readonly errors: readonly FieldError[];
  /** Seconds to wait before retrying (from Retry-After, on 429 and 503). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    type?: string;
    title?: string;
    detail?: string;
    errors?: readonly FieldError[];
    retryAfter?: number;
  }) {
    const title = init.title ?? `HTTP ${init.status}`;
    super(init.detail ?? title);
    this.status = init.status;
    this.type = init.type ?? 'about:blank';
    this.title = title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter;
  }

  /** Read a refused response's problem body (or make do without one). */
  static async fromResponse(response: Response, now: () => number = Date.now): Promise<LobbyError> {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      body = undefined; // not JSON (a proxy's HTML page, an empty body): status and headers still say enough
    }
    const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return new LobbyError({
      status: response.status,
      type: text(problem.type) ?? 'about:blank',
      title: text(problem.title) ?? (response.statusText || `HTTP ${response.status}`),
      ...(text(problem.detail) !== undefined ? { detail: text(problem.detail)! } : {}),
      errors: Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [],
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    });
  }
}

/** A ticket reached a final status other than matched (expired, cancelled). */
export class TicketEndedError extends Error {
  override readonly name = 'TicketEndedError';
  readonly ticket: Ticket;
  constructor(ticket: Ticket) {
    super(
      ticket.status === 'matched'
        ? `ticket ${ticket.ticketId} was matched, but its room is gone (no seat to take)`
        : `ticket ${ticket.ticketId} ended ${ticket.status} without a match`,
    );
    this.ticket = ticket;
  }
}

function isFieldError(v: unknown): v is FieldError {
  const e = v as { field?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.field === 'string' && typeof e.message === 'string';
}

/** Retry-After as seconds: delta-seconds, or an HTTP date turned into seconds from now. */
function parseRetryAfter(value: string | null, now: () => number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now()) / 1000));
}
