/**
 * `npm start` as a user runs it: the real entry point in its own process, two SDK players in one
 * arena room, then SIGTERM drains the node and the process exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { type MainProcess, startMain, step } from './support/main-process.ts';

describe('server/main.ts', () => {
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
