/**
 * The browser demo end to end, in headless Chromium against a whole Tickforge: two players in two
 * browser contexts sign in as guests, matchmake into one arena match, each sees the other move, a
 * socket dropped from the page comes back to the same player, and after the match both are on the
 * leaderboard page. Screenshots go to test-output/demo/ (ignored by git).
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, DEMO_DIST } from '../client-demo/build.ts';
import { WORLD } from '../server/games/arena/rules.ts';
import { DEMO_DIR } from '../server/tickforge.ts';
import { launchChromium, skipChromium } from './support/chromium.ts';
import { startTestTickforge, type TestTickforge } from './support/tickforge.ts';

// Page functions run in the page, so they reach the demo's debug handle as window.tickforgeDemo
// (typed by client-demo/src/debug-handle.ts), never through closures.
const SHOTS = fileURLToPath(new URL('../test-output/demo/', import.meta.url));
/** How far (world units) a player must travel to count as moved: a few ticks at 240 units/s. */
const MOVED = 30;
/**
 * The match must outlast everything the players do in it (matchmaking to the last move). That takes
 * 2-3 s on an idle machine and was measured at ~7 s of room time at a load of 15-20, where an 8 s
 * match ended under the last move; the match length is not under test, so it has a wide margin.
 */
const MATCH_SECONDS = 20;
/** Hang guards (not under test): a loaded machine runs Chromium, the node and the test slowly. */
const SETUP_MS = 60_000;
const TEST_MS = 120_000;
const MOVE_MS = 15_000;

/** A player's page and what it reported. */
interface Player {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions (a CSP violation shows up here too). */
  readonly errors: string[];
}

describe.skipIf(skipChromium())('browser demo (headless Chromium)', { timeout: TEST_MS }, () => {
  let tickforge: TestTickforge | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    expect(DEMO_DIST).toBe(DEMO_DIR); // the build lands where the lobby serves from
    await Promise.all([buildDemo(), mkdir(SHOTS, { recursive: true })]);
    [tickforge, browser] = await Promise.all([
      startTestTickforge({
        TICKFORGE_ROOM_OPTIONS: JSON.stringify({ arena: { matchSeconds: MATCH_SECONDS } }),
        TICKFORGE_MATCH_FILL_WAIT_MS: '0',
      }),
      launchChromium(),
    ]);
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close();
    await tickforge?.close();
  });

  async function open(name: string): Promise<Player> {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(tickforge!.lobbyUrl);
    const input = page.getByTestId('name-input');
    expect(await input.inputValue()).toMatch(/^Guest-\d{4}$/); // a guest name is offered
    await input.fill(name);
    await page.getByTestId('name-submit').click();
    await page.getByTestId('menu-screen').waitFor();
    return { name, context, page, errors };
  }

  /**
   * Where the field and the HUD's boxes are on `page` (CSS pixels), once the field has been placed
   * for the current viewport: two animation frames after the canvas has the viewport's size.
   */
  async function layoutOf(page: Page) {
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="arena-canvas"]');
      return (
        canvas !== null && canvas.clientWidth === window.innerWidth && canvas.dataset.field !== undefined
      );
    });
    return page.evaluate(async () => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      await frame();
      await frame();
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="arena-canvas"]')!;
      const origin = canvas.getBoundingClientRect();
      const [left, top, width, height] = canvas.dataset.field!.split(',').map(Number) as [
        number,
        number,
        number,
        number,
      ];
      const field = {
        left: origin.left + left,
        top: origin.top + top,
        right: origin.left + left + width,
        bottom: origin.top + top + height,
      };
      const hud = ['hud-net', 'countdown', 'hud-board']
        .map((id) => document.querySelector(`[data-testid="${id}"]`)!)
        .concat([...document.querySelectorAll('.hud .hint')])
        .map((element) => {
          const box = element.getBoundingClientRect();
          return {
            what: element.className,
            left: box.left,
            top: box.top,
            right: box.right,
            bottom: box.bottom,
          };
        })
        .filter((box) => box.right > box.left && box.bottom > box.top);
      return { field, hud, viewport: { width: window.innerWidth, height: window.innerHeight } };
    });
  }

  /** The HUD covers no part of the field, the field is on screen, and it is at least `minWidth` wide. */
  async function expectHudClearOfField(page: Page, minWidth: number): Promise<void> {
    const { field, hud, viewport } = await layoutOf(page);
    for (const box of hud) {
      const clear =
        box.right <= field.left ||
        field.right <= box.left ||
        box.bottom <= field.top ||
        field.bottom <= box.top;
      expect(clear, `${box.what} ${JSON.stringify(box)} covers the field ${JSON.stringify(field)}`).toBe(
        true,
      );
    }
    expect(field.left).toBeGreaterThanOrEqual(0);
    expect(field.top).toBeGreaterThanOrEqual(0);
    expect(field.right).toBeLessThanOrEqual(viewport.width);
    expect(field.bottom).toBeLessThanOrEqual(viewport.height);
    expect(field.right - field.left).toBeGreaterThanOrEqual(minWidth);
  }

  /** The player `playerId` as `viewer`'s page last received it. */
  const seen = (viewer: Player, playerId: string) =>
    viewer.page.evaluate((id) => window.tickforgeDemo!.players().find((p) => p.playerId === id), playerId);

  /** Hold a key on `mover` until `viewer` sees the mover's player travel MOVED units; returns where. */
  async function moveAndWatch(mover: Player, viewer: Player, axis: 'x' | 'y'): Promise<void> {
    const id = await mover.page.evaluate(() => window.tickforgeDemo!.playerId!);
    const before = (await seen(viewer, id))!;
    expect(before).toBeDefined();
    // Head for the farther wall, so the move cannot be stopped by the field's edge.
    const size = axis === 'x' ? WORLD.width : WORLD.height;
    const key =
      axis === 'x' ? (before.x < size / 2 ? 'KeyD' : 'KeyA') : before.y < size / 2 ? 'KeyS' : 'KeyW';
    await mover.page.keyboard.down(key);
    try {
      await viewer.page.waitForFunction(
        ({ id, axis, from, distance }) => {
          const p = window.tickforgeDemo!.players().find((q) => q.playerId === id);
          return p !== undefined && Math.abs(p[axis] - from) >= distance;
        },
        { id, axis, from: before[axis], distance: MOVED },
        { timeout: MOVE_MS },
      );
    } finally {
      await mover.page.keyboard.up(key);
    }
  }

  it('two tabs matchmake, see each other move, survive a dropped socket and reach the leaderboard', async () => {
    const [ada, bo] = await Promise.all([open('Ada'), open('Bo')]);
    await Promise.all([ada, bo].map((p) => p.page.getByTestId('play').click()));
    await Promise.all(
      [ada, bo].map((p) =>
        p.page.waitForFunction(
          () =>
            window.tickforgeDemo!.connectionState === 'connected' &&
            window.tickforgeDemo!.players().length === 2,
        ),
      ),
    );
    const [adaState, boState] = await Promise.all(
      [ada, bo].map((p) =>
        p.page.evaluate(() => ({
          playerId: window.tickforgeDemo!.playerId,
          roomId: window.tickforgeDemo!.roomId,
        })),
      ),
    );
    expect(adaState!.roomId).toBeDefined();
    expect(adaState!.roomId).toBe(boState!.roomId);
    expect(adaState!.playerId).not.toBe(boState!.playerId);

    await moveAndWatch(ada, bo, 'x');
    await moveAndWatch(bo, ada, 'y');
    await Promise.all([
      ada.page.screenshot({ path: `${SHOTS}arena-ada.png` }),
      bo.page.screenshot({ path: `${SHOTS}arena-bo.png` }),
    ]);
    await expect(ada.page.getByTestId('hud-connection').textContent()).resolves.toBe('connected');

    // "Pull the cable" from the page: the client reconnects to the same seat by itself.
    await ada.page.evaluate(() => window.tickforgeDemo!.dropConnection());
    await ada.page.waitForFunction(
      () => window.tickforgeDemo!.reconnects >= 1 && window.tickforgeDemo!.connectionState === 'connected',
    );
    const resumed = await ada.page.evaluate(() => ({
      playerId: window.tickforgeDemo!.playerId,
      roomId: window.tickforgeDemo!.roomId,
    }));
    expect(resumed).toEqual(adaState);
    await moveAndWatch(ada, bo, 'y'); // and still controls the same player
    await ada.page.screenshot({ path: `${SHOTS}after-reconnect.png` });

    // The HUD never covers the field (the arena stays drawn under the results when the match ends): on the test's 1280x720, a 1280x800 laptop and a phone.
    await expectHudClearOfField(ada.page, 850);
    await Promise.all([
      ada.page.setViewportSize({ width: 1280, height: 800 }),
      bo.page.setViewportSize({ width: 390, height: 844 }),
    ]);
    await expectHudClearOfField(ada.page, 900);
    await expectHudClearOfField(bo.page, 300);
    // The match ends (MATCH_SECONDS from the room's start): both see the results, with both players.
    for (const p of [ada, bo]) {
      await p.page.getByTestId('results').waitFor({ timeout: (MATCH_SECONDS + 15) * 1000 });
      const results = await p.page.getByTestId('results-list').textContent();
      expect(results).toContain('Ada');
      expect(results).toContain('Bo');
    }
    await ada.page.screenshot({ path: `${SHOTS}results.png` });

    // The leaderboard page lists both, once the node's report has reached the lobby.
    await ada.page.getByTestId('results-leaderboard').click();
    await ada.page.waitForFunction(
      (names) => {
        const top = document.querySelector('[data-testid="leaderboard-top"]')?.textContent ?? '';
        const around = document.querySelector('[data-testid="leaderboard-around"] .me');
        return names.every((n) => top.includes(n)) && around !== null;
      },
      ['Ada', 'Bo'],
      { timeout: 30_000 },
    );
    await ada.page.screenshot({ path: `${SHOTS}leaderboard.png` });

    expect([...ada.errors, ...bo.errors]).toEqual([]);
    await Promise.all([ada.context.close(), bo.context.close()]);
  });
});
