/**
 * Regenerate docs/demo.png, the README's picture of the demo: a whole Tickforge on free ports, two
 * headless Chromium players who chase the nearest orb for a few seconds, and a 1280x720 screenshot
 * of the first one's page. Run: node --experimental-strip-types client-demo/screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.ts';
import { startTestTickforge } from '../test/support/tickforge.ts';
import { buildDemo } from './build.ts';

const OUT = fileURLToPath(new URL('../docs/demo.png', import.meta.url));
const CHASE_MS = 7_000;

/** Hold the keys that head `page`'s player toward its nearest orb, until `until`. */
async function chase(page: Page, until: number): Promise<void> {
  const held = new Set<string>();
  while (Date.now() < until) {
    const want = await page.evaluate(() => {
      const demo = window.tickforgeDemo!;
      const me = demo.players().find((p) => p.playerId === demo.playerId);
      if (!me) return [];
      const near = demo
        .orbs()
        .sort((a, b) => Math.hypot(a.x - me.x, a.y - me.y) - Math.hypot(b.x - me.x, b.y - me.y))[0];
      if (!near) return [];
      const keys: string[] = [];
      if (near.x - me.x > 6) keys.push('KeyD');
      if (near.x - me.x < -6) keys.push('KeyA');
      if (near.y - me.y > 6) keys.push('KeyS');
      if (near.y - me.y < -6) keys.push('KeyW');
      return keys;
    });
    for (const key of [...held]) {
      if (want.includes(key)) continue;
      held.delete(key);
      await page.keyboard.up(key);
    }
    for (const key of want) {
      if (held.has(key)) continue;
      held.add(key);
      await page.keyboard.down(key);
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

const [tickforge, browser] = await Promise.all([
  buildDemo().then(() =>
    startTestTickforge({ TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":75,"seed":11}}' }),
  ),
  launchChromium(),
]);
try {
  const pages = await Promise.all(
    ['Ada', 'Bo'].map(async (name) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(tickforge.lobbyUrl);
      await page.getByTestId('name-input').fill(name);
      await page.getByTestId('name-submit').click();
      await page.getByTestId('play').click();
      await page.waitForFunction(() => window.tickforgeDemo?.players().length === 2);
      return page;
    }),
  );
  const until = Date.now() + CHASE_MS;
  await Promise.all(pages.map((page) => chase(page, until)));
  await pages[0]!.screenshot({ path: OUT });
  console.log(`screenshot: ${OUT}`);
} finally {
  await browser.close();
  await tickforge.close();
}
