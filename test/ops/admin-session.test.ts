/**
 * The admin console's session over real HTTP, as an attacker sees it: a signed-out cookie must
 * stop working (a copy of it must not outlive the sign-out), a refused sign-in is logged with the
 * address it came from, and the sign-in budget holds across every lobby of a cluster (two lobbies
 * on one real redis-server), so a load balancer does not multiply the guesses an address gets.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../server/store/redis/index.ts';
import { ADMIN_KEY, SERVER_KEY } from '../lobby/leaderboard-support.ts';
import { startLobby, type TestLobby, type TestLobbyOptions } from '../lobby/support.ts';
import { skipRedis, useRedisServer } from '../support/redis-server.ts';

const WRITES: TestLobbyOptions = {
  leaderboardWrites: { serverKey: SERVER_KEY, adminKey: ADMIN_KEY, boardsForMode: () => [] },
  // Not built: the sign-in and sign-out routes are served all the same.
  consoleDir: '/nonexistent/client-admin/dist',
};

/** POST the sign-in form; the answer is not followed. */
const signIn = (lobby: TestLobby, key: string, operator = 'mallory') =>
  fetch(`${lobby.url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key, operator }).toString(),
    redirect: 'manual',
  });

/** The `name=value` of the session cookie a sign-in set. */
function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tickforge_admin='));
  if (!cookie) throw new Error(`no session cookie (status ${response.status})`);
  return cookie.split(';')[0] ?? '';
}

describe('admin console session', () => {
  let lobby: TestLobby;
  beforeAll(async () => {
    lobby = await startLobby(WRITES);
  });
  afterAll(async () => {
    await lobby.close();
  });

  it('sign-out ends the session: a copy of the cookie no longer opens the admin API', async () => {
    const signedIn = await signIn(lobby, ADMIN_KEY);
    expect(signedIn.status).toBe(303);
    const cookie = sessionCookie(signedIn);
    const session = await fetch(`${lobby.url}/v1/admin/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    const { csrf } = (await session.json()) as { csrf: string };
    // The CSRF token (and every admin answer: players, keys of boards) is never kept by a cache.
    expect(session.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(`${lobby.url}/v1/admin/nodes`);
    expect(refused.headers.get('cache-control')).toBe('no-store');

    const out = await fetch(`${lobby.url}/admin/logout`, {
      method: 'POST',
      headers: { cookie, 'x-tickforge-csrf': csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/tickforge_admin=;/);

    // The browser dropped it, but a copy (another tab's, a stolen one) is still the same string.
    expect((await fetch(`${lobby.url}/v1/admin/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${lobby.url}/v1/admin/nodes`, { headers: { cookie } })).status).toBe(401);
    const page = await (await fetch(`${lobby.url}/admin`, { headers: { cookie } })).text();
    expect(page).toContain('name="key"'); // the sign-in form, not the console
    // Signing in again gives a new session that works.
    const again = sessionCookie(await signIn(lobby, ADMIN_KEY));
    expect((await fetch(`${lobby.url}/v1/admin/session`, { headers: { cookie: again } })).status).toBe(200);
  });

  it('logs a refused sign-in with the address it came from, never the key tried', async () => {
    const tried = 'a-guess-at-the-admin-key-that-is-long-enough';
    expect((await signIn(lobby, tried, 'guesser')).status).toBe(401);
    const line = lobby.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter(Boolean)
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === 'admin console: sign-in refused' && entry.operator === 'guesser');
    expect(line).toMatchObject({ ip: '127.0.0.1' });
    expect(lobby.logs.join()).not.toContain(tried);
  });
});

describe.skipIf(skipRedis())('admin sign-in budget across lobbies on one Redis', () => {
  const redis = useRedisServer();
  let a: TestLobby;
  let b: TestLobby;
  afterEach(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('an address that spent its sign-ins on one lobby is refused by the other', async () => {
    const clock = { now: Date.UTC(2026, 11, 2, 12) };
    const openStore = (now: () => number) =>
      openRedisStore({ url: redis.server.url, prefix: 'admin-sign-in', boards: [], now });
    a = await startLobby({ ...WRITES, openStore, clock });
    b = await startLobby({ ...WRITES, openStore, clock });
    for (let i = 0; i < 10; i++) expect((await signIn(a, `wrong-${i}`)).status).toBe(401);
    expect((await signIn(a, 'wrong-a')).status).toBe(429);
    const onB = await signIn(b, 'wrong-b');
    expect(onB.status).toBe(429);
    expect(Number(onB.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

/** A raw HTTP request (fetch may not set Host), as a TLS-ending proxy forwards the browser's. */
function proxied(
  lobby: TestLobby,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const { port } = new URL(lobby.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('admin console behind a proxy that ends TLS (README: Caddy in front of the lobbies)', () => {
  let lobby: TestLobby;
  beforeAll(async () => {
    lobby = await startLobby(WRITES);
  });
  afterAll(async () => {
    await lobby.close();
  });
  // What the browser at https://play.example.com sends, and what the proxy adds.
  const fromBrowser = (origin: string) => ({
    host: 'play.example.com',
    origin,
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.7',
  });

  it('signs in and acts from the https page, and still refuses another site', async () => {
    const form = new URLSearchParams({ key: ADMIN_KEY, operator: 'alice' }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const evil = await proxied(lobby, 'POST', '/admin/login', {
      ...fromBrowser('https://evil.example'),
      ...formHeaders,
    });
    expect(evil.status).toBe(403);

    const signedIn = await proxied(
      lobby,
      'POST',
      '/admin/login',
      {
        ...fromBrowser('https://play.example.com'),
        ...formHeaders,
      },
      form,
    );
    expect(signedIn.status).toBe(303);
    const setCookie = signedIn.headers['set-cookie']?.join() ?? '';
    expect(setCookie).toMatch(/; Secure/);
    const cookie = setCookie.split(';')[0] ?? '';
    const session = await fetch(`${lobby.url}/v1/admin/session`, { headers: { cookie } });
    const { csrf } = (await session.json()) as { csrf: string };

    const change = (origin: string) =>
      proxied(lobby, 'POST', '/v1/admin/nodes/node-1/undrain', {
        ...fromBrowser(origin),
        cookie,
        'x-tickforge-csrf': csrf,
      });
    expect((await change('https://evil.example')).status).toBe(403);
    // Past the origin check: no such node here (404), not a refusal (403).
    expect((await change('https://play.example.com')).status).toBe(404);
    const out = await proxied(lobby, 'POST', '/admin/logout', {
      ...fromBrowser('https://play.example.com'),
      cookie,
      'x-tickforge-csrf': csrf,
    });
    expect(out.status).toBe(204);
  });
});
