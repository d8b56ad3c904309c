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
