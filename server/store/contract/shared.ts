import { afterEach, describe, expect, test } from 'vitest';
import type { NodeStatus } from '../rooms.ts';
import type { NewTicket, TicketMatch, TicketRecord } from '../tickets.ts';
import type { Store, StoreOptions } from '../types.ts';
import { CONTRACT_BOARDS, type StoreFactory, standings, useStore } from './harness.ts';

/**
 * Opens a second instance on the data of an open store, as another process would (its own
 * connections, nothing shared in memory). The suite closes what it opens.
 */
export type PeerOpener = (store: Store, options: StoreOptions) => Promise<Store>;

const ticket = (ticketId: string, playerIds: string[]): NewTicket => ({
  ticketId,
  mode: 'arena',
  region: 'eu',
  players: playerIds.map((playerId) => ({ playerId, name: `name-${playerId}` })),
  rating: undefined,
  expiresAt: Number.MAX_SAFE_INTEGER,
});
const match: TicketMatch = { matchId: 'm1', roomId: 'r1', nodeId: 'n1' };
const node: NodeStatus = { nodeId: 'n1', url: 'ws://127.0.0.1:1/n1', players: 0, rooms: 0, maxRooms: 10 };
const TTL = 3000;

/** Two instances on one store, as a lobby and a game node (or two lobbies) in separate processes. */
export function describeSharedStore(factory: StoreFactory, openPeer: PeerOpener): void {
  describe('shared by several processes', () => {
    const ctx = useStore(factory);
    let peer: Store | undefined;
    /** The store of "another process", opened on the test's store with the same clock. */
    const other = async (): Promise<Store> => {
      peer ??= await openPeer(ctx.store, { boards: CONTRACT_BOARDS, now: ctx.clock.now });
      return peer;
    };
    afterEach(async () => {
      await peer?.close();
      peer = undefined;
    });

    test('a ticket finished through one instance reaches watchers on another', async () => {
      const b = await other();
      await ctx.store.tickets.create(ticket('t1', ['a']));
      const heard = new Promise<TicketRecord>((resolve) => b.tickets.watch('t1', resolve));
      const [matched] = (await ctx.store.tickets.finish(['t1'], { status: 'matched', match })) ?? [];
      expect(await heard).toEqual(matched);
      expect(await b.tickets.get('t1')).toEqual(matched);
    });

    test('a watcher that stopped hears nothing more, while others still hear', async () => {
      const b = await other();
      await ctx.store.tickets.create(ticket('t1', ['a']));
      await ctx.store.tickets.create(ticket('t2', ['b']));
      const stopped: TicketRecord[] = [];
      b.tickets.watch('t1', (t) => stopped.push(t))();
      const heard = new Promise<TicketRecord>((resolve) => b.tickets.watch('t2', resolve));
      await ctx.store.tickets.finish(['t1'], { status: 'cancelled' });
      await ctx.store.tickets.finish(['t2'], { status: 'expired' });
      // Changes arrive in the order they were made: t1's came (and went unheard) before t2's.
      expect((await heard).status).toBe('expired');
      expect(stopped).toEqual([]);
    });

    test('players, scores, rooms and tickets written through one instance read the same through another', async () => {
      const b = await other();
      const player = await ctx.store.players.createGuest('Ada');
      expect(await b.players.get(player.id)).toEqual(player);
      await b.players.rename(player.id, 'Grace');
      expect((await ctx.store.players.get(player.id))?.name).toBe('Grace');

      // Whatever an instance keeps of a board must follow writes made by other processes.
      await ctx.submit('points', 'a', 5);
      expect(standings((await b.leaderboards.top('points')).records)).toEqual([['a', 5]]);
      await b.leaderboards.submit({ boardId: 'points', playerId: 'b', name: 'B', score: 9, key: 'k' });
      expect(standings((await ctx.boards.top('points')).records)).toEqual([
        ['b', 9],
        ['a', 5],
      ]);
      expect((await ctx.submit('points', 'b', 20, 'k')).outcome).toBe('duplicate');

      await ctx.store.rooms.heartbeat(node, [], TTL);
      expect((await b.rooms.liveNodes()).map((n) => n.nodeId)).toEqual(['n1']);
      await b.rooms.create({
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'n1',
        visibility: 'private',
        code: 'ABCD',
        maxPlayers: 1,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: ctx.clock.ms + 1000,
      });
      expect(await ctx.store.rooms.find({ code: 'ABCD' })).toMatchObject({ roomId: 'r1' });
      await ctx.store.rooms.reserve('r1', 'a', ctx.clock.ms + 1000);
      expect(await b.rooms.reserve('r1', 'b', ctx.clock.ms + 1000)).toBe('full');

      await ctx.store.tickets.create(ticket('t1', ['a']));
      expect(await b.tickets.create(ticket('t2', ['c', 'a']))).toEqual({ conflict: 'a' });
      expect((await b.tickets.searching()).map((t) => t.ticketId)).toEqual(['t1']);
    });

    test('racing instances: one key counts once, the last seat goes once, a ticket finishes once', async () => {
      const b = await other();
      const stores = [ctx.store, b, ctx.store, b];
      const submits = await Promise.all(
        stores.map((s) =>
          s.leaderboards.submit({ boardId: 'wins', playerId: 'a', name: 'A', score: 1, key: 'm1:a' }),
        ),
      );
      expect(submits.filter((r) => r.outcome === 'applied')).toHaveLength(1);
      expect((await b.leaderboards.rank('wins', 'a'))?.score).toBe(1);

      await ctx.store.rooms.heartbeat(node, [], TTL);
      await ctx.store.rooms.create({
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'n1',
        visibility: 'public',
        code: undefined,
        maxPlayers: 1,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: ctx.clock.ms + 1000,
      });
      const seats = await Promise.all(
        stores.map((s, i) => s.rooms.reserve('r1', `p${i}`, ctx.clock.ms + 1000)),
      );
      expect(seats.filter((seat) => typeof seat !== 'string')).toHaveLength(1);

      await ctx.store.tickets.create(ticket('t1', ['a']));
      const finishes = await Promise.all(
        stores.map((s) => s.tickets.finish(['t1'], { status: 'cancelled' })),
      );
      expect(finishes.filter((f) => f !== undefined)).toHaveLength(1);
    });
  });
}
