/**
 * The admin console at /admin: a sign-in form (POSTed: the key never travels in a URL), the
 * session cookie it sets (HttpOnly, SameSite=Strict, Secure on https), sign-out, and the console's
 * built files (client-admin/dist, `npm run build:admin`), which talk to /v1/admin with the cookie.
 * GET /v1/admin/session (routes/admin.ts) tells the page who is signed in and its CSRF token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { limitBody } from '../body-limit.ts';
import { ForbiddenError } from '../errors.ts';
import { clientIp, requestBudget } from '../rate-limit.ts';
import type { AdminDeps, LobbyDeps, LobbyEnv } from '../types.ts';
import { isOwnOrigin, operatorName, SESSION_COOKIE, SESSION_TTL_MS } from './admin-session.ts';
import { requestContext } from './request-context.ts';

export const CONSOLE_PATH = '/admin';

/** The console's own files only; it fetches the lobby it came from. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json',
  'app.css': 'text/css; charset=utf-8',
};
/** Sign-in attempts per client IP a minute: the admin key cannot be guessed from a browser form. */
const SIGN_INS_PER_MINUTE = 10;
/** A sign-in form: the admin key and an operator name, form-encoded. */
const SIGN_IN_MAX_BYTES = 2048;

const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Tickforge admin</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/app.css"></head><body>${body}</body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function signInPage(message?: string): string {
  return page(`<main class="sign-in"><h1>Tickforge admin</h1>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${CONSOLE_PATH}/login">
<label>Admin key <input type="password" name="key" autocomplete="current-password" required></label>
<label>Your name (for the audit log) <input type="text" name="operator" maxlength="64" autocomplete="username"></label>
<button type="submit">Sign in</button></form>
<p class="hint">The admin key is TICKFORGE_ADMIN_KEY, or the <code>admin-key</code> file in the data directory.</p></main>`);
}

const CONSOLE_PAGE = page(`<div id="app" data-console><p>Loading...</p></div>
<script type="module" src="${CONSOLE_PATH}/app.js"></script>`);

const NOT_BUILT = page(`<main class="sign-in"><h1>Tickforge admin</h1><p>The admin console is not built.
Run <code>npm run build:admin</code> (<code>npm start</code> does it for you) and reload. The admin API
is running: see <a href="/docs">/docs</a>.</p></main>`);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Mount /admin, its sign-in and sign-out, its files and GET /v1/admin/session. */
export function mountConsole(
  app: Hono<LobbyEnv>,
  deps: LobbyDeps,
  admin: AdminDeps,
  guard: MiddlewareHandler<LobbyEnv>,
): void {
  const adminKey = deps.leaderboardWrites?.adminKey;
  // Counted in the store when it shares budgets (Redis): every lobby of a cluster spends from one.
  const spend = requestBudget('admin-sign-in', SIGN_INS_PER_MINUTE, deps.store.budgets);
  const trustProxy = deps.rateLimits?.trustProxy ?? false;
  const html = (c: Context<LobbyEnv>, body: string, status: 200 | 401 | 403 = 200) => {
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    c.header('x-frame-options', 'DENY');
    return c.html(body, status);
  };
  const built = () => admin.consoleDir !== undefined && existsSync(join(admin.consoleDir, 'app.js'));

  app.get(CONSOLE_PATH, (c) => {
    if (!admin.sessions.verify(getCookie(c, SESSION_COOKIE))) return html(c, signInPage());
    return html(c, built() ? CONSOLE_PAGE : NOT_BUILT);
  });

  // The sign-in form is outside /v1, so it gets a body limit of its own: a key and a name.
  app.post(`${CONSOLE_PATH}/login`, limitBody(SIGN_IN_MAX_BYTES), async (c) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !isOwnOrigin(origin, c.req.url, c.req.header('x-forwarded-proto'))) {
      throw new ForbiddenError('Sign in from the console page itself.');
    }
    const ip = clientIp(c, trustProxy);
    await spend?.(ip);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const key = typeof form.key === 'string' ? form.key : '';
    const operator = operatorName(typeof form.operator === 'string' ? form.operator : undefined, 'operator');
    const valid = adminKey !== undefined && timingSafeEqual(digest(key), digest(adminKey));
    if (!valid) {
      deps.log.warn({ ...requestContext(), operator, ip }, 'admin console: sign-in refused');
      return html(c, signInPage('That is not the admin key.'), 401);
    }
    const { value } = admin.sessions.issue(operator);
    setCookie(c, SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    deps.log.info({ ...requestContext(), operator: `console:${operator}`, ip }, 'admin console: signed in');
    return c.redirect(CONSOLE_PATH, 303);
  });

  app.post(`${CONSOLE_PATH}/logout`, guard, (c) => {
    const session = c.get('adminSession');
    if (session) admin.sessions.revoke(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    deps.log.info({ ...requestContext(), operator: c.var.operator }, 'admin console: signed out');
    return c.body(null, 204);
  });

  app.get(`${CONSOLE_PATH}/:file`, (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type || !built() || admin.consoleDir === undefined) return c.notFound();
    c.header('cache-control', 'no-cache');
    return c.body(readFileSync(join(admin.consoleDir, file)), 200, { 'content-type': type });
  });
}
