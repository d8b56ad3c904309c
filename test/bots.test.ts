/**
 * The bot load tool: its command line, and a short real run against a game node (the same tool the
 * game benchmark drives).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseBotArgs } from '../loadtest/bots/cli.ts';
import { runBots } from '../loadtest/bots/run.ts';
import { startTestNode, stopAll } from './support/game.ts';

describe('bots', () => {
  afterEach(() => stopAll());

  it('defaults to the node npm start runs, and names a bad argument', () => {
    const parsed = parseBotArgs(['--clients', '2']);
    expect(parsed.help).toBe(false);
    if (!parsed.help) {
      expect(parsed.options.url).toBe('http://127.0.0.1:2567');
      expect(parsed.options.clients).toBe(2);
      expect(parsed.options.roomSize).toBe(16);
    }
    expect(() => parseBotArgs(['--clients', 'many'])).toThrow(
      '--clients must be a positive integer, got "many"',
    );
    expect(() => parseBotArgs(['--url', 'ws://x'])).toThrow('--url must be an http(s) URL');
    expect(() => parseBotArgs(['--nope'])).toThrow();
  });

  it('spreads the bots over --rooms N rooms', () => {
    const parsed = parseBotArgs(['--clients', '64', '--rooms', '3']);
    expect(!parsed.help && parsed.options.roomSize).toBe(22);
    expect(() => parseBotArgs(['--rooms', '2', '--room-size', '8'])).toThrow('not both');
    expect(() => parseBotArgs(['--rooms', '0'])).toThrow('--rooms must be a positive integer');
  });

  it('plays arena: every bot connects, receives state at the tick rate and gets its inputs acknowledged', async () => {
    const game = await startTestNode();
    const parsed = parseBotArgs([
      '--url',
      game.http,
      '--clients',
      '4',
      '--room-size',
      '2',
      '--duration',
      '1',
      '--warmup',
      '0',
    ]);
    if (parsed.help) throw new Error('unexpected help');
    const report = await runBots(parsed.options);
    expect(report.connectedPeak).toBe(4);
    expect(report.errors).toEqual({});
    expect(report.disconnects).toEqual({});
    expect(report.statesPerClientSecond).toBeGreaterThan(10);
    expect(game.node.registry.size).toBe(2);
    expect(game.node.registry.summaries().map((r) => r.roomId)).toEqual([
      expect.stringMatching(/^dev-bots-/),
      expect.stringMatching(/^dev-bots-/),
    ]);
  });

  it('says how to turn dev seats on when the node does not serve them', async () => {
    const game = await startTestNode({ config: { devSeats: false } });
    const parsed = parseBotArgs(['--url', game.http, '--clients', '1', '--duration', '1', '--warmup', '0']);
    if (parsed.help) throw new Error('unexpected help');
    await expect(runBots(parsed.options)).rejects.toThrow('start it with TICKFORGE_DEV_SEATS=true');
  });
});
