import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { CONTRACT_BOARDS } from '../contract/harness.ts';
import type { Store } from '../types.ts';
import { openRedisStore } from './index.ts';
import { loadScript, SCRIPT_NAMES } from './scripts.ts';

test('every script file is loaded, with its key count from its name and includes expanded', () => {
  const files = readdirSync(new URL('./scripts/', import.meta.url)).filter((f) => f.endsWith('.lua'));
  expect(files.map((f) => f.slice(0, -4)).sort()).toEqual([...SCRIPT_NAMES].sort());
  const reserve = loadScript('reserve-seats-4');
  expect(reserve).toMatchObject({ numberOfKeys: 4, readOnly: false, command: 'tickforgeReserveSeats4' });
  expect(reserve.lua.startsWith('#!lua\n')).toBe(true);
  expect(reserve.lua).toContain('local function removeRoom');
  expect(reserve.lua).not.toContain('--@include');
  expect(loadScript('submit-n').numberOfKeys).toBeUndefined();
  expect(loadScript('page-2').readOnly).toBe(true);
});

test('no expanded script declares a function twice', () => {
  for (const name of SCRIPT_NAMES) {
    const functions = [...loadScript(name).lua.matchAll(/^local function (\w+)/gm)].map((m) => m[1]);
    expect(functions, name).toEqual([...new Set(functions)]);
  }
});

describe.skipIf(skipRedis())('Redis store scripts', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  const open = (prefix = `s${++namespaces}`, now = () => Date.UTC(2026, 10, 18, 12)) =>
    openRedisStore({ url: redis.server.url, prefix, boards: CONTRACT_BOARDS, now });
  /** Calls of a command since the last CONFIG RESETSTAT. */
  const calls = async (command: string): Promise<number> => {
    const stats = await redis.admin.info('commandstats');
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  };

  test('a script is sent once per connection, then called by its SHA; a flushed cache is refilled', async () => {
    const store = await open();
    try {
      const submit = (i: number) =>
        store.leaderboards.submit({ boardId: 'wins', playerId: 'a', name: 'A', score: 1, key: `k${i}` });
      await submit(0);
      await redis.admin.config('RESETSTAT');
      for (let i = 1; i <= 20; i++) await submit(i);
      expect(await calls('eval')).toBe(0);
      expect(await calls('evalsha')).toBe(20);

      await redis.admin.script('FLUSH');
      await redis.admin.config('RESETSTAT');
      expect((await submit(21)).score).toBe(22);
      for (let i = 22; i <= 30; i++) await submit(i);
      // The first call after the flush failed with NOSCRIPT and was sent again with its source.
      expect(await calls('eval')).toBe(1);
      expect((await store.leaderboards.rank('wins', 'a'))?.score).toBe(31);
    } finally {
      await store.close();
    }
  });

  test('50 racing reservations for the last seat, over 10 connections: exactly one wins', async () => {
    const first = await open('race');
    const stores: Store[] = [first];
    try {
      for (let i = 1; i < 10; i++) stores.push(await open('race'));
      await first.rooms.heartbeat(
        { nodeId: 'n1', url: 'ws://n1', players: 0, rooms: 0, maxRooms: 9 },
        [],
        60_000,
      );
      await first.rooms.create({
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'n1',
        visibility: 'public',
        code: undefined,
        maxPlayers: 3,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: Date.UTC(2026, 10, 18, 13),
      });
      const until = Date.UTC(2026, 10, 18, 13);
      await first.rooms.reserve('r1', 'seated-1', until);
      await first.rooms.reserve('r1', 'seated-2', until);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 10]!.rooms.reserve('r1', `p${i}`, until)),
      );
      const won = answers.filter((answer) => typeof answer !== 'string');
      expect(won).toHaveLength(1);
      expect(answers.filter((answer) => answer === 'full')).toHaveLength(49);
      expect(Object.keys((await first.rooms.find({ roomId: 'r1' }))!.reservations)).toHaveLength(3);

      // And one live ticket per player, however many lobbies queue them at once.
      const tickets = await Promise.all(
        stores.map((store, i) =>
          store.tickets.create({
            ticketId: `t${i}`,
            mode: 'arena',
            region: 'eu',
            players: [{ playerId: 'p0', name: 'P' }],
            rating: undefined,
            expiresAt: until,
          }),
        ),
      );
      expect(tickets.filter((t) => 'status' in t)).toHaveLength(1);
      expect(await first.tickets.searching()).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  test('no key carries a Redis TTL: expiry is data, judged by the injected clock', async () => {
    let now = Date.UTC(2026, 10, 18, 12);
    const store = await open('ttl', () => now);
    try {
      await store.players.createGuest('A');
      await store.leaderboards.submit({ boardId: 'daily', playerId: 'a', name: 'A', score: 1, key: 'k' });
      await store.rooms.heartbeat(
        { nodeId: 'n1', url: 'ws://n1', players: 0, rooms: 0, maxRooms: 9 },
        [],
        1000,
      );
      await store.tickets.create({
        ticketId: 't1',
        mode: 'arena',
        region: 'eu',
        players: [{ playerId: 'a', name: 'A' }],
        rating: undefined,
        expiresAt: now + 1000,
      });
      const keys = await redis.admin.keys('{ttl:*');
      expect(keys.length).toBeGreaterThan(8);
      for (const key of keys) expect(await redis.admin.pttl(key), key).toBe(-1);
      // A clock far ahead ends the node's heartbeat, not the board or the waiting ticket.
      now += 10 * 365 * 86_400_000;
      expect(await store.rooms.liveNodes()).toEqual([]);
      expect((await store.tickets.searching()).map((t) => t.ticketId)).toEqual(['t1']);
      now -= 10 * 365 * 86_400_000;
      expect((await store.leaderboards.rank('daily', 'a'))?.score).toBe(1);
    } finally {
      await store.close();
    }
  });
});
