/**
 * Matchmaking over real HTTP: tickets, parties, skill windows that widen, the fill wait, expiry,
 * cancellation, and the Server-Sent Events stream. Passes run by hand on an injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProblem, signUp, startLobby, type TestLobby, type TestPlayer } from './support.ts';

let lobby: TestLobby;
beforeEach(async () => {
  lobby = await startLobby({ ticketTtlMs: 60_000 });
  await lobby.heartbeat();
});
afterEach(async () => {
  await lobby.close();
});

interface Ticket {
  ticketId: string;
  status: string;
  players: string[];
  matchId?: string;
  roomId?: string;
  reservation?: { url: string; seat: string; roomId: string; playerId: string; expiresAt: number };
}

const queue = async (player: TestPlayer, body: object = { mode: 'arena' }): Promise<Ticket> => {
  const response = await player.call('POST', '/v1/matchmaking/tickets', body);
  expect(response.status, await response.clone().text()).toBe(201);
  expect(response.headers.get('location')).toMatch(/^\/v1\/matchmaking\/tickets\/[\w-]+$/);
  return (await response.json()) as Ticket;
};
const read = async (player: TestPlayer, ticketId: string): Promise<Ticket> =>
  (await (await player.call('GET', `/v1/matchmaking/tickets/${ticketId}`)).json()) as Ticket;
/** `member`'s consent to play in `leader`'s party. */
const partyToken = async (member: TestPlayer, leader: TestPlayer): Promise<string> => {
  const response = await member.call('POST', '/v1/matchmaking/party-tokens', { leaderId: leader.playerId });
  expect(response.status).toBe(201);
  return ((await response.json()) as { partyToken: string }).partyToken;
};
const players = (n: number, prefix = 'p') =>
  Promise.all(Array.from({ length: n }, (_, i) => signUp(lobby, `${prefix}${i}`)));

describe('tickets', () => {
  it('a full match forms at once: every ticket is matched with its own seat in one room', async () => {
    const four = await players(4);
    const tickets: Ticket[] = [];
    for (const p of four) tickets.push(await queue(p));
    expect(tickets[0]).toMatchObject({
      status: 'searching',
      mode: 'arena',
      region: 'default',
      players: [four[0]?.playerId],
      createdAt: lobby.clock.now,
      expiresAt: lobby.clock.now + 60_000,
    });
    expect(await lobby.matchmaking.runPass()).toEqual({ matches: 1, expired: 0 });
    const seen = await Promise.all(four.map((p, i) => read(p, tickets[i]?.ticketId ?? '')));
    const roomIds = new Set(seen.map((t) => t.roomId));
    expect(roomIds.size).toBe(1);
    expect(new Set(seen.map((t) => t.matchId)).size).toBe(1);
    for (const [i, ticket] of seen.entries()) {
      expect(ticket.status).toBe('matched');
      expect(ticket.reservation?.playerId).toBe(four[i]?.playerId);
      const claims = await lobby.seatTokens.verifySeat(ticket.reservation?.seat ?? '', 'node-1');
      expect(claims).toMatchObject({ playerId: four[i]?.playerId, roomId: ticket.roomId, mode: 'arena' });
    }
  });

  it('a matched ticket mints a fresh seat on every read, so a late reader still gets a full lifetime', async () => {
    const four = await players(4);
    const tickets: Ticket[] = [];
    for (const p of four) tickets.push(await queue(p));
    await lobby.matchmaking.runPass();
    lobby.clock.now += 25_000;
    const late = await read(four[0]!, tickets[0]!.ticketId);
    expect(late.reservation?.expiresAt).toBe(lobby.clock.now + 30_000);
    const again = await read(four[0]!, tickets[0]!.ticketId);
    expect(again.reservation?.seat).not.toBe(late.reservation?.seat);
    // Holding the seat again keeps the room from giving it away while the player is on the way.
    const room = await lobby.store.rooms.find({ roomId: late.roomId ?? '' });
    expect(room?.reservations[four[0]!.playerId]).toBe(lobby.clock.now + 30_000);
  });

  it('fewer than a full match wait for the fill time, then start with at least the minimum', async () => {
    const [a, b] = await players(2);
    const ta = await queue(a!);
    const tb = await queue(b!);
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
    lobby.clock.now += 4_999;
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
    lobby.clock.now += 1;
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    expect((await read(a!, ta.ticketId)).status).toBe('matched');
    expect((await read(b!, tb.ticketId)).roomId).toBe((await read(a!, ta.ticketId)).roomId);
  });

  it('a lone player is never matched and the ticket expires', async () => {
    const [a] = await players(1);
    const ticket = await queue(a!);
    lobby.clock.now += 59_999;
    expect(await lobby.matchmaking.runPass()).toEqual({ matches: 0, expired: 0 });
    lobby.clock.now += 1;
    expect(await lobby.matchmaking.runPass()).toEqual({ matches: 0, expired: 1 });
    expect((await read(a!, ticket.ticketId)).status).toBe('expired');
    expect((await a!.call('DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`)).status).toBe(409);
    // An expired ticket is no longer live: the player may queue again.
    await queue(a!);
  });

  it('skill windows keep distant ratings apart until waiting widens them', async () => {
    const [a, b] = await players(2);
    const ta = await queue(a!, { mode: 'arena', rating: 1000 });
    await queue(b!, { mode: 'arena', rating: 1400 });
    lobby.clock.now += 5_000; // fill wait over, but windows are 100 + 50/s * 5 s = 350 each side
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    const [c, d] = await players(2, 'q');
    const tc = await queue(c!, { mode: 'arena', rating: 0 });
    await queue(d!, { mode: 'arena', rating: 1100 }); // 1,100 apart: needs half-widths of 550 (max 500)
    lobby.clock.now += 30_000;
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
    expect((await read(c!, tc.ticketId)).status).toBe('searching');
    expect((await read(a!, ta.ticketId)).status).toBe('matched');
  });

  it('matches form within a region only', async () => {
    const [a, b] = await players(2);
    await queue(a!, { mode: 'arena', region: 'eu' });
    await queue(b!, { mode: 'arena', region: 'us' });
    lobby.clock.now += 10_000;
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
  });

  it('a party stays together, every member reads the ticket and gets their own seat', async () => {
    const [a, b, c] = await players(3);
    const party = await queue(a!, {
      mode: 'arena',
      party: [await partyToken(b!, a!), await partyToken(c!, a!)],
    });
    expect(party.players).toEqual([a!.playerId, b!.playerId, c!.playerId]);
    const [d, e] = await players(2, 'q');
    await queue(d!);
    await queue(e!); // 3 + 1 = 4 is full; e waits
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    const views = await Promise.all([a, b, c].map((p) => read(p!, party.ticketId)));
    expect(views.map((t) => t.reservation?.playerId)).toEqual([a!.playerId, b!.playerId, c!.playerId]);
    expect(new Set(views.map((t) => t.reservation?.seat)).size).toBe(3);
  });

  it("nobody joins a party without their own token for that leader, or with someone else's", async () => {
    const [a, b, c] = await players(3);
    // b agreed to play with c, not with a: a cannot use it, and cannot list b by id.
    const forC = await partyToken(b!, c!);
    for (const party of [[forC], [b!.playerId]]) {
      const response = await a!.call('POST', '/v1/matchmaking/tickets', { mode: 'arena', party });
      expect(response.status).toBe(400);
      expect((await readProblem(response)).errors?.[0]?.field).toBe('/body/party/0');
    }
    // b can still queue alone: nobody locked b out.
    await queue(b!);
    // An expired token is refused too.
    const late = await partyToken(c!, a!);
    lobby.clock.now += 300_000;
    const expired = await a!.call('POST', '/v1/matchmaking/tickets', { mode: 'arena', party: [late] });
    expect(expired.status).toBe(400);
  });

  it('refuses a second live ticket, for the player or a party member', async () => {
    const [a, b] = await players(2);
    await queue(a!);
    const again = await a!.call('POST', '/v1/matchmaking/tickets', { mode: 'arena' });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: 'https://tickforge.dev/problems/ticket-exists' });
    const withA = await b!.call('POST', '/v1/matchmaking/tickets', {
      mode: 'arena',
      party: [await partyToken(a!, b!)],
    });
    expect(withA.status).toBe(409);
    // The refusal does not say which member is queueing, or for what.
    expect((await readProblem(withA)).detail).toBe('A party member already holds a searching ticket.');
  });

  it('refuses bad bodies, naming the field', async () => {
    const [a] = await players(1);
    const cases: [object, string][] = [
      [{}, '/body/mode'],
      [{ mode: 'chess' }, '/body/mode'],
      [{ mode: 'arena', rating: 'high' }, '/body/rating'],
      [{ mode: 'arena', region: 'EU West' }, '/body/region'],
      [{ mode: 'arena', party: ['not-a-token'] }, '/body/party/0'],
      [{ mode: 'arena', party: [a!.playerId] }, '/body/party/0'],
      [{ mode: 'arena', party: ['x', 'x'] }, '/body/party'],
      [{ mode: 'arena', party: [await partyToken(a!, a!)] }, '/body/party/0'],
      [{ mode: 'arena', position: { x: 1 } }, '/body/position'],
    ];
    for (const [body, field] of cases) {
      const response = await a!.call('POST', '/v1/matchmaking/tickets', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(
        (await readProblem(response)).errors?.map((e) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
  });

  it("refuses a party larger than the mode's matches", async () => {
    const five = await players(5);
    const response = await five[0]!.call('POST', '/v1/matchmaking/tickets', {
      mode: 'arena',
      party: await Promise.all(five.slice(1).map((p) => partyToken(p, five[0]!))),
    });
    expect(response.status).toBe(400);
    expect((await readProblem(response)).errors?.[0]?.field).toBe('/body/party');
  });

  it('cancels a searching ticket (twice is fine) and a cancelled ticket is never matched', async () => {
    const [a, b] = await players(2);
    const ta = await queue(a!);
    await queue(b!);
    const cancelled = await a!.call('DELETE', `/v1/matchmaking/tickets/${ta.ticketId}`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect((await a!.call('DELETE', `/v1/matchmaking/tickets/${ta.ticketId}`)).status).toBe(200);
    lobby.clock.now += 10_000;
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
  });

  it("hides other players' tickets: 404 as for no ticket at all", async () => {
    const [a, b] = await players(2);
    const ta = await queue(a!);
    expect((await b!.call('GET', `/v1/matchmaking/tickets/${ta.ticketId}`)).status).toBe(404);
    expect((await b!.call('DELETE', `/v1/matchmaking/tickets/${ta.ticketId}`)).status).toBe(404);
    expect((await b!.call('GET', `/v1/matchmaking/tickets/${ta.ticketId}/events`)).status).toBe(404);
    expect((await b!.call('GET', '/v1/matchmaking/tickets/no-such-ticket')).status).toBe(404);
  });

  it('a cancel while a match is being set up stops that match; the others keep searching', async () => {
    const [a, b, c] = await players(3);
    const ta = await queue(a!);
    const tb = await queue(b!);
    lobby.clock.now += 5_000;
    // Cancel b in the middle of the pass, after its room exists and while seats are being held.
    const rooms = lobby.store.rooms;
    const reserve = rooms.reserveAll.bind(rooms);
    let cancelled = false;
    rooms.reserveAll = async (...args) => {
      if (!cancelled) {
        cancelled = true;
        expect((await b!.call('DELETE', `/v1/matchmaking/tickets/${tb.ticketId}`)).status).toBe(200);
      }
      return reserve(...args);
    };
    expect((await lobby.matchmaking.runPass()).matches).toBe(0);
    expect((await read(a!, ta.ticketId)).status).toBe('searching');
    rooms.reserveAll = reserve;
    const tc = await queue(c!);
    lobby.clock.now += 5_000;
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    const matched = await read(a!, ta.ticketId);
    expect(matched.status).toBe('matched');
    expect((await read(c!, tc.ticketId)).roomId).toBe(matched.roomId);
  });

  it("a formed match has exactly its players' seats: nobody else can join it", async () => {
    const [a, b, c] = await players(3);
    const ta = await queue(a!);
    await queue(b!);
    lobby.clock.now += 5_000;
    await lobby.matchmaking.runPass();
    const { roomId } = await read(a!, ta.ticketId);
    const room = await lobby.store.rooms.find({ roomId: roomId ?? '' });
    expect(room).toMatchObject({ visibility: 'private', code: undefined, maxPlayers: 2 });
    expect((await c!.call('POST', `/v1/rooms/${roomId}/seats`)).status).toBe(404);
  });

  it('keeps tickets searching while no game node is alive, and matches them once one is', async () => {
    const [a, b] = await players(2);
    const ta = await queue(a!);
    await queue(b!);
    await lobby.heartbeat('node-1', 1000);
    lobby.clock.now += 5_000; // fill wait over; the node's heartbeat ran out 4 s ago
    expect(await lobby.matchmaking.runPass()).toEqual({ matches: 0, expired: 0 });
    expect((await read(a!, ta.ticketId)).status).toBe('searching');
    expect(lobby.logs.join('')).toContain('no game node can take a match');
    await lobby.heartbeat('node-1');
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    expect((await read(a!, ta.ticketId)).status).toBe('matched');
  });
});

/** Read SSE `ticket` events from a response body until the stream ends. */
async function readEvents(response: Response): Promise<Ticket[]> {
  const events: Ticket[] = [];
  const text = await response.text();
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (block.includes('event: ticket') && data) events.push(JSON.parse(data) as Ticket);
  }
  return events;
}

describe('GET /v1/matchmaking/tickets/:id/events', () => {
  it('streams the ticket now and when it is matched, then ends', async () => {
    const four = await players(4);
    const first = await queue(four[0]!);
    const stream = await four[0]!.call('GET', `/v1/matchmaking/tickets/${first.ticketId}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const events = readEvents(stream);
    for (const p of four.slice(1)) await queue(p);
    await lobby.matchmaking.runPass();
    const seen = await events;
    expect(seen.map((t) => t.status)).toEqual(['searching', 'matched']);
    expect(seen[1]?.reservation?.playerId).toBe(four[0]?.playerId);
  });

  it('refuses a fifth stream held open by one player with 429, and frees the slot when one ends', async () => {
    const [a] = await players(1);
    const ticket = await queue(a!);
    const path = `/v1/matchmaking/tickets/${ticket.ticketId}/events`;
    const controllers = Array.from({ length: 4 }, () => new AbortController());
    const streams = await Promise.all(
      controllers.map((controller) =>
        fetch(`${lobby.url}${path}`, {
          headers: { authorization: `Bearer ${a!.token}` },
          signal: controller.signal,
        }),
      ),
    );
    expect(streams.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const fifth = await a!.call('GET', path);
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toBe('5');
    // Cancelling ends every stream with the final ticket, and the slots are free again.
    await a!.call('DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`);
    for (const stream of streams) expect((await readEvents(stream)).at(-1)?.status).toBe('cancelled');
    const again = await a!.call('GET', path);
    expect(again.status).toBe(200);
    expect((await readEvents(again)).map((t) => t.status)).toEqual(['cancelled']);
  });

  it('a final ticket streams once and ends at once', async () => {
    const [a] = await players(1);
    const ticket = await queue(a!);
    await a!.call('DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`);
    const seen = await readEvents(await a!.call('GET', `/v1/matchmaking/tickets/${ticket.ticketId}/events`));
    expect(seen.map((t) => t.status)).toEqual(['cancelled']);
  });

  it('a cancel while watching ends the stream with the cancelled ticket', async () => {
    const [a] = await players(1);
    const ticket = await queue(a!);
    const events = readEvents(await a!.call('GET', `/v1/matchmaking/tickets/${ticket.ticketId}/events`));
    // The stream subscribes before its response starts, so the cancel below cannot be missed.
    await a!.call('DELETE', `/v1/matchmaking/tickets/${ticket.ticketId}`);
    expect((await events).map((t) => t.status)).toEqual(['searching', 'cancelled']);
  });
});
