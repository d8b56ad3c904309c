import { describe, expect, test } from 'vitest';
import type { NewTicket, TicketMatch, TicketRecord } from '../tickets.ts';
import { type StoreFactory, useStore } from './harness.ts';

const ticket = (ticketId: string, playerIds: string[], expiresAt = Number.MAX_SAFE_INTEGER): NewTicket => ({
  ticketId,
  mode: 'arena',
  region: 'eu',
  players: playerIds.map((playerId) => ({ playerId, name: `name-${playerId}` })),
  rating: 1500,
  expiresAt,
});
const match: TicketMatch = { matchId: 'm1', roomId: 'r1', nodeId: 'n1' };

/** Matchmaking tickets: one live ticket per player, final states, watching. */
export function describeTickets(factory: StoreFactory): void {
  describe('tickets', () => {
    const ctx = useStore(factory);
    const tickets = () => ctx.store.tickets;

    test('a new ticket is searching, stamped with the clock, and reads back the same', async () => {
      const created = await tickets().create(ticket('t1', ['a', 'b']));
      expect(created).toEqual({
        ...ticket('t1', ['a', 'b']),
        status: 'searching',
        createdAt: ctx.clock.ms,
        match: undefined,
      });
      expect(await tickets().get('t1')).toEqual(created);
      expect(await tickets().get('nope')).toBeUndefined();
    });

    test('a player holds at most one searching ticket, party members included', async () => {
      await tickets().create(ticket('t1', ['a', 'b']));
      expect(await tickets().create(ticket('t2', ['c', 'b']))).toEqual({ conflict: 'b' });
      expect(await tickets().get('t2')).toBeUndefined();
      expect(await tickets().create(ticket('t3', ['c']))).toMatchObject({ status: 'searching' });
      await tickets().finish(['t1'], { status: 'cancelled' });
      expect(await tickets().create(ticket('t4', ['b']))).toMatchObject({ status: 'searching' });
    });

    test('searching lists live tickets oldest first', async () => {
      await tickets().create(ticket('t1', ['a']));
      ctx.clock.tick();
      await tickets().create(ticket('t2', ['b']));
      ctx.clock.tick();
      await tickets().create(ticket('t3', ['c']));
      await tickets().finish(['t2'], { status: 'expired' });
      expect((await tickets().searching()).map((t) => t.ticketId)).toEqual(['t1', 't3']);
    });

    test('finish moves a searching ticket once; a lost race is undefined', async () => {
      await tickets().create(ticket('t1', ['a']));
      const [matched] = (await tickets().finish(['t1'], { status: 'matched', match })) ?? [];
      expect(matched).toMatchObject({ status: 'matched', match });
      expect(await tickets().finish(['t1'], { status: 'cancelled' })).toBeUndefined();
      expect(await tickets().get('t1')).toEqual(matched);
      expect(await tickets().finish(['nope'], { status: 'cancelled' })).toBeUndefined();
    });

    test('finish moves several tickets together or not at all', async () => {
      await tickets().create(ticket('t1', ['a']));
      await tickets().create(ticket('t2', ['b']));
      await tickets().create(ticket('t3', ['c']));
      await tickets().finish(['t3'], { status: 'cancelled' });
      // One of them is no longer searching: nothing moves.
      expect(await tickets().finish(['t1', 't2', 't3'], { status: 'matched', match })).toBeUndefined();
      expect((await tickets().searching()).map((t) => t.ticketId)).toEqual(['t1', 't2']);
      const both = await tickets().finish(['t1', 't2'], { status: 'matched', match });
      expect(both?.map((t) => [t.ticketId, t.status])).toEqual([
        ['t1', 'matched'],
        ['t2', 'matched'],
      ]);
      expect(await tickets().searching()).toEqual([]);
      expect(await tickets().finish([], { status: 'cancelled' })).toBeUndefined();
    });

    test('a queue lease has one holder at a time; renewing keeps its token, a takeover raises it', async () => {
      const first = await tickets().lease('arena/eu', 'lobby-a', 1000);
      expect(first).toEqual({ queue: 'arena/eu', token: expect.any(Number) });
      expect(await tickets().lease('arena/eu', 'lobby-b', 1000)).toBeUndefined();
      expect(await tickets().lease('arena/us', 'lobby-b', 1000)).toMatchObject({ queue: 'arena/us' });
      ctx.clock.tick(999);
      expect(await tickets().lease('arena/eu', 'lobby-a', 1000)).toEqual(first); // renewed to 1999
      ctx.clock.tick(999);
      expect(await tickets().lease('arena/eu', 'lobby-b', 1000)).toBeUndefined();
      ctx.clock.tick(1); // lobby-a went silent: its lease is over, lobby-b takes the queue over
      const second = await tickets().lease('arena/eu', 'lobby-b', 1000);
      expect(second?.token).toBeGreaterThan(first!.token);
      expect(await tickets().lease('arena/eu', 'lobby-a', 1000)).toBeUndefined();
      // Given up, it is free at once, and the next holder's token is greater still.
      expect(await tickets().lease('arena/eu', 'lobby-a', 0)).toBeUndefined(); // not a's to give up
      expect(await tickets().lease('arena/eu', 'lobby-b', 0)).toBeUndefined();
      const third = await tickets().lease('arena/eu', 'lobby-a', 1000);
      expect(third?.token).toBeGreaterThan(second!.token);
    });

    test('a claim fenced by a lease is refused once the queue changed hands', async () => {
      await tickets().create(ticket('t1', ['a']));
      await tickets().create(ticket('t2', ['b']));
      const stale = (await tickets().lease('arena/eu', 'lobby-a', 1000))!;
      ctx.clock.tick(1000);
      const current = (await tickets().lease('arena/eu', 'lobby-b', 1000))!;
      expect(await tickets().finish(['t1'], { status: 'matched', match }, stale)).toBeUndefined();
      expect((await tickets().get('t1'))?.status).toBe('searching');
      expect(await tickets().finish(['t1'], { status: 'matched', match }, current)).toHaveLength(1);
      // A fence on a queue never leased refuses too; unfenced finishes (cancel, expire) go through.
      expect(
        await tickets().finish(['t2'], { status: 'matched', match }, { queue: 'x', token: 1 }),
      ).toBeUndefined();
      expect(await tickets().finish(['t2'], { status: 'cancelled' })).toHaveLength(1);
    });

    test('watchers hear the final state until they stop watching', async () => {
      await tickets().create(ticket('t1', ['a']));
      await tickets().create(ticket('t2', ['b']));
      const heard: TicketRecord[] = [];
      const stop = tickets().watch('t1', (t) => heard.push(t));
      tickets().watch('t2', (t) => heard.push(t));
      await tickets().finish(['t1'], { status: 'cancelled' });
      stop();
      await tickets().finish(['t2'], { status: 'expired' });
      expect(heard.map((t) => [t.ticketId, t.status])).toEqual([
        ['t1', 'cancelled'],
        ['t2', 'expired'],
      ]);
    });

    test('final tickets stay readable for a while, then are dropped', async () => {
      await tickets().create(ticket('t1', ['a']));
      await tickets().finish(['t1'], { status: 'cancelled' });
      ctx.clock.tick(60_000);
      await tickets().searching();
      expect(await tickets().get('t1')).toMatchObject({ status: 'cancelled' });
      ctx.clock.tick(24 * 3600_000);
      await tickets().searching();
      expect(await tickets().get('t1')).toBeUndefined();
    });
  });
}
