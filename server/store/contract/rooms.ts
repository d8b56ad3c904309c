import { describe, expect, test } from 'vitest';
import { DEAD_NODE_FORGET_MS, type NewRoom, type NodeStatus, occupancy, type RoomCreator } from '../rooms.ts';
import { type StoreFactory, useStore } from './harness.ts';

const TTL = 3000;
const node = (nodeId: string, players = 0): NodeStatus => ({
  nodeId,
  url: `ws://127.0.0.1:1/${nodeId}`,
  players,
  rooms: 0,
  maxRooms: 100,
});
const by = (playerId: string, address = '192.0.2.1'): RoomCreator => ({ playerId, address });

/** Game nodes, their rooms and promised seats. */
export function describeRooms(factory: StoreFactory): void {
  describe('room directory', () => {
    const ctx = useStore(factory);
    const rooms = () => ctx.store.rooms;
    /** A room held for 1 s (its creator's seat token), as the lobby makes one. */
    const room = (roomId: string, extra: Partial<NewRoom> = {}): NewRoom => ({
      roomId,
      mode: 'arena',
      nodeId: 'n1',
      visibility: 'public',
      code: undefined,
      maxPlayers: 2,
      metadata: {},
      options: {},
      createdBy: undefined,
      heldUntil: ctx.clock.ms + 1000,
      ...extra,
    });

    test("a node's internal URL and heartbeat interval come back as it announced them", async () => {
      const announced = { ...node('n1'), adminUrl: 'http://10.0.0.7:2567', heartbeatMs: 500 };
      await rooms().heartbeat(announced, [], TTL);
      expect(await rooms().liveNodes()).toEqual([{ ...announced, seenAt: ctx.clock.ms }]);
    });

    test('a node is live for one TTL after its heartbeat, then drops out', async () => {
      await rooms().heartbeat(node('n1', 3), [], TTL);
      expect(await rooms().liveNodes()).toEqual([{ ...node('n1', 3), seenAt: ctx.clock.ms }]);
      ctx.clock.tick(TTL - 1);
      expect(await rooms().liveNodes()).toHaveLength(1);
      ctx.clock.tick(1);
      expect(await rooms().liveNodes()).toEqual([]);
    });

    test("rooms made since a node's last heartbeat count against its room limit", async () => {
      await rooms().heartbeat({ ...node('n1'), rooms: 1, maxRooms: 3 }, [], TTL);
      await rooms().create(room('r1'));
      await rooms().create(room('r2'));
      await rooms().create(room('r3'));
      expect((await rooms().liveNodes())[0]).toMatchObject({ nodeId: 'n1', rooms: 3, maxRooms: 3 });
      ctx.clock.tick(1000); // nobody came to any of them before their seat tokens expired
      expect((await rooms().liveNodes())[0]).toMatchObject({ nodeId: 'n1', rooms: 1 });
    });

    test('a room its node never reported is gone the moment its hold passes, heartbeat or not', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { code: 'ABCD', visibility: 'private' }));
      await rooms().create(room('r2'));
      await rooms().reserve('r2', 'a', ctx.clock.ms + 2000); // a seat promised later holds it longer
      ctx.clock.tick(1000);
      expect(await rooms().find({ roomId: 'r1' })).toBeUndefined();
      expect(await rooms().find({ code: 'ABCD' })).toBeUndefined();
      expect((await rooms().listPublic('arena', 10)).map((r) => r.roomId)).toEqual(['r2']);
      expect(await rooms().reserve('r1', 'b', ctx.clock.ms + 1000)).toBe('unknown');
      ctx.clock.tick(1000);
      expect(await rooms().listPublic('arena', 10)).toEqual([]);
      expect(await rooms().create(room('r3', { code: 'ABCD' }))).toMatchObject({ code: 'ABCD' });
    });

    test('a lookup after the hold only hides an unreported room; the next heartbeat decides', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('late', { code: 'LATE', visibility: 'private', createdBy: by('a') }));
      await rooms().create(room('gone', { createdBy: by('a') }));
      ctx.clock.tick(1000); // both holds passed; lookups in between must not forget either room
      expect(await rooms().find({ code: 'LATE' })).toBeUndefined();
      expect(await rooms().find({ roomId: 'gone' })).toBeUndefined();
      expect(await rooms().create(room('c1', { createdBy: by('a') }), { perPlayer: 1 })).toMatchObject({
        roomId: 'c1',
      });
      // Its creator connected just before the hold ran out: the node made 'late' and reports it.
      await rooms().heartbeat(node('n1'), [{ roomId: 'late', players: ['a'], ended: false }], TTL);
      expect(await rooms().find({ code: 'LATE' })).toMatchObject({ roomId: 'late', seated: ['a'] });
      expect(await rooms().find({ roomId: 'gone' })).toBeUndefined();
      expect(await rooms().create(room('c2', { createdBy: by('a') }), { perPlayer: 2 })).toBe('player-limit');
    });

    test("a live node's room limit holds against creations racing its heartbeat", async () => {
      await rooms().heartbeat({ ...node('n1'), rooms: 1, maxRooms: 3 }, [], TTL);
      const made = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => rooms().create(room(id))));
      // The rooms it has are those it reported or those made here since, whichever are more.
      expect(made.filter((r) => typeof r === 'object')).toHaveLength(3);
      expect(made.filter((r) => r === 'node-full')).toHaveLength(1);
      ctx.clock.tick(1000); // nobody came: those rooms are gone, and their places free again
      expect(await rooms().create(room('r5'))).toMatchObject({ roomId: 'r5' });
    });

    test('a creator holds at most its limits of live rooms, per player and per address', async () => {
      const limits = { perPlayer: 2, perAddress: 3 };
      await rooms().heartbeat(node('n1'), [], TTL);
      expect(await rooms().create(room('a1', { createdBy: by('a') }), limits)).toMatchObject({
        createdBy: by('a'),
      });
      await rooms().create(room('a2', { createdBy: by('a') }), limits);
      expect(await rooms().create(room('a3', { createdBy: by('a') }), limits)).toBe('player-limit');
      expect(await rooms().create(room('b1', { createdBy: by('b') }), limits)).toMatchObject({
        roomId: 'b1',
      });
      expect(await rooms().create(room('c1', { createdBy: by('c') }), limits)).toBe('address-limit');
      expect(await rooms().find({ roomId: 'a3' })).toBeUndefined(); // nothing written on a refusal
      expect(await rooms().find({ roomId: 'c1' })).toBeUndefined();
      // Elsewhere, and without limits (or without a creator: matchmade rooms), nothing is capped.
      expect(await rooms().create(room('c2', { createdBy: by('c', '198.51.100.7') }), limits)).toMatchObject({
        roomId: 'c2',
      });
      expect(await rooms().create(room('a4', { createdBy: by('a') }))).toMatchObject({ roomId: 'a4' });
      expect(await rooms().create(room('m1'), limits)).toMatchObject({ roomId: 'm1' });
    });

    test('concurrent creations never exceed a creator limit', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const made = await Promise.all(
        ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) =>
          rooms().create(room(id, { createdBy: by('a') }), { perPlayer: 2 }),
        ),
      );
      expect(made.filter((r) => typeof r === 'object')).toHaveLength(2);
      expect(made.filter((r) => r === 'player-limit')).toHaveLength(3);
    });

    test('a room stops counting against its creator once its match ended or it is gone', async () => {
      const limits = { perPlayer: 2 };
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { createdBy: by('a') }), limits);
      await rooms().create(room('r2', { createdBy: by('a') }), limits);
      await rooms().reserve('r2', 'a', ctx.clock.ms + 1000);
      await rooms().heartbeat(
        node('n1'),
        [
          { roomId: 'r1', players: ['a'], ended: true },
          { roomId: 'r2', players: ['a'], ended: false },
        ],
        TTL,
      );
      expect(await rooms().create(room('r3', { createdBy: by('a') }), limits)).toMatchObject({
        roomId: 'r3',
      });
      expect(await rooms().create(room('r4', { createdBy: by('a') }), limits)).toBe('player-limit');
      // The node closed r2, but the seat token handed out for it still works until it expires.
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: [], ended: true }], TTL);
      expect(await rooms().create(room('r4', { createdBy: by('a') }), limits)).toBe('player-limit');
      ctx.clock.tick(1000);
      expect(await rooms().create(room('r4', { createdBy: by('a') }), limits)).toMatchObject({
        roomId: 'r4',
      });
    });

    test("a given-back promise's room is kept, and counted, until that seat's token expires", async () => {
      const limits = { perPlayer: 1 };
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('mine', { createdBy: by('a') }), limits); // held 1 s for a's token
      await rooms().create(room('theirs', { createdBy: by('b') }), limits);
      ctx.clock.tick(500);
      await rooms().reserve('mine', 'a', ctx.clock.ms + 1000); // a fresh token: held until 1.5 s
      await rooms().reserve('theirs', 'a', ctx.clock.ms + 1000); // a hops: 'mine' is given back...
      ctx.clock.tick(500);
      await rooms().heartbeat(node('n1'), [], TTL);
      // ...but a's token for it can still open it on the node, so it still exists and counts.
      expect(await rooms().find({ roomId: 'mine' })).toMatchObject({ reservations: {} });
      expect(await rooms().create(room('again', { createdBy: by('a') }), limits)).toBe('player-limit');
      ctx.clock.tick(500);
      expect(await rooms().find({ roomId: 'mine' })).toBeUndefined();
      expect(await rooms().create(room('again', { createdBy: by('a') }), limits)).toMatchObject({
        roomId: 'again',
      });
    });

    test('a room is found by id and by code; ids and live codes are unique', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const created = await rooms().create(room('r1', { visibility: 'private', code: 'ABCD' }));
      expect(created).toMatchObject({ roomId: 'r1', createdAt: ctx.clock.ms, seated: [], ended: false });
      expect(await rooms().find({ roomId: 'r1' })).toEqual(created);
      expect(await rooms().find({ code: 'ABCD' })).toEqual(created);
      expect(await rooms().find({ code: 'WXYZ' })).toBeUndefined();
      expect(await rooms().create(room('r1'))).toBe('taken');
      expect(await rooms().create(room('r2', { code: 'ABCD' }))).toBe('taken');
      expect(await rooms().find({ roomId: 'r2' })).toBeUndefined();
    });

    test('a reservation counts against capacity until its token expires or the player is seated', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1'));
      const until = ctx.clock.ms + 1000;
      expect(await rooms().reserve('r1', 'a', until)).toMatchObject({ reservations: { a: until } });
      expect(await rooms().reserve('r1', 'b', until)).toMatchObject({ roomId: 'r1' });
      expect(await rooms().reserve('r1', 'c', until)).toBe('full');
      // The same player again is not a new seat.
      expect(await rooms().reserve('r1', 'a', until + 5)).toMatchObject({ reservations: { a: until + 5 } });
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: ['a'], ended: false }], TTL);
      const seated = await rooms().find({ roomId: 'r1' });
      expect(seated?.seated).toEqual(['a']);
      expect(seated?.reservations).toEqual({ b: until });
      expect(occupancy(seated!, ctx.clock.ms)).toBe(2);
      ctx.clock.tick(1000); // b's token expired unused
      expect(await rooms().reserve('r1', 'c', ctx.clock.ms + 1000)).toMatchObject({ roomId: 'r1' });
    });

    test('a room reads back with its creator, and as ended once its node says so', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const created = await rooms().create(room('r1', { createdBy: by('a', '198.51.100.7') }));
      expect(created).toMatchObject({ createdBy: by('a', '198.51.100.7') });
      expect(await rooms().find({ roomId: 'r1' })).toMatchObject({
        createdBy: by('a', '198.51.100.7'),
        ended: false,
      });
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: ['a'], ended: true }], TTL);
      expect(await rooms().find({ roomId: 'r1' })).toMatchObject({ seated: ['a'], ended: true });
    });

    test('a room without a creator counts against no creator limit', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const limits = { perPlayer: 1, perAddress: 1 };
      for (const id of ['r1', 'r2', 'r3']) {
        expect(await rooms().create(room(id), limits)).toMatchObject({ roomId: id, createdBy: undefined });
      }
      expect(await rooms().create(room('r4', { createdBy: by('a') }), limits)).toMatchObject({
        roomId: 'r4',
      });
    });

    test('unknown and ended rooms refuse seats', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      expect(await rooms().reserve('nope', 'a', ctx.clock.ms + 1000)).toBe('unknown');
      await rooms().create(room('r1'));
      await rooms().reserve('r1', 'a', ctx.clock.ms + 1000);
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: ['a'], ended: true }], TTL);
      expect(await rooms().reserve('r1', 'b', ctx.clock.ms + 1000)).toBe('ended');
      expect(await rooms().listPublic('arena', 10)).toEqual([]);
    });

    test('a room its node stops reporting is gone once no seat token for it can be used', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('waiting'));
      await rooms().reserve('waiting', 'a', ctx.clock.ms + 1000);
      await rooms().create(room('played', { heldUntil: ctx.clock.ms + 500 }));
      await rooms().reserve('played', 'b', ctx.clock.ms + 500);
      await rooms().heartbeat(node('n1'), [{ roomId: 'played', players: ['b'], ended: false }], TTL);
      ctx.clock.tick(500);
      await rooms().heartbeat(node('n1'), [{ roomId: 'played', players: ['b'], ended: false }], TTL);
      expect(await rooms().find({ roomId: 'waiting' })).toBeDefined();
      await rooms().heartbeat(node('n1'), [], TTL); // 'played' was disposed on the node
      expect(await rooms().find({ roomId: 'played' })).toBeUndefined();
      expect(await rooms().find({ roomId: 'waiting' })).toBeDefined();
      ctx.clock.tick(500); // a's seat token expired and nobody came
      await rooms().heartbeat(node('n1'), [], TTL);
      expect(await rooms().find({ roomId: 'waiting' })).toBeUndefined();
    });

    test('a room the node closed stays findable while a seat in it is promised', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { code: 'ABCD', visibility: 'private' }));
      await rooms().reserve('r1', 'a', ctx.clock.ms + 1000);
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: ['a'], ended: false }], TTL);
      await rooms().reserve('r1', 'b', ctx.clock.ms + 1000); // b is on the way...
      await rooms().heartbeat(node('n1'), [], TTL); // ...when the node drops the room (a left)
      expect(await rooms().find({ code: 'ABCD' })).toMatchObject({ roomId: 'r1', seated: [] });
      ctx.clock.tick(1000); // b never came
      await rooms().heartbeat(node('n1'), [], TTL);
      expect(await rooms().find({ roomId: 'r1' })).toBeUndefined();
    });

    test('an expired promise is no seat: asking again faces the capacity check', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { maxPlayers: 1 }));
      await rooms().reserve('r1', 'a', ctx.clock.ms + 1000);
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: [], ended: false }], TTL);
      ctx.clock.tick(1000);
      expect(await rooms().reserve('r1', 'b', ctx.clock.ms + 1000)).toMatchObject({ roomId: 'r1' });
      expect(await rooms().reserve('r1', 'a', ctx.clock.ms + 1000)).toBe('full');
    });

    test('seats promised together are promised all or none', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { maxPlayers: 3 }));
      await rooms().create(room('r2', { maxPlayers: 4 }));
      const until = ctx.clock.ms + 1000;
      await rooms().reserve('r2', 'a', until);
      await rooms().reserve('r1', 'x', until);
      expect(await rooms().reserveAll('r1', ['a', 'b', 'c'], until)).toBe('full'); // x holds one of 3
      expect((await rooms().find({ roomId: 'r1' }))?.reservations).toEqual({ x: until });
      expect((await rooms().find({ roomId: 'r2' }))?.reservations).toEqual({ a: until });
      // x again is no new seat, and a's promise in r2 is given back.
      expect(await rooms().reserveAll('r1', ['x', 'a', 'b', 'a'], until + 5)).toMatchObject({
        reservations: { x: until + 5, a: until + 5, b: until + 5 },
        heldUntil: until + 5,
      });
      expect((await rooms().find({ roomId: 'r2' }))?.reservations).toEqual({});
      expect(await rooms().reserveAll('nope', ['a'], until)).toBe('unknown');
    });

    test('a player is promised one seat at a time: a new promise gives the other back', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { maxPlayers: 1 }));
      await rooms().create(room('r2', { maxPlayers: 1 }));
      await rooms().reserve('r1', 'a', ctx.clock.ms + 1000);
      await rooms().reserve('r2', 'a', ctx.clock.ms + 1000);
      expect((await rooms().find({ roomId: 'r1' }))?.reservations).toEqual({});
      expect(await rooms().reserve('r1', 'b', ctx.clock.ms + 1000)).toMatchObject({ roomId: 'r1' });
    });

    test("a dead node's rooms are gone and its codes free again", async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().heartbeat(node('n2'), [], TTL * 2);
      await rooms().create(room('r1', { code: 'ABCD', visibility: 'private' }));
      await rooms().create(room('r2', { nodeId: 'n2' }));
      await rooms().heartbeat(node('n2'), [{ roomId: 'r2', players: [], ended: false }], TTL * 2);
      ctx.clock.tick(TTL);
      expect(await rooms().find({ roomId: 'r1' })).toBeUndefined();
      expect(await rooms().find({ code: 'ABCD' })).toBeUndefined();
      expect((await rooms().listPublic('arena', 10)).map((r) => r.roomId)).toEqual(['r2']);
      expect(await rooms().create(room('r3', { code: 'ABCD', nodeId: 'n2' }))).toMatchObject({
        code: 'ABCD',
      });
    });

    test('a node whose heartbeats lapsed (a store outage, a stall) gets its rooms back when it beats again', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      await rooms().create(room('r1', { code: 'ABCD', visibility: 'private' }));
      await rooms().create(room('r2'));
      await rooms().heartbeat(
        node('n1'),
        [
          { roomId: 'r1', players: ['a'], ended: false },
          { roomId: 'r2', players: ['b'], ended: false },
        ],
        TTL,
      );
      ctx.clock.tick(TTL + 5000);
      // Dead meanwhile: its rooms are out of every listing, lookup and reservation.
      expect(await rooms().liveNodes()).toEqual([]);
      expect(await rooms().find({ code: 'ABCD' })).toBeUndefined();
      expect(await rooms().listPublic('arena', 10)).toEqual([]);
      expect(await rooms().reserve('r2', 'c', ctx.clock.ms + 1000)).toBe('unknown');
      await rooms().heartbeat(
        node('n1'),
        [
          { roomId: 'r1', players: ['a'], ended: false },
          { roomId: 'r2', players: ['b'], ended: false },
        ],
        TTL,
      );
      expect(await rooms().find({ code: 'ABCD' })).toMatchObject({ roomId: 'r1', seated: ['a'] });
      expect((await rooms().listPublic('arena', 10)).map((r) => r.roomId)).toEqual(['r2']);
      // A node dead for longer than DEAD_NODE_FORGET_MS is forgotten with its rooms.
      ctx.clock.tick(TTL + DEAD_NODE_FORGET_MS);
      await rooms().liveNodes();
      await rooms().heartbeat(node('n1'), [{ roomId: 'r1', players: ['a'], ended: false }], TTL);
      expect(await rooms().find({ roomId: 'r1' })).toBeUndefined();
    });

    test('listings show public rooms of the mode, with a free seat first, fullest first', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const until = ctx.clock.ms + 1000;
      await rooms().create(room('empty', { maxPlayers: 4 }));
      await rooms().create(room('half', { maxPlayers: 4 }));
      await rooms().reserve('half', 'a', until);
      await rooms().reserve('half', 'b', until);
      await rooms().create(room('full', { maxPlayers: 1 }));
      await rooms().reserve('full', 'c', until);
      await rooms().create(room('secret', { visibility: 'private', code: 'QQQQ' }));
      await rooms().create(room('other-mode', { mode: 'race' }));
      expect((await rooms().listPublic('arena', 10)).map((r) => r.roomId)).toEqual(['half', 'empty', 'full']);
      expect((await rooms().listPublic('arena', 1)).map((r) => r.roomId)).toEqual(['half']);
      expect((await rooms().listPublic('race', 10)).map((r) => r.roomId)).toEqual(['other-mode']);
    });

    test('records handed out do not change behind the caller', async () => {
      await rooms().heartbeat(node('n1'), [], TTL);
      const created = await rooms().create(room('r1'));
      await rooms().reserve('r1', 'a', ctx.clock.ms + 1000);
      expect(typeof created === 'object' && { ...created.reservations }).toEqual({});
    });
  });
}
