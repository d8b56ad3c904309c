/**
 * The server half of `npm run bench:lobby`, run in its own (pinned) process: either the floor (bare
 * Hono handlers on @hono/node-server: a fixed 10-record JSON, and a POST echoing its JSON body) or
 * the real lobby over an embedded store in a temp dir, seeded with players and arena scores, rate
 * limits on but far above what one generator sends. Prints one JSON line with its URL and what the
 * load generator needs (tokens, player ids), then serves until stdin closes.
 *
 * BENCH_MATCHMAKING_MS=N runs the matchmaking service every N ms beside the routes, as `npm start`
 * does, with one registered game node that takes any number of rooms (no node process: a formed
 * match is a room in the directory and a held seat per player). BENCH_PREQUEUE=N queues N searching
 * tickets of synthetic players before serving, to see what a long queue costs the routes.
 *
 * With BENCH_REDIS_URL set the lobby runs on the Redis store (namespace BENCH_REDIS_PREFIX): the
 * board is seeded with `seeded` records of synthetic players in batches (a million takes seconds,
 * not a million sign-ups), and BENCH_SEED=0 starts a second lobby on data another one seeded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { SeatTokens } from '../server/game/seat-token.ts';
import { arena } from '../server/games/arena/index.ts';
import { createLobbyApp } from '../server/lobby/app.ts';
import { MatchmakingService } from '../server/lobby/matchmaking/service.ts';
import { type LobbyModes, modesFrom } from '../server/lobby/modes.ts';
import { createPartyTokens } from '../server/lobby/party-tokens.ts';
import { Seating } from '../server/lobby/seating.ts';
import { createAccessTokens } from '../server/lobby/tokens.ts';
import { openEmbeddedStore } from '../server/store/embedded/index.ts';
import { openRedisStore } from '../server/store/redis/index.ts';
import type { ScoreSubmission, Store } from '../server/store/types.ts';

/** What the server tells the load generator. */
export interface LobbyBenchServerInfo {
  readonly url: string;
  /** Seeded players' ids (around-player reads pick from them). */
  readonly playerIds: string[];
  /** Access tokens of fresh players without tickets (one ticket creation each). */
  readonly ticketTokens: string[];
  /** More such tokens, spent warming up the ticket route before it is measured. */
  readonly warmupTokens: string[];
}

const mode = process.argv[2] ?? 'lobby';
const seeded = Number(process.argv[3] ?? 10_000);
const ticketPlayers = Number(process.argv[4] ?? 0);
const warmupPlayers = Number(process.argv[5] ?? 0);
const secret = new TextEncoder().encode('bench-secret-bench-secret-bench-secret!!');
const redisUrl = process.env.BENCH_REDIS_URL;
const seed = process.env.BENCH_SEED !== '0';
/** Players of a seeded Redis board sampled for around-player reads. */
const AROUND_SAMPLE = 10_000;

async function floor(): Promise<{ fetch: (r: Request) => Response | Promise<Response>; info: object }> {
  const records = Array.from({ length: 10 }, (_, i) => ({
    rank: i + 1,
    playerId: `player-${i}`,
    name: `Player ${i}`,
    score: 1000 - i,
    updatedAt: 1_764_000_000_000 + i,
  }));
  const app = new Hono();
  app.get('/v1/leaderboards/:boardId/top', (c) => c.json({ boardId: 'arena', period: 'all', records }));
  // The same for a request with a JSON body: what reading and answering a POST costs by itself.
  app.post('/v1/auth/guest', async (c) =>
    c.json({ name: ((await c.req.json()) as { name: string }).name }, 201),
  );
  return { fetch: app.fetch, info: { playerIds: [], ticketTokens: [], warmupTokens: [] } };
}

async function lobby(dataDir: string) {
  const now = Date.now;
  const boards = [{ id: 'arena', sort: 'desc', operator: 'best', reset: 'never' } as const];
  const store = redisUrl
    ? await openRedisStore({ url: redisUrl, prefix: process.env.BENCH_REDIS_PREFIX ?? 'bench', boards, now })
    : await openEmbeddedStore({ dataDir, boards, now });
  const playerIds: string[] = redisUrl ? await seedRedis(store) : [];
  for (let i = 0; i < (redisUrl ? 0 : seeded); i++) {
    const player = await store.players.createGuest(`player ${i}`);
    playerIds.push(player.id);
    const score = Math.floor(Math.abs(Math.sin(i + 1)) * 100_000);
    await store.leaderboards.submit({
      boardId: 'arena',
      playerId: player.id,
      name: player.name,
      score,
      key: `seed:${i}`,
    });
  }
  const tokens = createAccessTokens({ secret, now });
  const queuers = await Promise.all(
    Array.from({ length: ticketPlayers + warmupPlayers }, (_, i) => store.players.createGuest(`queuer ${i}`)),
  );
  const queuerTokens = await Promise.all(queuers.map(async (p) => (await tokens.issue(p.id)).token));
  const warmupTokens = queuerTokens.slice(0, queuerTokens.length - ticketPlayers);
  const ticketTokens = queuerTokens.slice(warmupTokens.length);
  const modes = modesFrom([arena], {
    skill: { initialWindow: 100, widenPerSecond: 25, maxWindow: 1000 },
    fillWaitMs: undefined,
    roomOptions: {},
  });
  const seating = new Seating({
    rooms: store.rooms,
    tokens: new SeatTokens({ secret }),
    modes,
    now,
    seatTtlSeconds: 30,
  });
  const matchmakingMs = Number(process.env.BENCH_MATCHMAKING_MS ?? 0);
  const matchmaking =
    matchmakingMs > 0 ? await startMatchmaking(store, seating, modes, matchmakingMs) : undefined;
  await prequeue(store, Number(process.env.BENCH_PREQUEUE ?? 0));
  const app = createLobbyApp({
    store,
    now,
    tokens,
    partyTokens: createPartyTokens({ secret, now }),
    log: pino({ level: 'warn' }),
    modes,
    seating,
    ticketTtlMs: 3_600_000,
    // Limits on (their cost is part of every request) but far above what one load generator sends.
    rateLimits: { ipPerMinute: 1e9, playerPerMinute: 1e9, guestPerMinute: 1e9, trustProxy: false },
  });
  return {
    fetch: app.fetch,
    info: { playerIds, ticketTokens, warmupTokens },
    close: async () => {
      await matchmaking?.stop();
      await store.close();
    },
  };
}

/** The matchmaking service on a pass timer, with one game node registered that takes any room. */
async function startMatchmaking(
  store: Store,
  seating: Seating,
  modes: LobbyModes,
  intervalMs: number,
): Promise<MatchmakingService> {
  const node = { nodeId: 'bench', url: 'ws://127.0.0.1:1/ws', players: 0, rooms: 0, maxRooms: 1_000_000_000 };
  await store.rooms.heartbeat(node, [], 24 * 3_600_000);
  const service = new MatchmakingService({
    tickets: store.tickets,
    seating,
    modes,
    now: Date.now,
    log: pino({ level: 'warn' }),
  });
  service.start(intervalMs);
  return service;
}

/** `count` searching tickets of synthetic players, spread over ratings. */
async function prequeue(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.tickets.create({
      ticketId: `pre-${i}`,
      mode: 'arena',
      region: 'default',
      players: [{ playerId: `pre-${i}`, name: `waiting ${i}` }],
      rating: 1000 + ((i * 7919) % 1000),
      expiresAt: Date.now() + 3_600_000,
    });
  }
}

/** A board of `seeded` records of synthetic players, in batches; a sample of their ids. */
async function seedRedis(store: Store): Promise<string[]> {
  const step = Math.max(1, Math.floor(seeded / AROUND_SAMPLE));
  const sample = Array.from({ length: Math.min(seeded, AROUND_SAMPLE) }, (_, i) => `s${i * step}`);
  if (!seed) return sample;
  for (let start = 0; start < seeded; start += 1000) {
    const batch: ScoreSubmission[] = [];
    for (let i = start; i < Math.min(seeded, start + 1000); i++) {
      const score = Math.floor(Math.abs(Math.sin(i + 1)) * 100_000);
      batch.push({ boardId: 'arena', playerId: `s${i}`, name: `player ${i}`, score, key: `seed:${i}` });
    }
    await store.leaderboards.submitAll(batch);
  }
  return sample;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickforge-bench-lobby-'));
  const built = mode === 'floor' ? await floor() : await lobby(dataDir);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: built.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, ...built.info })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    server.close();
    if ('close' in built) await built.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

await main();
