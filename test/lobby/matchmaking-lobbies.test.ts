/**
 * Matchmaking with several lobbies on one real redis-server: each lobby is a MatchmakingService
 * with its own store and connection, as separate processes would have, running passes at the same
 * time on the same queues. Every successful claim is recorded; no ticket may be in two of them and
 * none may be short of the mode's minimum, whoever holds (or thinks it holds) the queue's lease.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { SeatTokens } from '../../server/game/seat-token.ts';
import { MatchmakingService } from '../../server/lobby/matchmaking/service.ts';
import { Seating } from '../../server/lobby/seating.ts';
import { openRedisStore } from '../../server/store/redis/index.ts';
import type { TicketMatch, TicketStore } from '../../server/store/tickets.ts';
import type { Store } from '../../server/store/types.ts';
import { skipRedis, useRedisServer } from '../support/redis-server.ts';
import { TEST_MODES, TEST_SEAT_SECRET } from './support.ts';

const RULES = TEST_MODES.get('arena')!.matchmaking;
const LEASE_TTL_MS = 3000;

/** A match a lobby claimed: its tickets and how many players they hold. */
interface Claim {
  readonly lobby: number;
  readonly ticketIds: readonly string[];
  readonly players: number;
  readonly match: TicketMatch;
}

/**
 * The lobby's ticket store, recording each successful match claim. With `defeatLeases`, every
 * lobby is told it holds every queue and claims go unfenced: only the atomic claim stands between
 * two lobbies then.
 */
function recording(tickets: TicketStore, lobby: number, claims: Claim[], defeatLeases: boolean): TicketStore {
  return {
    create: (ticket) => tickets.create(ticket),
    get: (ticketId) => tickets.get(ticketId),
    searching: () => tickets.searching(),
    watch: (ticketId, listener) => tickets.watch(ticketId, listener),
    lease: (queue, holder, ttlMs) =>
      defeatLeases ? Promise.resolve({ queue, token: 0 }) : tickets.lease(queue, holder, ttlMs),
    async finish(ticketIds, transition, fence) {
      const done = await tickets.finish(ticketIds, transition, defeatLeases ? undefined : fence);
      if (done && transition.status === 'matched') {
        const players = done.reduce((sum, ticket) => sum + ticket.players.length, 0);
        claims.push({ lobby, ticketIds: [...ticketIds], players, match: transition.match });
      }
      return done;
    },
  };
}

/** Holds the next seat until `release()`: a lobby frozen in the middle of starting a match. */
class Gate {
  reached!: Promise<void>;
  #reach!: () => void;
  #open!: () => void;
  readonly #opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  constructor() {
    this.reached = new Promise((resolve) => {
      this.#reach = resolve;
    });
  }
  async pass(): Promise<void> {
    this.#reach();
    await this.#opened;
  }
  release(): void {
    this.#open();
  }
}

describe.skipIf(skipRedis())('matchmaking with several lobbies on one Redis', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  let open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.map((store) => store.close()));
    open = [];
  });

  /** `count` lobbies on one fresh namespace, sharing a clock, with a live game node. */
  const lobbies = async (
    count: number,
    options: { defeatLeases?: boolean; gates?: readonly (Gate | undefined)[] } = {},
  ): Promise<{ clock: { ms: number }; claims: Claim[]; stores: Store[]; services: MatchmakingService[] }> => {
    const prefix = `mm${++namespaces}`;
    const clock = { ms: Date.UTC(2026, 11, 2, 12) };
    const now = () => clock.ms;
    const claims: Claim[] = [];
    const stores: Store[] = [];
    const services: MatchmakingService[] = [];
    for (let i = 0; i < count; i++) {
      const store = await openRedisStore({ url: redis.server.url, prefix, boards: [], now });
      open.push(store);
      stores.push(store);
      const gate = options.gates?.[i];
      const seating = new (class extends Seating {
        override async holdAll(roomId: string, playerIds: readonly string[]): Promise<number> {
          await gate?.pass();
          return super.holdAll(roomId, playerIds);
        }
      })({
        rooms: store.rooms,
        tokens: new SeatTokens({ secret: TEST_SEAT_SECRET, now }),
        modes: TEST_MODES,
        now,
        seatTtlSeconds: 30,
      });
      services.push(
        new MatchmakingService({
          tickets: recording(store.tickets, i, claims, options.defeatLeases ?? false),
          seating,
          modes: TEST_MODES,
          now,
          log: pino({ level: 'silent' }),
          leaseTtlMs: LEASE_TTL_MS,
          holder: `lobby-${i}`,
        }),
      );
    }
    await stores[0]!.rooms.heartbeat(
      { nodeId: 'n1', url: 'ws://127.0.0.1:1/n1', players: 0, rooms: 0, maxRooms: 1_000_000 },
      [],
      365 * 24 * 3600_000,
    );
    return { clock, claims, stores, services };
  };

  /** Queue parties of the given sizes through `store`; their ticket ids, in order. */
  const queue = async (
    store: Store,
    parties: readonly { size: number; rating: number }[],
  ): Promise<string[]> => {
    const ids: string[] = [];
    for (const [i, { size, rating }] of parties.entries()) {
      const created = await store.tickets.create({
        ticketId: `t${i}`,
        mode: 'arena',
        region: 'default',
        players: Array.from({ length: size }, (_, j) => ({ playerId: `p${i}.${j}`, name: `P${i}.${j}` })),
        rating,
        expiresAt: Number.MAX_SAFE_INTEGER,
      });
      if ('conflict' in created) throw new Error(`ticket t${i} refused`);
      ids.push(created.ticketId);
    }
    return ids;
  };

  /** No ticket in two claims, every claim within the mode's bounds and on record as its tickets' match. */
  const expectSound = async (claims: readonly Claim[], store: Store): Promise<void> => {
    const claimedBy = new Map<string, Claim>();
    for (const claim of claims) {
      expect(claim.players).toBeGreaterThanOrEqual(RULES.minPlayers);
      expect(claim.players).toBeLessThanOrEqual(RULES.maxPlayers);
      for (const ticketId of claim.ticketIds) {
        expect(claimedBy.get(ticketId), `${ticketId} in two matches`).toBeUndefined();
        claimedBy.set(ticketId, claim);
        const ticket = await store.tickets.get(ticketId);
        expect(ticket).toMatchObject({ status: 'matched', match: claim.match });
      }
    }
  };

  test('lobbies racing passes, cancels and clock jumps never put a ticket in two matches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          lobbies: fc.integer({ min: 2, max: 3 }),
          defeatLeases: fc.boolean(),
          parties: fc.array(
            fc.record({ size: fc.integer({ min: 1, max: 3 }), rating: fc.integer({ min: 1400, max: 1700 }) }),
            { minLength: 2, maxLength: 24 },
          ),
          // Per round: how far the clock moves (past the fill wait, past a lease) and which ticket to cancel.
          rounds: fc.array(
            fc.record({
              tick: fc.constantFrom(0, 1000, LEASE_TTL_MS, 6000),
              cancel: fc.option(fc.nat(), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 6 },
          ),
        }),
        async (scenario) => {
          const { clock, claims, stores, services } = await lobbies(scenario.lobbies, {
            defeatLeases: scenario.defeatLeases,
          });
          const ids = await queue(stores[0]!, scenario.parties);
          for (const [round, { tick, cancel }] of scenario.rounds.entries()) {
            clock.ms += tick;
            const canceller = stores[round % stores.length]!;
            await Promise.all([
              ...services.map((service) => service.runPass()),
              ...services.map((service) => service.runPass()),
              cancel === undefined
                ? undefined
                : canceller.tickets.finish([ids[cancel % ids.length]!], { status: 'cancelled' }),
            ]);
          }
          await expectSound(claims, stores[1]!);
          const matched = (await Promise.all(ids.map((id) => stores[0]!.tickets.get(id)))).filter(
            (t) => t?.status === 'matched',
          );
          expect(matched).toHaveLength(claims.reduce((sum, claim) => sum + claim.ticketIds.length, 0));
          await Promise.all(services.map((service) => service.stop()));
          await Promise.all(stores.map((store) => store.close()));
          open = [];
        },
      ),
      { numRuns: 25 },
    );
  });

  test('200 solo tickets, three lobbies passing at once: each placed at most once, in full matches', async () => {
    const { clock, claims, stores, services } = await lobbies(3);
    const ids = await queue(
      stores[0]!,
      Array.from({ length: 200 }, (_, i) => ({ size: 1, rating: 1500 + (i % 7) * 10 })),
    );
    for (let round = 0; round < 4; round++) {
      const before = claims.length;
      await Promise.all(services.flatMap((service) => [service.runPass(), service.runPass()]));
      // One lobby held the queue's lease this round: the others skipped it.
      expect(new Set(claims.slice(before).map((claim) => claim.lobby)).size).toBeLessThanOrEqual(1);
      clock.ms += LEASE_TTL_MS; // leases lapse between rounds: the queue may change hands
    }
    await expectSound(claims, stores[2]!);
    expect(claims.reduce((sum, claim) => sum + claim.players, 0)).toBe(ids.length);
    expect(claims.every((claim) => claim.players === RULES.maxPlayers)).toBe(true);
    expect(await stores[1]!.tickets.searching()).toEqual([]);
  });

  test('a lobby frozen mid-pass: its lease lapses, another takes over, its late claim is refused', async () => {
    const gates = [new Gate(), new Gate()] as const;
    const { clock, claims, stores, services } = await lobbies(2, { gates });
    const [frozen, other] = services as [MatchmakingService, MatchmakingService];
    const ids = await queue(
      stores[0]!,
      Array.from({ length: 8 }, () => ({ size: 1, rating: 1500 })),
    );
    const frozenPass = frozen.runPass();
    await gates[0].reached; // lobby 0 made a room for its first match and stopped before claiming it
    // While its lease is valid the other lobby leaves the queue alone.
    expect(await other.runPass()).toEqual({ matches: 0, expired: 0 });
    expect(await stores[1]!.tickets.searching()).toHaveLength(8);
    clock.ms += LEASE_TTL_MS; // lobby 0 is silent past its lease: lobby 1 takes the queue over
    const takeover = other.runPass();
    await gates[1].reached; // ...and is making the same matches from the same, still searching tickets
    gates[0].release(); // lobby 0 wakes up and carries on with its stale view of the queue
    expect(await frozenPass).toEqual({ matches: 0, expired: 0 });
    gates[1].release();
    expect(await takeover).toEqual({ matches: 2, expired: 0 });
    await expectSound(claims, stores[0]!);
    expect(claims.map((claim) => claim.lobby)).toEqual([1, 1]);
    expect(claims.flatMap((claim) => claim.ticketIds).sort()).toEqual([...ids].sort());
  });

  test('a lobby that stops gives its queues up: another forms their matches at once', async () => {
    const { claims, stores, services } = await lobbies(2);
    const [first, second] = services as [MatchmakingService, MatchmakingService];
    await queue(stores[0]!, [{ size: 1, rating: 1500 }]);
    expect(await first.runPass()).toEqual({ matches: 0, expired: 0 }); // alone: waits for company
    await stores[1]!.tickets.create({
      ticketId: 'late',
      mode: 'arena',
      region: 'default',
      players: ['x', 'y', 'z'].map((id) => ({ playerId: id, name: id })),
      rating: 1500,
      expiresAt: Number.MAX_SAFE_INTEGER,
    });
    expect(await second.runPass()).toEqual({ matches: 0, expired: 0 }); // the queue is the first's
    await first.stop();
    expect(await second.runPass()).toEqual({ matches: 1, expired: 0 });
    expect(claims.map((claim) => [claim.lobby, claim.players])).toEqual([[1, 4]]);
  });
});
