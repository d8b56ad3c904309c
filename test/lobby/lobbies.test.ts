/**
 * Two lobbies on one real redis-server over real HTTP, as two lobby processes behind a load
 * balancer: any request may reach either. A player signed up on one is known to the other; a
 * ticket made on one is read, cancelled and streamed (SSE) on the other and sees its match
 * whichever lobby formed it; party tokens and request budgets hold across both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_TTL_MS } from '../../server/lobby/matchmaking/service.ts';
import { openRedisStore } from '../../server/store/redis/index.ts';
import { skipRedis, useRedisServer } from '../support/redis-server.ts';
import {
  NO_RATE_LIMITS,
  postJson,
  readProblem,
  signUp,
  startLobby,
  type TestLobby,
  type TestLobbyOptions,
  type TestPlayer,
} from './support.ts';

interface Ticket {
  ticketId: string;
  status: string;
  players: string[];
  matchId?: string;
  roomId?: string;
  reservation?: { roomId: string; playerId: string; seat: string };
}

/** fetch `path` on `lobby` with the player's token, wherever the player signed up. */
const on = (lobby: TestLobby, player: TestPlayer, method: string, path: string, body?: unknown) =>
  fetch(`${lobby.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${player.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Read SSE `ticket` events from a response body until the stream ends. */
async function readEvents(response: Response): Promise<Ticket[]> {
  const events: Ticket[] = [];
  for (const block of (await response.text()).split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (block.includes('event: ticket') && data) events.push(JSON.parse(data) as Ticket);
  }
  return events;
}

describe.skipIf(skipRedis())('two lobbies on one Redis', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  let a: TestLobby;
  let b: TestLobby;

  /** Lobbies A and B on a fresh namespace, one clock, with a game node announced. */
  const start = async (options: TestLobbyOptions = {}) => {
    const prefix = `lobbies${++namespaces}`;
    const clock = { now: Date.UTC(2026, 11, 2, 12) };
    const openStore = (now: () => number) =>
      openRedisStore({ url: redis.server.url, prefix, boards: [], now });
    a = await startLobby({ rateLimits: NO_RATE_LIMITS, ...options, openStore, clock });
    b = await startLobby({ rateLimits: NO_RATE_LIMITS, ...options, openStore, clock });
    await a.heartbeat();
  };
  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const queue = async (lobby: TestLobby, player: TestPlayer, body: object = { mode: 'arena' }) => {
    const response = await on(lobby, player, 'POST', '/v1/matchmaking/tickets', body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as Ticket;
  };
  const read = async (lobby: TestLobby, player: TestPlayer, ticketId: string) => {
    const response = await on(lobby, player, 'GET', `/v1/matchmaking/tickets/${ticketId}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Ticket;
  };

  it('a ticket made on A is read and cancelled on B, and A sees it cancelled', async () => {
    const ada = await signUp(a, 'Ada');
    const ticket = await queue(a, ada);
    expect(await read(b, ada, ticket.ticketId)).toMatchObject({
      ticketId: ticket.ticketId,
      status: 'searching',
    });
    const cancelled = await on(b, ada, 'DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`);
    expect(cancelled.status).toBe(200);
    expect(await read(a, ada, ticket.ticketId)).toMatchObject({ status: 'cancelled' });
    // One searching ticket per player holds across lobbies: a second on B while one searches on A.
    await queue(a, ada);
    const twice = await on(b, ada, 'POST', '/v1/matchmaking/tickets', { mode: 'arena' });
    expect(twice.status).toBe(409);
    expect((await readProblem(twice)).type).toContain('ticket-exists');
  });

  it('streams on B see the match A formed, and streams on A the one B formed', async () => {
    const players = await Promise.all(['p0', 'p1', 'p2', 'p3'].map((name, i) => signUp(i % 2 ? b : a, name)));
    const tickets: Ticket[] = [];
    for (const [i, player] of players.entries()) tickets.push(await queue(i < 2 ? a : b, player));
    const streamOnB = await on(
      b,
      players[0]!,
      'GET',
      `/v1/matchmaking/tickets/${tickets[0]!.ticketId}/events`,
    );
    expect(streamOnB.status).toBe(200);
    const events = readEvents(streamOnB);
    expect((await a.matchmaking.runPass()).matches).toBe(1); // A forms it
    const seen = await events;
    expect(seen.map((t) => t.status)).toEqual(['searching', 'matched']);
    expect(seen[1]?.reservation).toMatchObject({ playerId: players[0]!.playerId, roomId: seen[1]?.roomId });
    // Every player reads the same match on either lobby, each with a seat of their own.
    for (const [i, player] of players.entries()) {
      const ticket = await read(i % 2 ? a : b, player, tickets[i]!.ticketId);
      expect(ticket).toMatchObject({ status: 'matched', matchId: seen[1]?.matchId });
      expect(ticket.reservation?.playerId).toBe(player.playerId);
    }

    // The other way round: watched on A, formed by B.
    const more = await Promise.all(['q0', 'q1', 'q2', 'q3'].map((name) => signUp(b, name)));
    const next: Ticket[] = [];
    for (const player of more) next.push(await queue(b, player));
    const streamOnA = readEvents(
      await on(a, more[3]!, 'GET', `/v1/matchmaking/tickets/${next[3]!.ticketId}/events`),
    );
    // A holds the queue's lease since its pass: B forms nothing until it lapses.
    expect((await b.matchmaking.runPass()).matches).toBe(0);
    a.clock.now += DEFAULT_LEASE_TTL_MS;
    expect((await b.matchmaking.runPass()).matches).toBe(1);
    expect((await streamOnA).map((t) => t.status)).toEqual(['searching', 'matched']);
  });

  it('a cancel on A ends a stream held open on B', async () => {
    const ada = await signUp(a, 'Ada');
    const ticket = await queue(b, ada);
    const events = readEvents(await on(b, ada, 'GET', `/v1/matchmaking/tickets/${ticket.ticketId}/events`));
    await on(a, ada, 'DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`);
    expect((await events).map((t) => t.status)).toEqual(['searching', 'cancelled']);
  });

  it('a party token issued on B is good for a ticket made on A', async () => {
    const [leader, member] = [await signUp(a, 'Leader'), await signUp(b, 'Member')];
    const issued = await on(b, member, 'POST', '/v1/matchmaking/party-tokens', { leaderId: leader.playerId });
    expect(issued.status).toBe(201);
    const { partyToken } = (await issued.json()) as { partyToken: string };
    const ticket = await queue(a, leader, { mode: 'arena', party: [partyToken] });
    expect(ticket.players).toEqual([leader.playerId, member.playerId]);
    expect((await read(b, member, ticket.ticketId)).status).toBe('searching');
  });

  it('request budgets are spent across lobbies: the guest budget of one address is one', async () => {
    await Promise.all([a.close(), b.close()]);
    await start({ rateLimits: { ...NO_RATE_LIMITS, guestPerMinute: 3 } });
    const statuses: number[] = [];
    for (const lobby of [a, b, a, b]) {
      statuses.push((await postJson(`${lobby.url}/v1/auth/guest`, { name: 'Flood' })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});
