/**
 * Matchmaking through the whole service, in process: 10,000 solo tickets queued in the memory
 * store, then passes of MatchmakingService until no full match is left: each match creates a room
 * in the directory and holds a seat per player, as in production. bench:lobby runs it, on the
 * Redis store too with `--store redis` (every claim, room and seat then a script on Redis).
 */
import { pino } from 'pino';
import { SeatTokens } from '../server/game/seat-token.ts';
import { MatchmakingService } from '../server/lobby/matchmaking/service.ts';
import { modesFrom } from '../server/lobby/modes.ts';
import { Seating } from '../server/lobby/seating.ts';
import { openEmbeddedStore } from '../server/store/embedded/index.ts';
import type { Store } from '../server/store/types.ts';

export interface ServiceBenchResult {
  readonly tickets: number;
  readonly matches: number;
  readonly placed: number;
  readonly passes: number;
  readonly ms: number;
}

/** Queue `tickets` rated solo tickets and time the passes that place them in 16-player arena matches. */
export async function benchMatchmakingService(
  options: { tickets?: number; openStore?: (now: () => number) => Promise<Store> } = {},
): Promise<ServiceBenchResult> {
  const tickets = options.tickets ?? 10_000;
  let clock = Date.UTC(2026, 11, 1);
  const now = () => clock;
  const store = options.openStore
    ? await options.openStore(now)
    : await openEmbeddedStore({ dataDir: ':memory:', now });
  const node = { nodeId: 'bench', url: 'ws://127.0.0.1:1/ws', players: 0, rooms: 0, maxRooms: 1_000_000 };
  await store.rooms.heartbeat(node, [], 3_600_000);
  const modes = modesFrom(
    [{ mode: 'arena', maxPlayers: 16, matchmaking: { minPlayers: 8, fillWaitMs: 20_000 } }],
    {
      skill: { initialWindow: 100, widenPerSecond: 25, maxWindow: 1000 },
      fillWaitMs: undefined,
      roomOptions: {},
    },
  );
  const secret = new TextEncoder().encode('bench-secret-bench-secret-bench-secret!!');
  const seating = new Seating({
    rooms: store.rooms,
    tokens: new SeatTokens({ secret, now }),
    modes,
    now,
    seatTtlSeconds: 30,
  });
  const service = new MatchmakingService({
    tickets: store.tickets,
    seating,
    modes,
    now,
    log: pino({ level: 'silent' }),
  });
  for (let i = 0; i < tickets; i++) {
    const rating = 1500 + 300 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);
    await store.tickets.create({
      ticketId: `t${i}`,
      mode: 'arena',
      region: 'default',
      players: [{ playerId: `p${i}`, name: `player ${i}` }],
      rating,
      expiresAt: clock + 3_600_000,
    });
  }
  clock += 1000;
  let matches = 0;
  let passes = 0;
  const started = performance.now();
  for (;;) {
    const pass = await service.runPass();
    passes++;
    matches += pass.matches;
    if (pass.matches === 0) break;
  }
  const ms = performance.now() - started;
  const placed = tickets - (await store.tickets.searching()).length;
  await store.close();
  return { tickets, matches, placed, passes, ms };
}
