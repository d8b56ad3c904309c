/**
 * The confirmation send on a real redis-server with AOF on `appendfsync everysec`, over real HTTP:
 * the lobby acknowledges a match report Redis has applied but not yet fsynced (and says so:
 * `durable: false`), the node keeps the report for its window, Redis then loses the write (stopped,
 * its AOF cut back to what it held before the report, as a crash before the fsync leaves it), and
 * the one confirmation send puts the result back on the boards, counted once. With `appendfsync
 * always` the lobby answers `durable: true` and the node forgets the report at once.
 */
import { readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MatchDelivery, type Sleep } from '../../server/game/match-delivery.ts';
import { MatchOutbox } from '../../server/game/match-outbox.ts';
import { lobbyReporter } from '../../server/game/match-reporter.ts';
import { GameMetrics } from '../../server/game/metrics.ts';
import type { MatchReport } from '../../server/game/room.ts';
import { openRedisStore } from '../../server/store/redis/index.ts';
import type { BoardConfig } from '../../server/store/types.ts';
import { type RedisSuite, skipRedis, useRedisServer } from '../support/redis-server.ts';
import { ADMIN_KEY, SERVER_KEY } from './leaderboard-support.ts';
import { startLobby, type TestLobby } from './support.ts';

/** A summing board: a result counted twice would show as twice the score. */
const BOARDS: readonly BoardConfig[] = [
  { id: 'arena-total', sort: 'desc', operator: 'increment', reset: 'never' },
];
const CONFIRM_MS = 3_000;

const report: MatchReport = {
  matchId: 'm-confirm',
  roomId: 'room-1',
  mode: 'arena',
  endedAt: 1,
  results: [
    { playerId: 'ada', name: 'Ada', score: 7 },
    { playerId: 'bo', name: 'Bo', score: 4 },
  ],
};

let lobby: TestLobby | undefined;
let loop: MatchDelivery | undefined;
afterEach(async () => {
  await loop?.stop();
  await lobby?.close();
  lobby = undefined;
  loop = undefined;
});

let namespaces = 0;
const start = (redis: RedisSuite) =>
  startLobby({
    boards: BOARDS,
    openStore: (now) =>
      openRedisStore({ url: redis.server.url, prefix: `confirm${++namespaces}`, boards: BOARDS, now }),
    leaderboardWrites: {
      serverKey: SERVER_KEY,
      adminKey: ADMIN_KEY,
      boardsForMode: (mode) => (mode === 'arena' ? ['arena-total'] : []),
    },
  });

/** The board's (playerId, score) pairs, read from the store behind the lobby. */
const board = async () =>
  (await lobby!.store.leaderboards.top('arena-total')).records.map((r) => [r.playerId, r.score]);

/** A node's delivery loop to `lobby` on an injected clock; `sleep` decides when the window ends. */
function node(sleep: Sleep) {
  const outbox = MatchOutbox.open(':memory:');
  const metrics = new GameMetrics();
  const clock = { now: 1_000_000 };
  loop = new MatchDelivery({
    outbox,
    send: lobbyReporter({ lobbyUrl: lobby!.url, serverKey: SERVER_KEY }),
    log: pino({ level: 'silent' }),
    metrics,
    confirmMs: CONFIRM_MS,
    now: () => clock.now,
    sleep: async (ms, signal) => {
      await sleep(ms, signal);
      clock.now += ms;
    },
  });
  const count = async (name: string) =>
    (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
  return { outbox, loop, count };
}

/** The AOF file Redis appends to now (multi-part AOF, Redis 7). */
async function incrementalAof(dir: string): Promise<string> {
  const aofDir = join(dir, 'appendonlydir');
  const files = (await readdir(aofDir)).filter((f) => f.endsWith('.incr.aof')).sort();
  if (files.length === 0) throw new Error(`no incremental AOF in ${aofDir}`);
  return join(aofDir, files.at(-1)!);
}

describe.skipIf(skipRedis())('match report confirmation on Redis with appendfsync everysec', () => {
  const redis = useRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });

  it('a result Redis lost after acknowledging it is back on the board after the confirmation send, counted once', async () => {
    lobby = await start(redis);
    const first = await fetch(`${lobby.url}/v1/matches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVER_KEY}` },
      body: JSON.stringify({ ...report, matchId: 'm-probe' }),
    });
    expect(await first.json()).toMatchObject({ matchId: 'm-probe', durable: false });
    // What the AOF holds before the report: a crash before the next fsync leaves no more than this.
    const aof = await incrementalAof(redis.server.dir);
    const before = (await stat(aof)).size;

    let windowStarted: () => void = () => {};
    const inWindow = new Promise<void>((resolve) => (windowStarted = resolve));
    let endWindow: () => void = () => {};
    const windowEnds = new Promise<void>((resolve) => (endWindow = resolve));
    let sleeps = 0;
    const {
      outbox,
      loop: delivery,
      count,
    } = node(async () => {
      if (++sleeps > 1) return; // later windows end at once
      windowStarted();
      await windowEnds;
    });
    await outbox.add(report);
    delivery.start();
    await inWindow;
    // Acknowledged and on the board, but still in the outbox awaiting its confirmation.
    expect(await board()).toEqual([
      ['ada', 14],
      ['bo', 8],
    ]);
    expect(outbox.pending).toBe(1);

    // Redis dies before the fsync: the report's writes never reach its AOF.
    const restarted = await redis.server.restart(async () => {
      const aofNow = await incrementalAof(redis.server.dir);
      expect(aofNow).toBe(aof);
      await truncate(aof, before);
    });
    expect(restarted.port).toBe(redis.server.port);
    await redis.admin.ping(); // the suite's admin connection is back too before the suite ends
    await expect.poll(board, { timeout: 10_000 }).toEqual([
      ['ada', 7],
      ['bo', 4],
    ]); // only the probe is left: the report was lost

    endWindow();
    await delivery.drain();
    // Back, once: the probe's 7 plus the report's 7, never the report's twice.
    expect(await board()).toEqual([
      ['ada', 14],
      ['bo', 8],
    ]);
    expect(outbox.pending).toBe(0);
    expect(await count('tickforge_match_reports_reapplied_total')).toBe(1);
    expect(await count('tickforge_match_report_confirmations_total')).toBe(2); // re-applied, then survived
    expect(await count('tickforge_match_reports_delivered_total')).toBe(1);
  });
});

describe.skipIf(skipRedis())('match report confirmation on Redis with appendfsync always', () => {
  const redis = useRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });

  it('the lobby says its write is durable and the node forgets the report at its acknowledgement', async () => {
    lobby = await start(redis);
    const { outbox, loop: delivery, count } = node(async () => {});
    await outbox.add(report);
    delivery.start();
    await delivery.drain();
    expect(await board()).toEqual([
      ['ada', 7],
      ['bo', 4],
    ]);
    expect(outbox.pending).toBe(0);
    expect(await count('tickforge_match_reports_delivered_total')).toBe(1);
    expect(await count('tickforge_match_report_confirmations_total')).toBe(0);
  });
});

describe.skipIf(skipRedis())('match report confirmation on a Redis that refuses CONFIG', () => {
  // Managed Redis services often rename or block CONFIG: fsync-per-write cannot be read, so it is not trusted.
  const redis = useRedisServer({
    args: ['--appendonly', 'yes', '--appendfsync', 'always', '--rename-command', 'CONFIG', 'hidden-config'],
  });

  it('the lobby does not claim durability it cannot check', async () => {
    lobby = await start(redis);
    expect(lobby.store.durable).toBe(false);
  });
});
