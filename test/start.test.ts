/**
 * `npm start` as a user runs it: the real entry point in its own process, two SDK players in one
 * arena room, then SIGTERM drains the node and the process exits 0. And from the JavaScript bundle
 * `npm start` runs (server/bundle.ts) on the plain pinned Node (not whatever node runs the tests),
 * uWebSockets.js serves players, from a patched copy where the host's glibc is older than its binary
 * wants.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PATCHED_COPY_DIR } from '../server/game/transport/uws-addon.ts';
import { compareVersions, glibcRequirement } from '../server/game/transport/uws-glibc-patch.ts';
import { GameClient } from '../shared/client/game-client.ts';
import {
  bundledMain,
  type MainProcess,
  NO_TYPESCRIPT,
  SPAWNING_TEST_MS,
  startMain,
  step,
} from './support/main-process.ts';

/** The Node 24 binary npm installed (devDependency `node`), as CI and `npm start` run it. */
const PINNED_NODE = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));

// Each test spawns Node on main.ts: seconds of start-up on a loaded machine (see STEP_MS).
describe('server/main.ts', { timeout: SPAWNING_TEST_MS }, () => {
  let dataDir = '';
  let started: MainProcess | undefined;

  afterEach(async () => {
    started?.child.kill('SIGKILL');
    started = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a game node two players can play on, and drains on SIGTERM', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickforge-start-'));
    started = await startMain({
      TICKFORGE_DATA_DIR: dataDir,
      TICKFORGE_LOG_LEVEL: 'info',
      TICKFORGE_DEV_SEATS: 'true',
    });
    const base = `http://127.0.0.1:${started.port}`;
    // The lobby runs beside the node: it answers and signs guests up.
    expect(started.lobby).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${started.lobby}/ready`)).status).toBe(200);
    const guest = await fetch(`${started.lobby}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada' }),
    });
    expect(guest.status).toBe(201);
    const seat = async (body: object) =>
      (await (
        await fetch(`${base}/dev/seats`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as {
        url: string;
        seat: string;
        roomId: string;
      };
    const a = await seat({ name: 'ada' });
    const b = await seat({ name: 'bo', roomId: a.roomId });
    const ada = await step(
      'ada connects',
      started,
      GameClient.connect({ url: a.url, seat: a.seat, pingIntervalMs: 0 }),
    );
    const bo = await step(
      'bo connects',
      started,
      GameClient.connect({ url: b.url, seat: b.seat, pingIntervalMs: 0 }),
    );
    const bothSeen = (c: GameClient) =>
      [...c.state.entities.values()].filter((e) => e.type === 'player').length === 2;
    await step(
      'both players see each other',
      started,
      Promise.all([ada.next('state', () => bothSeen(ada)), bo.next('state', () => bothSeen(bo))]),
    );

    const closed = Promise.all([ada.next('close'), bo.next('close')]);
    started.child.kill('SIGTERM');
    expect((await step('players closed by the drain', started, closed)).map((c) => c.code)).toEqual([
      1001, 1001,
    ]);
    expect(await step('the process exits', started, started.exited)).toBe(0);
    expect(started.lines.join('\n')).toContain('game node stopped');
    expect(started.lines.join('\n')).not.toMatch(/eyJ/); // no token ever reaches the log
  });

  it('serves players on uWebSockets.js from the bundle on the plain pinned Node, from a patched copy on an older glibc', async () => {
    const installed = `node_modules/uWebSockets.js/uws_linux_${process.arch}_${process.versions.modules}.node`;
    // The glibc the pinned Node runs on (the test runner's node may carry its own).
    const glibc = execFileSync(PINNED_NODE, ['-p', 'process.report.getReport().header.glibcVersionRuntime'])
      .toString()
      .trim();
    const needsCopy = compareVersions(glibcRequirement(readFileSync(installed))!, glibc) > 0;
    dataDir = await mkdtemp(join(tmpdir(), 'tickforge-start-'));
    started = await startMain(
      {
        TICKFORGE_DATA_DIR: dataDir,
        TICKFORGE_TRANSPORT: 'uws', // a start-up error, not a fallback, if uWS.js cannot load
        TICKFORGE_DEV_SEATS: 'true',
        LD_BIND_NOW: '1', // every import of the addon is resolved at load, not on first call
      },
      // What `npm start` runs: the bundle (whose paths, such as the patched copy's folder, are the sources').
      { node: PINNED_NODE, entry: await bundledMain(), flags: NO_TYPESCRIPT },
    );
    const copyLines = started.lines.filter((line) => line.includes('runs from a copy patched'));
    if (needsCopy) {
      expect(copyLines).toHaveLength(1);
      const { addon } = JSON.parse(copyLines[0]!) as { addon: string };
      expect(addon).toMatch(new RegExp(`^${PATCHED_COPY_DIR}[0-9a-f]{64}/uws_linux_\\w+_\\d+\\.node$`));
    } else {
      expect(copyLines, `glibc ${glibc} loads the installed addon`).toEqual([]);
    }
    expect(started.lines.join('\n')).toMatch(/"transport":"uws".*"msg":"game node listening"/);

    const response = await fetch(`http://127.0.0.1:${started.port}/dev/seats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada' }),
    });
    const seat = (await response.json()) as { url: string; seat: string };
    const ada = await step(
      'ada connects',
      started,
      GameClient.connect({ url: seat.url, seat: seat.seat, pingIntervalMs: 0 }),
    );
    const seq = ada.sendInput({ dx: 1, dy: 0 });
    const acked = await step(
      'the input comes back acknowledged',
      started,
      ada.next('state', (state) => state.ackSeq >= seq),
    );
    expect(acked.ackSeq).toBe(seq);
    ada.close();
    // Everything the process wrote, stderr included, once its pipes have closed.
    const outputClosed = new Promise((resolve) => started!.child.once('close', resolve));
    started.child.kill('SIGTERM');
    await step('the process exits and its output ends', started, outputClosed);
    // uWS.js 20.56 writes this to stderr (natively) for an upgrade completed outside its upgrade
    // callback and uncorked: the game node decides synchronously, so a join never does that.
    expect(started.lines.join('\n')).not.toMatch(/corked callback/);
  });

  it('refuses to start on a bad setting, naming the variable', async () => {
    const child = spawn(process.execPath, ['server/main.ts'], {
      env: { ...process.env, TICKFORGE_GAME_PORT: 'lots' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('TICKFORGE_GAME_PORT must be an integer from 0 to 65535, got "lots"');
  });
});
