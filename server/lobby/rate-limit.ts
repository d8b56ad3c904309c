/**
 * Per-client request budgets: fixed windows of `perMinute` requests per key (the client's IP, or
 * the authenticated player), counted by rate-limiter-flexible: in the store when it keeps budgets
 * for every lobby (Redis: store/redis/budgets.ts), else in this process's memory. Past the budget a
 * request is refused with 429 and `Retry-After`, before any handler or store work. 0 is off.
 * Server-to-server requests (the server and admin keys) are exempt: they are not clients.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedBudgets } from '../store/types.ts';
import { RateLimitedError } from './errors.ts';
import type { LobbyEnv } from './types.ts';

/** Request budgets per minute; 0 turns one off. */
export interface RateLimits {
  /** Every /v1 request, per client IP. */
  readonly ipPerMinute: number;
  /** Every authenticated request, per player. */
  readonly playerPerMinute: number;
  /** Guest sign-ups, per client IP (each one creates a stored account). */
  readonly guestPerMinute: number;
  /**
   * Take the client IP from X-Forwarded-For: the last address in it, the one the proxy in front of
   * the lobby appended (everything before it came from the client and proves nothing).
   */
  readonly trustProxy: boolean;
}

/** Defaults for one machine serving players directly. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  ipPerMinute: 1200,
  playerPerMinute: 600,
  guestPerMinute: 60,
  trustProxy: false,
};

/** The client's IP: the socket's, or the proxy's word for it when trusted. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by @hono/node-server (app.request in tests)
  }
}

/** Spends one request of a key's budget, or throws RateLimitedError (429) past it. */
export type SpendBudget = (key: string) => Promise<void>;

/**
 * A budget of `perMinute` requests per key in fixed one-minute windows, counted in `shared` when
 * given (every lobby spends from it), else in memory; undefined when 0 (off).
 */
export function requestBudget(
  scope: string,
  perMinute: number,
  shared?: SharedBudgets,
): SpendBudget | undefined {
  if (perMinute <= 0) return undefined;
  const limiter =
    shared?.limiter(scope, perMinute) ??
    new RateLimiterMemory({ keyPrefix: scope, points: perMinute, duration: 60 });
  return async (key) => {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new RateLimitedError(
        seconds,
        `Too many requests (${scope}: ${perMinute} a minute); retry in ${seconds} s.`,
        scope,
      );
    }
  };
}

/**
 * Middleware spending one request of `perMinute` from the bucket `keyOf(c)` names; requests for
 * which `exempt(c)` is true (server-to-server traffic) spend nothing.
 */
export function rateLimit(
  scope: string,
  perMinute: number,
  keyOf: (c: Context<LobbyEnv>) => string,
  exempt?: (c: Context<LobbyEnv>) => boolean,
  shared?: SharedBudgets,
): MiddlewareHandler<LobbyEnv> {
  const spend = requestBudget(scope, perMinute, shared);
  if (!spend) return (_c, next) => next();
  return async (c, next) => {
    if (exempt?.(c)) return next();
    await spend(keyOf(c));
    await next();
  };
}
