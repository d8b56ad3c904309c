import { afterEach, describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import type { NewTicket, TicketRecord } from '../tickets.ts';
import type { Store } from '../types.ts';
import { openRedisStore } from './index.ts';

const ticket = (ticketId: string, playerId: string): NewTicket => ({
  ticketId,
  mode: 'arena',
  region: 'eu',
  players: [{ playerId, name: playerId }],
  rating: 1200,
  expiresAt: Date.UTC(2030, 0, 1),
});

describe.skipIf(skipRedis())('watching tickets across processes', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  let stores: Store[] = [];
  const errors: unknown[] = [];
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
    errors.length = 0;
  });
  /** Two stores on one namespace, as two lobby processes. */
  const pair = async (): Promise<[Store, Store]> => {
    const prefix = `w${++namespaces}`;
    const open = () =>
      openRedisStore({ url: redis.server.url, prefix, boards: [], onError: (error) => errors.push(error) });
    stores = [await open(), await open()];
    return stores as [Store, Store];
  };

  test('a change published while the watcher was disconnected is heard after it reconnects, once', async () => {
    const [a, b] = await pair();
    await a.tickets.create(ticket('t1', 'p1'));
    await a.tickets.create(ticket('t2', 'p2'));
    const heard: TicketRecord[] = [];
    const first = new Promise<void>((resolve) =>
      b.tickets.watch('t1', (t) => {
        heard.push(t);
        resolve();
      }),
    );
    // The server drops every subscriber at once; the finish below is published to nobody.
    await redis.admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await a.tickets.finish(['t1'], { status: 'cancelled' });
    await first;
    expect(heard.map((t) => [t.ticketId, t.status])).toEqual([['t1', 'cancelled']]);
    // Live again: later changes arrive as messages, and t1 is not heard a second time.
    const second = new Promise<TicketRecord>((resolve) => b.tickets.watch('t2', resolve));
    await a.tickets.finish(['t2'], { status: 'expired' });
    expect((await second).status).toBe('expired');
    expect(heard).toHaveLength(1);
  });

  test('a listener that throws is reported and does not keep others from hearing', async () => {
    const [a, b] = await pair();
    await a.tickets.create(ticket('t1', 'p1'));
    b.tickets.watch('t1', () => {
      throw new Error('listener failed');
    });
    const heard = new Promise<TicketRecord>((resolve) => b.tickets.watch('t1', resolve));
    await a.tickets.finish(['t1'], { status: 'cancelled' });
    expect((await heard).status).toBe('cancelled');
    expect(errors).toEqual([new Error('listener failed')]);
  });
});
