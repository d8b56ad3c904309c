import { describe, expect, it } from 'vitest';
import type { NewTicket } from '../tickets.ts';
import { MemoryTicketStore } from './tickets.ts';

const ticket = (id: string): NewTicket => ({
  ticketId: id,
  mode: 'arena',
  region: 'default',
  players: [{ playerId: `p-${id}`, name: id }],
  rating: 1500,
  expiresAt: Number.MAX_SAFE_INTEGER,
});

describe('memory ticket store: retention of final tickets', () => {
  it('keeps a final ticket readable for retainMs, then drops it; searching ones stay', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryTicketStore(() => now, 1000);
    await store.create(ticket('done'));
    await store.create(ticket('live'));
    await store.finish(['done'], { status: 'cancelled' });
    now += 999;
    expect((await store.get('done'))?.status).toBe('cancelled');
    now += 1;
    await store.create(ticket('next')); // dropping happens as the store is used
    expect(await store.get('done')).toBeUndefined();
    expect((await store.searching()).map((t) => t.ticketId)).toEqual(['live', 'next']);
  });

  it('drops exactly the tickets past their time, however many were dropped before', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryTicketStore(() => now, 3000);
    // 5,000 tickets finished 1 ms apart, dropped as they come of age: more than the 1,024 dropped
    // entries after which the list is shortened, both while they are created and afterwards.
    for (let i = 0; i < 5000; i++) {
      await store.create(ticket(`t${i}`));
      await store.finish([`t${i}`], { status: 'expired' });
      now += 1;
    }
    const end = now;
    const finishedAt = (i: number) => end - 5000 + i;
    for (const step of [0, 1, 999, 1500, 500]) {
      now += step;
      await store.searching();
      for (const i of [0, 1024, 1025, 2000, 2001, 2999, 3000, 3001, 4500, 4501, 4999]) {
        const gone = finishedAt(i) + 3000 <= now;
        expect(await store.get(`t${i}`), `t${i} at +${now - finishedAt(i)} ms`).toEqual(
          gone ? undefined : expect.objectContaining({ status: 'expired' }),
        );
      }
    }
    // Tickets finished after the list was shortened are dropped on time too.
    await store.create(ticket('late'));
    await store.finish(['late'], { status: 'cancelled' });
    now += 2999;
    await store.searching();
    expect((await store.get('late'))?.status).toBe('cancelled');
    now += 1;
    await store.searching();
    expect(await store.get('late')).toBeUndefined();
  });
});
