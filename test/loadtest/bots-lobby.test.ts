/**
 * The Node bots' `--lobby` mode: seats the way a player gets them, through the SDK's LobbyClient
 * (guest, matchmaking ticket, its event stream until matched), from a real lobby and game node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseBotArgs } from '../../loadtest/bots/cli.ts';
import { runBots } from '../../loadtest/bots/run.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';

let tickforge: TestTickforge | undefined;

describe('bots --lobby', () => {
  afterEach(async () => {
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
});
