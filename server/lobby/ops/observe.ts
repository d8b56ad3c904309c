/**
 * One middleware in front of every lobby route: it gives the request an id (a sane incoming
 * `X-Request-Id`, or a fresh one) and returns it in the answer, then counts and times the request
 * by its route template (Hono's matched path, never the raw URL) and logs one line for it. The
 * line has no query string, headers or body: those may carry tokens, keys or cursors.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { RateLimitedError } from '../errors.ts';
import type { LobbyEnv } from '../types.ts';
import { type LobbyMetrics, UNMATCHED_ROUTE } from './metrics.ts';
import { requestIds } from './request-context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What @hono/node-server passes as the app's environment: the Node response being answered. */
interface NodeBindings {
  readonly outgoing?: Pick<ServerResponse, 'setHeader'>;
}

/** An incoming id is kept when it is short and plain (it ends up in logs and headers). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ObserveOptions {
  readonly log: Logger;
  readonly metrics?: LobbyMetrics;
  /** The POST path of match reports, counted as received or refused. */
  readonly matchReportPath: string;
}

/** The request's id: the caller's, when sane, or a new UUID. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The middleware; install it first. */
export function observeRequests(options: ObserveOptions): MiddlewareHandler<LobbyEnv> {
  const { log, metrics, matchReportPath } = options;
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    // Served by @hono/node-server, the id goes straight onto Node's response, which merges it into
    // whatever answer is written (built with the context, a bare Response, a file, a stream). Set
    // through the context after the handler, it made Hono rebuild every finished answer as an undici
    // Response with a stream body (written by the server's slow path); set through the context
    // before it, every answer still carried an undici Headers object instead of a plain one.
    const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
    if (outgoing) outgoing.setHeader(REQUEST_ID_HEADER, requestId);
    else c.header(REQUEST_ID_HEADER, requestId);
    await requestIds.run(requestId, next);
    // Elsewhere (app.request), answers built as a bare Response skip the context's headers.
    if (!outgoing && !c.res.headers.has(REQUEST_ID_HEADER)) c.header(REQUEST_ID_HEADER, requestId);
    const status = c.res.status;
    const route = routeTemplate(routePath(c), status);
    const method = c.req.method;
    const seconds = (performance.now() - started) / 1000;
    if (metrics) {
      metrics.requests.inc({ route, method, status: String(status) });
      metrics.requestSeconds.observe({ route, method }, seconds);
      if (c.error instanceof RateLimitedError) metrics.rateLimited.inc({ budget: c.error.budget });
      if (route === matchReportPath && method === 'POST') {
        metrics.matchReports.inc({ outcome: status < 300 ? 'received' : 'refused', status: String(status) });
      }
    }
    log.info(
      {
        reqId: requestId,
        method,
        route,
        path: c.req.path.slice(0, 200),
        status,
        ms: Math.round(seconds * 10_000) / 10,
      },
      'request',
    );
  };
}

/** Wildcard patterns belong to middleware and static files: a 404 under one matched no route. */
function routeTemplate(path: string, status: number): string {
  if (!path || (status === 404 && path.endsWith('*'))) return UNMATCHED_ROUTE;
  return path;
}
