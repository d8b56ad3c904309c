import { describe, expect, it } from 'vitest';
import { LobbyClient } from './lobby-client.ts';
import { LobbyError, TicketEndedError } from './lobby-error.ts';
import type { SeatReservation, Ticket } from './lobby-types.ts';
import { StreamUnavailableError } from './ticket-stream.ts';

const BASE = 'http://lobby.test';
const reservation: SeatReservation = {
  url: 'ws://127.0.0.1:2567/ws',
  seat: 'seat-token',
  roomId: 'r1',
  playerId: 'p1',
  mode: 'arena',
  nodeId: 'node-1',
  expiresAt: 2_000_000,
  seatId: 's1',
};
const ticket = (status: Ticket['status'], extra: Partial<Ticket> = {}): Ticket => ({
  ticketId: 't1',
  status,
  mode: 'arena',
  region: 'default',
  players: ['p1'],
  createdAt: 1_000_000,
  expiresAt: 1_060_000,
  ...(status === 'matched' ? { matchId: 'm1', roomId: 'r1', reservation } : {}),
  ...extra,
});

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

type Handler = (request: Seen, signal: AbortSignal | undefined) => Response;

/** A fetch that answers from `routes` ("METHOD /path" -> handler or a queue of them) and records requests. */
function fakeFetch(routes: Record<string, Handler | Handler[]>) {
  const seen: Seen[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const method = init.method ?? 'GET';
    const request: Seen = {
      method,
      url,
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(request);
    if (init.signal?.aborted) throw init.signal.reason;
    const path = new URL(url).pathname;
    const route = routes[`${method} ${path}`];
    const handler = Array.isArray(route) ? route.shift() : route;
    if (!handler) throw new Error(`no canned answer for ${method} ${path}`);
    return handler(request, init.signal ?? undefined);
  };
  return { fetch, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
const problem =
  (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify({ status, ...body }), {
      status,
      headers: { 'content-type': 'application/problem+json', ...headers },
    });

/** An event stream delivered in the given chunks; aborting the request errors it, as fetch does. */
function sse(chunks: readonly (string | Uint8Array)[], options: { endless?: boolean } = {}) {
  let delivered: () => void = () => undefined;
  const state = { cancelled: false, delivered: new Promise<void>((resolve) => (delivered = resolve)) };
  const handler: Handler = (_request, signal) => {
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        signal?.addEventListener('abort', () => controller.error(signal.reason), { once: true });
      },
      pull(controller) {
        const chunk = chunks[i++];
        if (chunk !== undefined) {
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
          delivered();
        } else if (!options.endless) controller.close();
        else return new Promise(() => undefined); // no more data, never ends
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { handler, state };
}

const event = (t: Ticket) => `event: ticket\nid: ${t.status}\ndata: ${JSON.stringify(t)}\n\n`;
const EVENTS = 'GET /v1/matchmaking/tickets/t1/events';
const GET = 'GET /v1/matchmaking/tickets/t1';

describe('LobbyClient', () => {
  it('signs in as a guest and sends the token on later calls', async () => {
    const { fetch, seen } = fakeFetch({
      'POST /v1/auth/guest': json(201, { playerId: 'p1', name: 'ada', accessToken: 'tok', expiresAt: 5 }),
      'GET /v1/me': json(200, { playerId: 'p1', name: 'ada', createdAt: 1 }),
    });
    const lobby = new LobbyClient({ baseUrl: `${BASE}/`, fetch, accessToken: 'someone-elses' });
    const session = await lobby.signInAsGuest('ada');
    expect(session.accessToken).toBe('tok');
    expect(lobby.accessToken).toBe('tok');
    expect(seen[0]).toMatchObject({ method: 'POST', url: `${BASE}/v1/auth/guest`, body: { name: 'ada' } });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(await lobby.me()).toEqual({ playerId: 'p1', name: 'ada', createdAt: 1 });
    expect(seen[1]!.headers.authorization).toBe('Bearer tok');
  });

  it('lists, creates and joins rooms, keeping a base path prefix', async () => {
    const room = {
      roomId: 'r 1',
      mode: 'arena',
      visibility: 'private',
      code: 'ABC123',
      players: 1,
      maxPlayers: 16,
      metadata: {},
      createdAt: 1,
    };
    const { fetch, seen } = fakeFetch({
      'GET /api/v1/rooms': json(200, { rooms: [room] }),
      'POST /api/v1/rooms': json(201, { room, reservation }),
      'POST /api/v1/rooms/r%201/seats': json(201, { room, reservation }),
      'POST /api/v1/room-codes/ABC123/seats': json(201, { room, reservation }),
    });
    const lobby = new LobbyClient({ baseUrl: `${BASE}/api`, fetch, accessToken: 'tok' });
    expect(await lobby.listRooms({ mode: 'arena', limit: 5 })).toEqual([room]);
    expect(seen[0]!.url).toBe(`${BASE}/api/v1/rooms?mode=arena&limit=5`);
    const created = await lobby.createRoom({ mode: 'arena', visibility: 'private', metadata: { map: 'a' } });
    expect(created.reservation.seat).toBe('seat-token');
    expect(seen[1]!.body).toEqual({ mode: 'arena', visibility: 'private', metadata: { map: 'a' } });
    await lobby.joinRoom('r 1');
    await lobby.joinRoomByCode('ABC123');
    expect(seen.map((s) => s.headers.authorization)).toEqual(Array(4).fill('Bearer tok'));
  });

  it('creates, reads and cancels tickets', async () => {
    const { fetch, seen } = fakeFetch({
      'POST /v1/matchmaking/tickets': json(201, ticket('searching')),
      [GET]: json(200, ticket('searching')),
      'DELETE /v1/matchmaking/tickets/t1': json(200, ticket('cancelled')),
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch, accessToken: 'tok' });
    await lobby.createTicket({ mode: 'arena', region: 'eu', party: ['p2'] });
    expect(seen[0]!.body).toEqual({ mode: 'arena', region: 'eu', party: ['p2'] });
    expect((await lobby.getTicket('t1')).status).toBe('searching');
    expect((await lobby.cancelTicket('t1')).status).toBe('cancelled');
  });

  it('reads leaderboards', async () => {
    const record = { rank: 1, playerId: 'p1', name: 'ada', score: 9, updatedAt: 1 };
    const { fetch, seen } = fakeFetch({
      'GET /v1/leaderboards/arena/top': json(200, {
        boardId: 'arena',
        period: 'all',
        records: [record],
        nextCursor: 'c2',
      }),
      'GET /v1/leaderboards/arena/around/p1': json(200, {
        boardId: 'arena',
        period: 'all',
        records: [record],
      }),
      'GET /v1/leaderboards/arena/players/p1': json(200, { boardId: 'arena', period: 'all', record }),
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    expect((await lobby.topRecords('arena', { limit: 10, cursor: 'c1' })).nextCursor).toBe('c2');
    expect(seen[0]!.url).toBe(`${BASE}/v1/leaderboards/arena/top?limit=10&cursor=c1`);
    expect((await lobby.recordsAround('arena', 'p1', { limit: 3 })).records).toEqual([record]);
    expect((await lobby.playerRecord('arena', 'p1')).record).toEqual(record);
  });

  it('turns problem+json answers into LobbyError with the field errors', async () => {
    const { fetch } = fakeFetch({
      'POST /v1/auth/guest': problem(400, {
        type: 'https://tickforge.dev/problems/validation',
        title: 'Invalid request',
        detail: 'The request does not match the schema.',
        errors: [{ field: '/body/name', message: 'must NOT have fewer than 1 characters' }, { junk: true }],
      }),
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    const error = await lobby.signInAsGuest('').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LobbyError);
    expect(error).toMatchObject({
      status: 400,
      type: 'https://tickforge.dev/problems/validation',
      title: 'Invalid request',
      message: 'The request does not match the schema.',
      errors: [{ field: '/body/name', message: 'must NOT have fewer than 1 characters' }],
      retryAfter: undefined,
    });
    expect(lobby.accessToken).toBeUndefined();
  });

  it('exposes Retry-After of a 429, and copes with a body that is not JSON', async () => {
    const { fetch } = fakeFetch({
      'GET /v1/me': [
        problem(
          429,
          { type: 'https://tickforge.dev/problems/rate-limited', title: 'Too many requests' },
          {
            'retry-after': '7',
          },
        ),
        () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      ],
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    await expect(lobby.me()).rejects.toMatchObject({
      status: 429,
      retryAfter: 7,
      title: 'Too many requests',
    });
    await expect(lobby.me()).rejects.toMatchObject({
      status: 502,
      type: 'about:blank',
      title: 'Bad Gateway',
      errors: [],
    });
  });

  it('watches a ticket through an event stream split anywhere, until a final status', async () => {
    const matched = ticket('matched', { players: ['p1', 'Zoë'] });
    const bytes = new TextEncoder().encode(`: keepalive\n\n${event(ticket('searching'))}${event(matched)}`);
    // Cut mid-field, mid-line, and inside the two bytes of "ë".
    const cut = new TextEncoder().encode(': keepalive\n\nevent: ticket\nid: sea').length;
    const umlaut = bytes.indexOf(0xc3);
    const chunks = [
      bytes.slice(0, 5),
      bytes.slice(5, cut),
      bytes.slice(cut, umlaut + 1),
      bytes.slice(umlaut + 1),
    ];
    const stream = sse([...chunks, event(ticket('searching'))], { endless: true });
    const { fetch, seen } = fakeFetch({ [EVENTS]: stream.handler });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch, accessToken: 'tok' });
    const seenTickets: Ticket[] = [];
    for await (const t of lobby.watchTicket('t1')) seenTickets.push(t);
    expect(seenTickets).toEqual([ticket('searching'), matched]);
    expect(seen[0]!.headers.accept).toBe('text/event-stream');
    expect(stream.state.cancelled).toBe(true); // stopped reading after the final status
  });

  it('watchTicket says when the answer is not an event stream', async () => {
    const { fetch } = fakeFetch({ [EVENTS]: json(200, ticket('searching')) });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    await expect(lobby.watchTicket('t1').next()).rejects.toBeInstanceOf(StreamUnavailableError);
  });

  it('waitForMatch resolves with the matched ticket from the stream', async () => {
    const stream = sse([event(ticket('searching')), event(ticket('matched'))]);
    const { fetch } = fakeFetch({ [EVENTS]: stream.handler });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    const matched = await lobby.waitForMatch('t1');
    expect(matched.reservation).toEqual(reservation);
  });

  it('waitForMatch polls when streaming is not available, waiting out a 429', async () => {
    const { fetch, seen } = fakeFetch({
      [EVENTS]: problem(404, { type: 'https://tickforge.dev/problems/not-found', title: 'Not found' }),
      [GET]: [
        json(200, ticket('searching')),
        problem(429, { title: 'Too many requests' }, { 'retry-after': '0' }),
        json(200, ticket('searching')),
        json(200, ticket('matched')),
      ],
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    const matched = await lobby.waitForMatch('t1', { pollIntervalMs: 0 });
    expect(matched.status).toBe('matched');
    expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual([EVENTS, GET, GET, GET, GET]);
  });

  it('waitForMatch polls when the stream ends before a final status', async () => {
    const stream = sse([event(ticket('searching'))]);
    const { fetch } = fakeFetch({ [EVENTS]: stream.handler, [GET]: json(200, ticket('matched')) });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    expect((await lobby.waitForMatch('t1', { pollIntervalMs: 0 })).matchId).toBe('m1');
  });

  it('waitForMatch polls when the stream is cut by a network error or refused with 429', async () => {
    const cut: Handler = () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(event(ticket('searching'))));
          controller.error(new TypeError('terminated'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    for (const opening of [cut, problem(429, { title: 'Too many requests' }, { 'retry-after': '1' })]) {
      const { fetch, seen } = fakeFetch({ [EVENTS]: opening, [GET]: json(200, ticket('matched')) });
      const lobby = new LobbyClient({ baseUrl: BASE, fetch });
      expect((await lobby.waitForMatch('t1', { pollIntervalMs: 0 })).matchId).toBe('m1');
      expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual([EVENTS, GET]);
    }
  });

  it('waitForMatch rejects with TicketEndedError when the ticket expires', async () => {
    const stream = sse([event(ticket('searching')), event(ticket('expired'))]);
    const { fetch } = fakeFetch({ [EVENTS]: stream.handler });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    const error = await lobby.waitForMatch('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketEndedError);
    expect((error as TicketEndedError).ticket.status).toBe('expired');
  });

  it('waitForMatch stops with the abort reason when its signal aborts, and rethrows refusals', async () => {
    const stream = sse([event(ticket('searching'))], { endless: true });
    const { fetch } = fakeFetch({
      [EVENTS]: [stream.handler, problem(401, { title: 'Unauthorized' })],
    });
    const lobby = new LobbyClient({ baseUrl: BASE, fetch });
    const controller = new AbortController();
    const waiting = lobby.waitForMatch('t1', { signal: controller.signal });
    await stream.state.delivered; // the stream is open and has sent its first ticket
    const reason = new Error('left the queue screen');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(lobby.waitForMatch('t1')).rejects.toMatchObject({ name: 'LobbyError', status: 401 });
  });
});
