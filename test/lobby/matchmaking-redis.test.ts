/**
 * What a matchmaking pass costs Redis, and a pass that outlasts its queue's lease, on a real
 * redis-server. The commands of a pass are counted by the server (INFO commandstats): a pass reads
 * the queue once, the live nodes once, and sends the rooms, seats and claims of the matches it
 * starts together as one script each, so a regression to a round trip per ticket or per match
 * fails here.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { SeatTokens } from '../../server/game/seat-token.ts';
import { MATCH_STARTS_IN_FLIGHT, MatchmakingService } from '../../server/lobby/matchmaking/service.ts';
import { Seating } from '../../server/lobby/seating.ts';
import { openRedisStore } from '../../server/store/redis/index.ts';
import type { Store } from '../../server/store/types.ts';
import { skipRedis, useRedisServer } from '../support/redis-server.ts';
import { TEST_MODES, TEST_SEAT_SECRET } from './support.ts';

const MATCH_SIZE = TEST_MODES.get('arena')!.matchmaking.maxPlayers;
const LEASE_TTL_MS = 3000;
const QUEUE = 'arena\u0000default';

describe.skipIf(skipRedis())('matchmaking passes on Redis', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  let open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.map((store) => store.close()));
    open = [];
  });

  const setup = async (onHold?: (call: number) => Promise<void>) => {
    const clock = { ms: Date.UTC(2026, 11, 2, 12) };
    const now = () => clock.ms;
    const prefix = `mmr${++namespaces}`;
    const store = await openRedisStore({ url: redis.server.url, prefix, boards: [], now });
    const other = await openRedisStore({ url: redis.server.url, prefix, boards: [], now });
    open.push(store, other);
    let holds = 0;
    const seating = new (class extends Seating {
      override async holdAll(roomId: string, playerIds: readonly string[]): Promise<number> {
        await onHold?.(++holds);
        return super.holdAll(roomId, playerIds);
      }
    })({
      rooms: store.rooms,
      tokens: new SeatTokens({ secret: TEST_SEAT_SECRET, now }),
      modes: TEST_MODES,
      now,
      seatTtlSeconds: 30,
    });
    const service = new MatchmakingService({
      tickets: store.tickets,
      seating,
      modes: TEST_MODES,
      now,
      log: pino({ level: 'silent' }),
      leaseTtlMs: LEASE_TTL_MS,
      holder: 'lobby-a',
    });
    const year = 365 * 24 * 3600_000;
    await store.rooms.heartbeat(
      { nodeId: 'big', url: 'ws://b', players: 0, rooms: 0, maxRooms: 1_000_000 },
      [],
      year,
    );
    await store.rooms.heartbeat(
      { nodeId: 'small', url: 'ws://s', players: 0, rooms: 0, maxRooms: 5 },
      [],
      year,
    );
    const queue = async (count: number, expiresAt: number, from = 0): Promise<void> => {
      for (let i = from; i < from + count; i++) {
        const created = await store.tickets.create({
          ticketId: `t${i}`,
          mode: 'arena',
          region: 'default',
          players: [{ playerId: `p${i}`, name: `P${i}` }],
          rating: 1500,
          expiresAt,
        });
        if ('conflict' in created) throw new Error(`ticket t${i} refused`);
      }
    };
    return { clock, store, other, service, queue };
  };

  /**
   * Scripts the server ran since the last CONFIG RESETSTAT: every store step is one, a round trip
   * each (the commands a script runs inside are counted apart by the server and ignored here). An
   * EVALSHA refused with NOSCRIPT (a script's first use on a connection) is not counted: its EVAL is.
   */
  const scripts = async (): Promise<number> => {
    const stats = await redis.admin.info('commandstats');
    let count = 0;
    for (const [line, calls] of stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+).*$/gm)) {
      count += Number(calls) - Number(/failed_calls=(\d+)/.exec(line)?.[1] ?? 0);
    }
    return count;
  };

  test('a pass costs Redis a few scripts per group of matches, never one per ticket or per match', async () => {
    const { clock, store, service, queue } = await setup();
    const matches = MATCH_STARTS_IN_FLIGHT + 8; // two groups of matches started together
    await queue(20, clock.ms + 1000);
    await queue(matches * MATCH_SIZE, Number.MAX_SAFE_INTEGER, 20);
    clock.ms += 1000; // the first 20 are overdue
    await redis.admin.config('RESETSTAT');
    expect(await service.runPass()).toEqual({ matches, expired: 20 });
    // The queue, the expiries, the lease, the live nodes, then per group the rooms, seats and claims:
    // 10, where a script per match would be 4 + 3 * 40 and one per ticket more still.
    expect(await scripts()).toBe(4 + 3 * 2);

    expect(await store.tickets.searching()).toEqual([]);
    // One read of the nodes still spreads the rooms by load, and keeps the small node's limit.
    const nodes = Object.fromEntries((await store.rooms.liveNodes()).map((n) => [n.nodeId, n.rooms]));
    expect(nodes).toEqual({ big: matches - 5, small: 5 });
  });

  test('a pass longer than the lease renews it: no other lobby takes the queue over halfway', async () => {
    let intruder: unknown = 'not tried';
    const matches = MATCH_STARTS_IN_FLIGHT + 8;
    const { clock, other, service, queue } = await setup(async (call) => {
      // The first group of matches takes most of the lease...
      if (call === 1) clock.ms += LEASE_TTL_MS - 500;
      // ...and once the second has started, the lease the pass took at first has run out.
      if (call === MATCH_STARTS_IN_FLIGHT + 1) {
        clock.ms += 1000;
        intruder = await other.tickets.lease(QUEUE, 'lobby-b', LEASE_TTL_MS);
      }
    });
    await queue(matches * MATCH_SIZE, Number.MAX_SAFE_INTEGER);
    expect(await service.runPass()).toEqual({ matches, expired: 0 });
    expect(intruder).toBeUndefined();
    expect(await other.tickets.searching()).toEqual([]);
  });

  test('a pass that lost its queue anyway starts no further match', async () => {
    const matches = MATCH_STARTS_IN_FLIGHT + 8;
    const { clock, other, service, queue } = await setup(async (call) => {
      if (call === 1) {
        // Stalled past its lease: another lobby took the queue (its next pass would form these matches).
        clock.ms += LEASE_TTL_MS + 1;
        expect(await other.tickets.lease(QUEUE, 'lobby-b', LEASE_TTL_MS)).toBeDefined();
      }
    });
    await queue(matches * MATCH_SIZE, Number.MAX_SAFE_INTEGER);
    // The first group's claims are fenced off; the second group is not even started.
    expect(await service.runPass()).toEqual({ matches: 0, expired: 0 });
    expect(await other.tickets.searching()).toHaveLength(matches * MATCH_SIZE);
    const rooms = (await other.rooms.liveNodes()).reduce((sum, node) => sum + node.rooms, 0);
    expect(rooms).toBe(MATCH_STARTS_IN_FLIGHT);
  });
});
