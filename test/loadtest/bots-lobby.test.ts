/**
 * The Node bots' `--lobby` mode: seats the way a player gets them, through the SDK's LobbyClient
 * (guest, matchmaking ticket, its event stream until matched), from a real lobby and game node.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBotArgs } from '../../loadtest/bots/cli.ts';
import { runBots } from '../../loadtest/bots/run.ts';
import { lobbySeats, RateLimitNotice } from '../../loadtest/bots/seats.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';
import { FakeLobby } from './support/fake-lobby.ts';

const BOTS = fileURLToPath(new URL('../../loadtest/bots.ts', import.meta.url));
const WAIT_LINE = /waiting (\d+) s on the lobby's guest sign-up limit \(429, Retry-After\)$/;

let tickforge: TestTickforge | undefined;
let child: ReturnType<typeof spawn> | undefined;

describe('bots --lobby', () => {
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
    await tickforge?.close();
    tickforge = undefined;
  });

  it('refuses the dev-seat options, which the matchmaker decides', () => {
    expect(() => parseBotArgs(['--lobby', 'http://127.0.0.1:2568', '--room-size', '4'])).toThrow(
      "--room-size is for dev seats; with --lobby the lobby's matchmaker picks the rooms",
    );
    expect(() => parseBotArgs(['--lobby', 'ws://127.0.0.1:2568'])).toThrow('--lobby must be an http(s) URL');
    const parsed = parseBotArgs(['--lobby', 'http://127.0.0.1:2568/']);
    expect(parsed.help === false && parsed.options.lobby).toBe('http://127.0.0.1:2568');
  });

  it('signs every bot in, queues a ticket for it, waits for the match and plays with the seat', async () => {
    tickforge = await startTestTickforge({ TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":60}}' });
    const parsed = parseBotArgs([
      '--lobby',
      tickforge.lobbyUrl,
      '--clients',
      '2',
      '--duration',
      '1',
      '--warmup',
      '0',
    ]);
    if (parsed.help) throw new Error('unexpected help');
    const report = await runBots(parsed.options);
    expect(report.errors).toEqual({});
    expect(report.connectedPeak).toBe(2);
    expect(report.statesPerClientSecond).toBeGreaterThan(10);
    expect(report.ackSamples).toBeGreaterThan(0);
    // Both bots were matched into one room on the node, through real tickets.
    expect(tickforge.node.registry.size).toBe(1);
    expect((await tickforge.store.tickets.searching()).length).toBe(0);
  });

  it("says when the bots wait on the lobby's guest sign-up limit", async () => {
    // A budget of one sign-up a minute: the second bot is refused with the rest of the minute.
    tickforge = await startTestTickforge({ TICKFORGE_RATE_LIMIT_GUEST_PER_MIN: '1' });
    child = spawn(
      process.execPath,
      ['--experimental-strip-types', '--no-warnings', BOTS, '--lobby', tickforge.lobbyUrl, '--clients', '3'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    const running = child;
    const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
    // Stop the run once the wait is announced; whatever else it printed by then is read too.
    for await (const line of createInterface({ input: running.stdout! })) {
      lines.push(line);
      if (WAIT_LINE.test(line)) running.kill('SIGINT');
    }
    await exited;
    const waits = lines.map((line) => WAIT_LINE.exec(line)).filter((m) => m !== null);
    expect(waits, lines.join('\n')).toHaveLength(1);
    const seconds = Number(waits[0]![1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
  });

  it('honours Retry-After: the refused sign-ups are tried again after it, with one line for both', async () => {
    const lobby = new FakeLobby(() => ({ url: 'ws://game.test/ws', seat: 'seat', roomId: 'r1' }));
    lobby.refuseGuests(2, 1);
    const { url, server } = await lobby.listen();
    try {
      const lines: string[] = [];
      const seats = lobbySeats(
        { lobby: url, mode: 'arena', pollMs: 10 },
        new RateLimitNotice((l) => lines.push(l)),
      );
      const started = performance.now();
      const grants = await Promise.all([seats(0), seats(1)]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(900); // one Retry-After, not a spin
      expect(grants.map((g) => g.seat)).toEqual(['seat', 'seat']);
      expect(lines).toEqual(["waiting 1 s on the lobby's guest sign-up limit (429, Retry-After)"]);
      const signIns = lobby.requests.filter((r) => r.path === '/v1/auth/guest');
      expect(signIns).toHaveLength(4);
    } finally {
      server.close();
    }
  });
});
