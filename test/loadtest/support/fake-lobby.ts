/**
 * A stand-in for the lobby's REST API as its spec describes it (guest auth, leaderboards, rooms,
 * matchmaking tickets, polled or streamed) plus the game node's POST /dev/seats, for testing the
 * load tools' request flows while the real lobby's seat and matchmaking routes are being built. Synchronous, so
 * the emulated k6/http can call it; `listen()` serves it over real HTTP for the Node bots.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A seat the fake hands out when a ticket is matched or a room is joined. */
export interface FakeReservation {
  readonly url: string;
  readonly seat: string;
  readonly roomId: string;
}

/** One request as the fake saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface FakeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A ticket's event stream instead of a JSON body: each one an `event: ticket`. */
  readonly events?: readonly unknown[];
}

interface FakeTicket {
  readonly ticketId: string;
  readonly playerId: string;
  readonly mode: string;
  reads: number;
  status: 'searching' | 'matched' | 'cancelled';
  reservation?: ReturnType<FakeLobby['reservation']>;
}

/** How many GETs of a ticket answer `searching` before it is matched. */
const SEARCHING_READS = 1;
const HOUR = 3_600_000;

/** The fake lobby: state, routes, and a log of every request. */
export class FakeLobby {
  readonly requests: SeenRequest[] = [];
  readonly #tickets = new Map<string, FakeTicket>();
  readonly #tokens = new Map<string, string>();
  readonly #seatFor: (playerId: string) => FakeReservation;
  readonly #now: () => number;
  #ids = 0;
  #guestRefusals = { left: 0, retryAfterSeconds: 0 };

  constructor(seatFor: (playerId: string) => FakeReservation, now: () => number = Date.now) {
    this.#seatFor = seatFor;
    this.#now = now;
  }

  /** Answer the next `count` guest sign-ups 429 with `Retry-After: retryAfterSeconds`, as a spent budget. */
  refuseGuests(count: number, retryAfterSeconds: number): void {
    this.#guestRefusals = { left: count, retryAfterSeconds };
  }

  /** Answer one request (`path` with its query). */
  handle(method: string, path: string, authorization: string | undefined, body: unknown): FakeResponse {
    this.requests.push({ method, path, authorization, body });
    const [route = '', query = ''] = path.split('?');
    const parts = route.split('/').slice(1);
    if (method === 'POST' && route === '/v1/auth/guest') {
      if (this.#guestRefusals.left > 0) {
        this.#guestRefusals.left--;
        const seconds = this.#guestRefusals.retryAfterSeconds;
        return { ...problem(429, 'Too many requests'), headers: { 'Retry-After': String(seconds) } };
      }
      return this.#guest(body);
    }
    if (method === 'POST' && route === '/dev/seats') {
      const seat = this.#seatFor(`dev-${++this.#ids}`);
      return { status: 201, body: { ...seat, playerId: `dev-${this.#ids}`, name: 'dev', mode: 'arena' } };
    }
    if (parts[0] === 'v1' && parts[1] === 'leaderboards') return this.#board(parts, query);
    const playerId = this.#tokens.get(authorization?.replace(/^Bearer /, '') ?? '');
    if (playerId === undefined) return problem(401, 'missing or invalid access token');
    if (method === 'GET' && route === '/v1/rooms') return { status: 200, body: { rooms: [] } };
    if (method === 'POST' && route === '/v1/rooms') {
      const reservation = this.reservation(playerId);
      return { status: 201, body: { room: room(reservation.roomId), reservation } };
    }
    if (method === 'POST' && route === '/v1/matchmaking/tickets') {
      const ticket: FakeTicket = {
        ticketId: `t${++this.#ids}`,
        playerId,
        mode: String((body as { mode?: unknown }).mode),
        reads: 0,
        status: 'searching',
      };
      this.#tickets.set(ticket.ticketId, ticket);
      return { status: 201, body: this.#ticketBody(ticket) };
    }
    const ticket = parts[2] === 'tickets' ? this.#tickets.get(decodeURIComponent(parts[3] ?? '')) : undefined;
    if (ticket === undefined || ticket.playerId !== playerId) return problem(404, 'no such ticket');
    if (method === 'GET' && parts[4] === 'events') {
      // The stream: the ticket as it is, then matched, then the end (a final status).
      const searching = this.#ticketBody(ticket);
      ticket.status = 'matched';
      ticket.reservation = this.reservation(ticket.playerId);
      return { status: 200, body: undefined, events: [searching, this.#ticketBody(ticket)] };
    }
    if (method === 'GET') {
      if (ticket.status === 'searching' && ++ticket.reads > SEARCHING_READS) {
        ticket.status = 'matched';
        ticket.reservation = this.reservation(ticket.playerId);
      }
      return { status: 200, body: this.#ticketBody(ticket) };
    }
    if (method === 'DELETE') {
      if (ticket.status === 'matched') return problem(409, 'already matched');
      ticket.status = 'cancelled';
      return { status: 200, body: this.#ticketBody(ticket) };
    }
    return problem(404, 'no such route');
  }

  /** Serve over HTTP on 127.0.0.1 (port 0); resolves with the base URL and the server. */
  async listen(): Promise<{ url: string; server: Server }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const answer = this.handle(
          req.method ?? 'GET',
          req.url ?? '/',
          req.headers.authorization,
          text ? JSON.parse(text) : undefined,
        );
        if (answer.events) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
          res.write(': keepalive\n\n');
          for (const event of answer.events) res.write(`event: ticket\ndata: ${JSON.stringify(event)}\n\n`);
          res.end();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }

  #guest(body: unknown): FakeResponse {
    const name = (body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || !/^[\p{L}\p{N}_.-][\p{L}\p{N} _.-]{0,23}$/u.test(name)) {
      return problem(400, 'invalid name');
    }
    const playerId = `p${++this.#ids}`;
    const accessToken = `token-${playerId}`;
    this.#tokens.set(accessToken, playerId);
    return { status: 201, body: { playerId, name, accessToken, expiresAt: this.#now() + HOUR } };
  }

  #board(parts: string[], query: string): FakeResponse {
    const [, , boardId, kind] = parts;
    const records = [{ rank: 1, playerId: 'champion', name: 'champion', score: 9, updatedAt: 1 }];
    if (kind === 'top' || kind === 'around') {
      return { status: 200, body: { boardId, period: 'all', records, query } };
    }
    return problem(404, 'no such board route');
  }

  /** A SeatReservation for a player, around one seat from `seatFor`. */
  reservation(playerId: string) {
    const seat = this.#seatFor(playerId);
    return { ...seat, playerId, mode: 'arena', nodeId: 'node-1', expiresAt: this.#now() + 30_000 };
  }

  #ticketBody(ticket: FakeTicket) {
    const now = this.#now();
    return {
      ticketId: ticket.ticketId,
      status: ticket.status,
      mode: ticket.mode,
      region: 'default',
      players: [ticket.playerId],
      createdAt: now,
      expiresAt: now + 60_000,
      ...(ticket.status === 'matched'
        ? { matchId: 'm1', roomId: ticket.reservation?.roomId, reservation: ticket.reservation }
        : {}),
    };
  }
}

function room(roomId: string) {
  return {
    roomId,
    mode: 'arena',
    visibility: 'public',
    players: 1,
    maxPlayers: 16,
    metadata: {},
    createdAt: 1,
  };
}

function problem(status: number, title: string): FakeResponse {
  return { status, body: { type: 'about:blank', title, status } };
}
