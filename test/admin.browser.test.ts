/**
 * The admin console end to end, in headless Chromium against a whole Tickforge with two bots
 * playing in a room: sign in with the admin key (a wrong key is refused; the session cookie is
 * HttpOnly and SameSite=Strict; the key never shows in a URL), see the bots' room, open it (live
 * entities, players with round trips), kick a bot (its socket closes with 4012), and a change
 * without the CSRF header is refused. Screenshots go to test-output/admin/ (ignored by git; the
 * ones in docs/ were taken from a run).
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_DIST } from '../client-admin/build.ts';
import { CONSOLE_DIR } from '../server/tickforge.ts';
import { GameClient } from '../shared/client/game-client.ts';
import { CloseCode } from '../shared/protocol/codes.ts';
import { launchChromium, skipChromium } from './support/chromium.ts';
import { startTestTickforge, type TestTickforge } from './support/tickforge.ts';

const SHOTS = fileURLToPath(new URL('../test-output/admin/', import.meta.url));
const ADMIN_KEY = 'the-admin-key-of-the-console-test-000';

interface Bot {
  readonly name: string;
  readonly playerId: string;
  readonly client: GameClient;
  readonly closed: Promise<number>;
}

describe.skipIf(skipChromium())('admin console (headless Chromium)', () => {
  let tickforge: TestTickforge | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const bots: Bot[] = [];
  let roomId = '';
  let inputs: ReturnType<typeof setInterval> | undefined;
  const errors: string[] = [];

  async function bot(name: string, join?: string): Promise<Bot> {
    const lobby = tickforge!.lobbyUrl;
    const signedUp = await fetch(`${lobby}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const { playerId, accessToken } = (await signedUp.json()) as { playerId: string; accessToken: string };
    const seated = await fetch(join ? `${lobby}/v1/rooms/${join}/seats` : `${lobby}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(join ? {} : { mode: 'arena' }),
    });
    const { reservation } = (await seated.json()) as {
      reservation: { url: string; seat: string; roomId: string };
    };
    roomId = reservation.roomId;
    const client = await GameClient.connect({
      url: reservation.url,
      seat: reservation.seat,
      pingIntervalMs: 0,
    });
    const closed = new Promise<number>((resolve) => client.once('close', ({ code }) => resolve(code)));
    return { name, playerId, client, closed };
  }

  beforeAll(async () => {
    expect(CONSOLE_DIST).toBe(CONSOLE_DIR); // the build lands where the lobby serves from
    await Promise.all([buildConsole(), mkdir(SHOTS, { recursive: true })]);
    [tickforge, browser] = await Promise.all([
      startTestTickforge({
        TICKFORGE_ADMIN_KEY: ADMIN_KEY,
        TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":600}}',
      }),
      launchChromium(),
    ]);
    bots.push(await bot('bot-ada'));
    bots.push(await bot('bot-bo', roomId));
    inputs = setInterval(() => {
      for (const [i, b] of bots.entries()) b.client.sendInput({ dx: i ? -1 : 1, dy: 0.3 });
    }, 50);
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    // Refused requests the test makes on purpose (a wrong key, no CSRF header) log "Failed to
    // load resource"; the console's own files must never fail, and nothing else may be logged.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.url().includes('/admin/app.') && response.status() >= 400)
        errors.push(`${response.url()}: ${response.status()}`);
    });
  }, 30_000);

  afterAll(async () => {
    clearInterval(inputs);
    for (const b of bots) b.client.close();
    await browser?.close();
    await tickforge?.close();
  });

  it('refuses a wrong key, then signs in with the admin key into a session cookie', async () => {
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(`${tickforge!.lobbyUrl}/admin`);
    await page.fill('input[name=key]', 'not-the-admin-key');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('not the admin key');

    await page.fill('input[name=key]', ADMIN_KEY);
    await page.fill('input[name=operator]', 'alice');
    await page.screenshot({ path: `${SHOTS}admin-sign-in.png` });
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=rooms]');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'tickforge_admin', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(ADMIN_KEY);
    for (const url of urls) expect(url).not.toContain(ADMIN_KEY);
    expect(await page.textContent('header')).toContain('signed in as alice');
  });

  it("shows the bots' room, opens it with entities and round trips, and kicks a bot", async () => {
    await page.waitForSelector(`a[data-room="${roomId}"]`);
    await page.screenshot({ path: `${SHOTS}admin-rooms.png` });
    await page.click(`a[data-room="${roomId}"]`);
    await page.waitForSelector('[data-testid=players] tbody tr');
    expect(await page.locator('[data-testid=players] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid=entities] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=players]')).toMatch(/\d+(\.\d+)? ms/);
    await page.screenshot({ path: `${SHOTS}admin-room.png` });

    const [, target] = bots;
    await page.click(`button[data-kick="${target!.playerId}"]`);
    await page.waitForSelector('.flash');
    expect(await page.textContent('.flash')).toContain('Kicked bot-bo');
    expect(await target!.closed).toBe(CloseCode.KICKED);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=players] tbody tr').length === 1,
    );
    await page.screenshot({ path: `${SHOTS}admin-kicked.png` });
  });

  it('shows the nodes, and refuses a change without the CSRF header', async () => {
    await page.goto(`${tickforge!.lobbyUrl}/admin#/nodes`);
    await page.waitForSelector('[data-testid=nodes] tbody tr');
    expect(await page.textContent('[data-testid=nodes]')).toContain('live');
    await page.screenshot({ path: `${SHOTS}admin-nodes.png` });
    const status = await page.evaluate(
      async (path) => (await fetch(path, { method: 'POST', credentials: 'same-origin' })).status,
      `/v1/admin/rooms/${roomId}/dispose`,
    );
    expect(status).toBe(403);
    expect(errors, errors.join('\n')).toEqual([]);
    // The sign-in form is small: a large body is refused before it is read.
    const big = await fetch(`${tickforge!.lobbyUrl}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${'x'.repeat(10_000)}`,
    });
    expect(big.status).toBe(413);
  });

  it('drains a node and undrains it with the buttons of the nodes page', async () => {
    await page.goto(`${tickforge!.lobbyUrl}/admin#/nodes`);
    await page.waitForSelector('[data-testid=nodes] .state-live');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-testid=nodes] button:has-text("Drain")');
    await page.waitForSelector('[data-testid=nodes] .state-draining');
    await page.click('[data-testid=nodes] button:has-text("Undrain")');
    await page.waitForSelector('[data-testid=nodes] .state-live');
    expect(await page.textContent('.flash')).toContain('Undrained');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('finds a player by the start of their name, in any case, and opens their records', async () => {
    await page.goto(`${tickforge!.lobbyUrl}/admin#/players`);
    await page.fill('input[name=q]', 'BOT-A');
    await page.click('form.toolbar button[type=submit]');
    await page.waitForSelector('[data-testid=player-matches] tbody tr');
    const rows = page.locator('[data-testid=player-matches] tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('bot-ada');
    await page.screenshot({ path: `${SHOTS}admin-player-search.png` });
    await rows.first().locator('a').click();
    await page.waitForSelector('h2:has-text("bot-ada (")');
    // The same box finds a player by id.
    const ada = bots[0]!;
    await page.goto(`${tickforge!.lobbyUrl}/admin#/players?q=${encodeURIComponent(ada.playerId)}`);
    await page.waitForSelector(`[data-testid=player-matches] a[href="#/players/${ada.playerId}"]`);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('shows a leaderboard name made of markup as text: it never runs', async () => {
    // Record names are any Unicode up to 64 characters (match reports carry them from games).
    const markup = '<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>';
    const wrote = await fetch(`${tickforge!.lobbyUrl}/v1/leaderboards/arena/scores`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({
        playerId: bots[0]!.playerId,
        name: markup.slice(0, 64),
        score: 99,
        key: 'xss-1',
      }),
    });
    expect(wrote.status).toBe(200);
    await page.goto(`${tickforge!.lobbyUrl}/admin#/leaderboards/arena`);
    await page.waitForSelector('[data-testid=records] tbody tr');
    expect(await page.textContent('[data-testid=records]')).toContain(markup.slice(0, 40));
    expect(await page.locator('[data-testid=records] img, [data-testid=records] script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();
    expect(errors, errors.join('\n')).toEqual([]);
  });
});
