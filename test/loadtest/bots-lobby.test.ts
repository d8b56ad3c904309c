/**
 * The Node bots' `--lobby` mode: seats the way a player gets them, through the SDK's LobbyClient
 * (guest, matchmaking ticket, its event stream until matched), here from a stand-in lobby over real
 * HTTP that hands out real seats of a test game node, since the lobby's matchmaking routes are
 * still being built.
 */
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBotArgs } from '../../loadtest/bots/cli.ts';
import { runBots } from '../../loadtest/bots/run.ts';
import { startTestNode, stopAll } from '../support/game.ts';
import { FakeLobby, type FakeReservation } from './support/fake-lobby.ts';

let server: Server | undefined;

describe('bots --lobby', () => {
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await stopAll();
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
    const game = await startTestNode();
    const seats: FakeReservation[] = [];
    for (let i = 0; i < 2; i++) seats.push(await game.devSeat({ roomId: 'matched', name: `bot-${i}` }));
    const lobby = new FakeLobby(() => {
      const seat = seats.shift();
      if (!seat) throw new Error('more seats asked for than bots');
      return seat;
    });
    const listening = await lobby.listen();
    server = listening.server;
    const parsed = parseBotArgs([
      '--lobby',
      listening.url,
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
    const calls = lobby.requests.map((r) => `${r.method} ${r.path.replace(/\/t\d+/, '/:id')}`).sort();
    expect(calls).toEqual([
      'GET /v1/matchmaking/tickets/:id/events',
      'GET /v1/matchmaking/tickets/:id/events',
      'POST /v1/auth/guest',
      'POST /v1/auth/guest',
      'POST /v1/matchmaking/tickets',
      'POST /v1/matchmaking/tickets',
    ]);
    expect(game.node.registry.size).toBe(1);
  });
});
