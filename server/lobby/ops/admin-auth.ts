/**
 * Who may use /v1/admin: the admin key as a bearer credential (scripts, curl), or an admin console
 * session cookie (the browser). A player token or the server key is refused with 403, nothing at
 * all with 401. Sets `c.var.operator`, the name every action is logged with.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { requireKey } from '../server-auth.ts';
import type { AccessTokens } from '../tokens.ts';
import type { LeaderboardWrites, LobbyEnv } from '../types.ts';
import {
  type AdminSessions,
  CSRF_HEADER,
  isOwnOrigin,
  operatorName,
  SESSION_COOKIE,
} from './admin-session.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The admin guard. Without `writes` (no admin key configured) every request is refused. */
export function requireAdmin(
  writes: LeaderboardWrites | undefined,
  tokens: AccessTokens,
  sessions: AdminSessions | undefined,
): MiddlewareHandler<LobbyEnv> {
  const byKey = requireKey('adminKey', writes, tokens);
  return async (c, next) => {
    if (c.req.header('authorization') !== undefined || !sessions) {
      return byKey(c, async () => {
        c.set('operator', operatorName(c.req.header('x-tickforge-operator'), 'admin-key'));
        await next();
      });
    }
    const session = sessions.verify(getCookie(c, SESSION_COOKIE));
    if (!session) {
      throw new UnauthorizedError(
        'This route needs the admin key (Authorization: Bearer <key>) or a console session.',
      );
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin !== undefined && !isOwnOrigin(origin, c.req.url, c.req.header('x-forwarded-proto'))) {
        throw new ForbiddenError('Cross-origin admin requests are refused.');
      }
      if (!sessions.csrfMatches(session, c.req.header(CSRF_HEADER))) {
        throw new ForbiddenError(`A console request that changes something needs the ${CSRF_HEADER} header.`);
      }
    }
    c.set('operator', `console:${session.operator}`);
    c.set('adminSession', session);
    await next();
  };
}
