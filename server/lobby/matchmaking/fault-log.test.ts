/**
 * While the store is out of reach every matchmaking pass fails: the service logs the first failure,
 * then at most one line per interval of its clock, and one line when passes succeed again.
 */
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { SeatTokens } from '../../game/seat-token.ts';
import { openEmbeddedStore } from '../../store/embedded/index.ts';
import { StoreUnavailableError } from '../../store/errors.ts';
import type { TicketStore } from '../../store/tickets.ts';
import { modesFrom } from '../modes.ts';
import { Seating } from '../seating.ts';
import { FAULT_LOG_INTERVAL_MS } from './fault-log.ts';
import { MatchmakingService } from './service.ts';

test('a store outage is logged once per interval, not on every pass, and its end once', async () => {
  const clock = { ms: Date.UTC(2026, 11, 2, 12) };
  const now = () => clock.ms;
  const store = await openEmbeddedStore({ dataDir: ':memory:', now });
  const lines: { level: number; msg: string; failures?: number; unlogged?: number }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  let down = true;
  let passes = 0;
  let waiting: { passes: number; resolve: () => void } | undefined;
  /** Resolves once `count` more passes have read the queue. */
  const passesMore = (count: number) =>
    new Promise<void>((resolve) => {
      waiting = { passes: passes + count, resolve };
    });
  const tickets: TicketStore = {
    ...store.tickets,
    lease: (...args) => store.tickets.lease(...args),
    finish: (...args) => store.tickets.finish(...args),
    async searching() {
      passes++;
      if (waiting && passes >= waiting.passes) waiting.resolve();
      if (down) throw new StoreUnavailableError(new Error('connect ECONNREFUSED'));
      return store.tickets.searching();
    },
  };
  const modes = modesFrom(
    [{ mode: 'arena', maxPlayers: 4, matchmaking: { minPlayers: 2, fillWaitMs: 1000 } }],
    {
      skill: { initialWindow: 100, widenPerSecond: 25, maxWindow: 1000 },
      fillWaitMs: undefined,
      roomOptions: {},
    },
  );
  const seating = new Seating({
    rooms: store.rooms,
    tokens: new SeatTokens({ secret: new TextEncoder().encode('x'.repeat(40)), now }),
    modes,
    now,
    seatTtlSeconds: 30,
  });
  const service = new MatchmakingService({ tickets, seating, modes, now, log });
  const errors = () => lines.filter((line) => line.level === 50);
  try {
    service.start(1);
    await passesMore(20);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ msg: 'matchmaking pass failed', failures: 1, unlogged: 0 });

    clock.ms += FAULT_LOG_INTERVAL_MS;
    await passesMore(2);
    expect(errors()).toHaveLength(2);
    const [, second] = errors() as [unknown, { failures: number; unlogged: number }];
    expect(second.unlogged).toBeGreaterThanOrEqual(18); // the passes in between, counted
    expect(second.failures).toBe(second.unlogged + 2);

    down = false;
    await passesMore(3);
    expect(errors()).toHaveLength(2);
    const recovered = lines.filter((line) => line.msg === 'matchmaking pass failed: recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.failures).toBeGreaterThanOrEqual(second.failures);
  } finally {
    await service.stop();
    await store.close();
  }
});
