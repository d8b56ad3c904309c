/**
 * `npm run start:cluster` as a user runs it: the launcher starts its own redis-server (on a free
 * port, never the machine's Redis), 2 lobbies and 2 game nodes; the browser demo, opened on each
 * lobby in headless Chromium, matches its two players across the lobbies into one arena match; then
 * the admin console of one lobby shows both game nodes and that match; then SIGINT (Ctrl-C) stops
 * every process the launcher started and it exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../client-admin/build.ts';
import { buildDemo } from '../client-demo/build.ts';
import { launchChromium, skipChromium } from './support/chromium.ts';
import { step } from './support/main-process.ts';
import { skipRedis } from './support/redis-server.ts';

const ADMIN_KEY = 'the-admin-key-of-the-cluster-console-test';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

/** The processes of `pids` that still exist. */
function alive(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

describe.skipIf(skipChromium() || skipRedis())('npm run start:cluster with the browser demo', () => {
  let launcher: ChildProcess | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT');
      await once(launcher, 'exit');
    }
  });

  it('two browsers on two lobbies play one match; Ctrl-C stops every process', async () => {
    await Promise.all([buildDemo(), buildConsole()]);
    const redisPort = await freePort();
    launcher = spawn(process.execPath, ['server/cluster.ts'], {
      env: {
        ...process.env,
        TICKFORGE_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        TICKFORGE_LOBBY_PORT: '0',
        TICKFORGE_GAME_PORT: '0',
        TICKFORGE_MATCH_FILL_WAIT_MS: '0',
        TICKFORGE_LOG_LEVEL: 'warn',
        TICKFORGE_ADMIN_KEY: ADMIN_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const pids: number[] = [];
    const ready = new Promise<string[]>((resolve) => {
      createInterface({ input: launcher!.stdout! }).on('line', (line) => {
        lines.push(line);
        // The launcher's last line (after the lobbies line): waiting for it means every line is in.
        if (!/^\[cluster\] open \S+ in a browser/.test(line)) return;
        const lobbies = lines.map((l) => /^\[cluster\] lobbies (\S+), (\S+) /.exec(l)).find(Boolean);
        if (lobbies) resolve([lobbies[1]!, lobbies[2]!]);
      });
    });
    launcher.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const [lobbyA, lobbyB] = await step('the cluster starts', { lines }, ready, 40_000);
    expect(lines.join('\n')).toMatch(/starting redis-server on port \d+/);
    expect(lines.join('\n')).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/ in a browser/);
    const processes = lines.find((line) => line.startsWith('[cluster] processes: ')) ?? '';
    for (const [, pid] of processes.matchAll(/ (\d+)(?:,|$)/g)) pids.push(Number(pid));
    // Its redis-server, 2 lobbies and 2 game nodes, each its own process.
    expect(processes).toMatch(/redis \d+, lobby-a \d+, lobby-b \d+, node-a \d+, node-b \d+$/);
    expect(new Set(pids).size).toBe(5);

    browser = await launchChromium();
    const pages = await Promise.all(
      [lobbyA!, lobbyB!].map(async (lobby, i) => {
        const page = await (await browser!.newContext()).newPage();
        await page.goto(lobby);
        await page.getByTestId('name-input').fill(`p${i}`);
        await page.getByTestId('name-submit').click();
        await page.getByTestId('menu-screen').waitFor();
        return page;
      }),
    );
    await Promise.all(pages.map((page) => page.getByTestId('play').click()));
    const rooms = await Promise.all(
      pages.map(async (page) => {
        await page.waitForFunction(
          () =>
            window.tickforgeDemo!.connectionState === 'connected' &&
            window.tickforgeDemo!.players().length === 2,
          undefined,
          { timeout: 20_000 },
        );
        return page.evaluate(() => window.tickforgeDemo!.roomId);
      }),
    );
    expect(rooms[0]).toBe(rooms[1]);

    // The admin console of either lobby shows both game nodes and the match, read through the
    // shared room directory and each node's operator routes.
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(`${lobbyB}/admin`);
    await admin.fill('input[name=key]', ADMIN_KEY);
    await admin.click('button[type=submit]');
    await admin.waitForSelector(`a[data-room="${rooms[0]}"]`, { timeout: 10_000 });
    await admin.goto(`${lobbyB}/admin#/nodes`);
    await admin.waitForFunction(
      () => (document.querySelector('[data-testid=nodes]')?.textContent?.match(/live/g) ?? []).length === 2,
      undefined,
      { timeout: 10_000 },
    );
    expect(await admin.textContent('[data-testid=nodes]')).toMatch(/node-a[\s\S]*node-b|node-b[\s\S]*node-a/);

    launcher.kill('SIGINT');
    const [code] = (await step('the cluster stops', { lines }, once(launcher, 'exit'), 20_000)) as [number];
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/\[cluster\] stopped/);
    expect(alive(pids)).toEqual([]);
  }, 90_000);
});
