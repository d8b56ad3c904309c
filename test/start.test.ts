/**
 * `npm start` as a user runs it: the real entry point in its own process, two SDK players in one
 * arena room, then SIGTERM drains the node and the process exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** The lobby's base URL, from its "lobby listening" line. */
  readonly lobby: string;
  readonly lines: string[];
}

async function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['server/main.ts'], {
    env: {
      ...process.env,
      TICKFORGE_GAME_PORT: '0',
      TICKFORGE_LOBBY_PORT: '0',
      TICKFORGE_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let lobby = '';
  const port = await new Promise<number>((resolve, reject) => {
    // A start that hangs fails with what the process said so far, not a bare test timeout.
    const hung = setTimeout(
      () => reject(new Error(`not listening after 15 s:\n${lines.join('\n')}`)),
      15_000,
    );
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      const lobbyLine = /"url":"(http:\/\/[^"]+)".*"msg":"lobby listening"/.exec(line);
      if (lobbyLine) lobby = lobbyLine[1] ?? '';
      const match = /"url":"wss?:\/\/[^:]+:(\d+)\/ws"/.exec(line);
      if (match) {
        clearTimeout(hung);
        resolve(Number(match[1]));
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${lines.join('\n')}`)));
    child.once('exit', () => clearTimeout(hung));
    rl.once('close', () => clearTimeout(hung));
  });
  return { child, port, lobby, lines };
}

/**
 * `promise`, or a failure naming the step and showing the child's output when it takes longer than
 * `ms`: a guard that turns a hang into a readable error, not a wait.
 */
async function step<T>(name: string, started: Started, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not happen within ${ms} ms; output:\n${started.lines.join('\n')}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

describe('server/main.ts', () => {
  let dataDir = '';
  let started: Started | undefined;

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
    const exited = new Promise<number | null>((resolve) => started!.child.once('exit', resolve));
    started.child.kill('SIGTERM');
    expect((await step('players closed by the drain', started, closed)).map((c) => c.code)).toEqual([
      1001, 1001,
    ]);
    expect(await step('the process exits', started, exited)).toBe(0);
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
