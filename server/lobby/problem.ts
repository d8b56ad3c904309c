/**
 * The one place lobby errors become HTTP answers: typed lobby errors, store errors and Hono's own
 * HTTP exceptions map to RFC 9457 problem+json; anything else is logged with context and answered
 * as a generic 500 that reveals nothing.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problem } from '../problem.ts';
import { StoreError, StoreUnavailableError } from '../store/errors.ts';
import { LobbyError, RateLimitedError, UnauthorizedError } from './errors.ts';
import type { LobbyEnv } from './types.ts';

/** Store error codes a client can cause, with their status; other codes are server faults. */
const STORE_STATUS: Readonly<Record<string, number>> = {
  unknown_board: 404,
  invalid_argument: 400,
  invalid_cursor: 400,
};

/** When to come back after the store did not answer: it reconnects on its own within about a second. */
const STORE_RETRY_AFTER_SECONDS = 1;

/** A problem+json response. */
export function problemResponse(body: ProblemDetails, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** The 413 answer of the body-limit middleware. */
export function payloadTooLarge(maxBytes: number): Response {
  return problemResponse(
    problem(413, 'payload-too-large', 'Payload too large', `The request body exceeds ${maxBytes} bytes.`, [
      { field: '/', message: `must be at most ${maxBytes} bytes` },
    ]),
  );
}

/** Map a thrown value to a problem, or undefined when it is not one the lobby expects. */
export function toProblem(error: unknown): ProblemDetails | undefined {
  if (error instanceof LobbyError) {
    return problem(error.status, error.kind, error.title, error.message, error.errors);
  }
  if (error instanceof StoreUnavailableError) {
    return problem(
      503,
      'store-unavailable',
      'Service unavailable',
      'The store does not answer; try again shortly.',
    );
  }
  if (error instanceof StoreError) {
    const status = STORE_STATUS[error.code];
    if (status === undefined) return undefined;
    return problem(
      status,
      error.code.replaceAll('_', '-'),
      status === 404 ? 'Not found' : 'Invalid request',
      error.message,
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    return problem(error.status, `http-${error.status}`, error.message || 'Request refused');
  }
  return undefined;
}

/** Headers a problem's kind calls for: how to authenticate, or when to come back. */
function problemHeaders(error: unknown): Record<string, string> {
  if (error instanceof UnauthorizedError) return { 'www-authenticate': 'Bearer realm="tickforge-lobby"' };
  if (error instanceof RateLimitedError) return { 'retry-after': String(error.retryAfterSeconds) };
  if (error instanceof StoreUnavailableError) return { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) };
  return {};
}

/** Install the error and not-found handlers on a lobby app. */
export function installProblemHandlers(app: Hono<LobbyEnv>, log: Logger): void {
  app.notFound((c) =>
    problemResponse(problem(404, 'not-found', 'Not found', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  app.onError((error, c) => {
    const known = toProblem(error);
    if (known) {
      return problemResponse(known, problemHeaders(error));
    }
    // Context without the URL or headers: query strings and Authorization may carry tokens.
    log.error({ err: error, method: c.req.method, route: routePath(c) }, 'lobby request failed');
    return problemResponse(problem(500, 'internal', 'Internal server error'));
  });
}
