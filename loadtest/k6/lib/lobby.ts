/**
 * The lobby REST API over k6/http. Every request is tagged with `name` (the route, so URLs with ids
 * group into one series) and `endpoint` (a short key the thresholds use), counts as failed in
 * `http_req_failed` unless its status is the expected one, and is checked (the `checks` rate).
 * A method returns undefined when the call failed; the failure is already counted.
 */
import { check } from 'k6';
import http from 'k6/http';
import type {
  GuestSession,
  LeaderboardRecord,
  RoomInfo,
  SeatReservation,
  Ticket,
} from '../../../shared/client/lobby-types.ts';
import { asBoardPage, asGuest, asRoomList, asRoomSeat, asTicket, LobbyPath } from '../../common/lobby-api.ts';

/** Short names of the endpoints, for tags and thresholds (`http_req_duration{endpoint:board_top}`). */
export type Endpoint =
  | 'auth_guest'
  | 'board_top'
  | 'board_around'
  | 'rooms_list'
  | 'room_create'
  | 'room_join'
  | 'ticket_create'
  | 'ticket_status'
  | 'ticket_cancel';

interface Call {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The path with its ids, and the route it belongs to (`POST /v1/rooms/:roomId/seats`: the `name` tag). */
  readonly path: string;
  readonly route: string;
  readonly endpoint: Endpoint;
  /** Statuses that are a success; the first is the usual one. */
  readonly expect: readonly number[];
  readonly token?: string;
  readonly body?: object;
}

/** A lobby at `base` (e.g. http://localhost:2568), over k6/http: the SDK's LobbyClient needs fetch. */
export class K6LobbyClient {
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  /** POST /v1/auth/guest. */
  guest(name: string): GuestSession | undefined {
    return this.#parse(
      {
        method: 'POST',
        path: LobbyPath.guest,
        route: 'POST /v1/auth/guest',
        endpoint: 'auth_guest',
        expect: [201],
        body: { name },
      },
      asGuest,
    );
  }

  /** GET /v1/leaderboards/:boardId/top. */
  top(boardId: string, limit: number): LeaderboardRecord[] | undefined {
    const path = `${LobbyPath.top(boardId)}?limit=${limit}`;
    return this.#parse(
      {
        method: 'GET',
        path,
        route: 'GET /v1/leaderboards/:boardId/top',
        endpoint: 'board_top',
        expect: [200],
      },
      (body) => asBoardPage(body, 'GET top'),
    );
  }

  /** GET /v1/leaderboards/:boardId/around/:playerId; a player with no record yet reads as []. */
  around(boardId: string, playerId: string, limit: number): LeaderboardRecord[] | undefined {
    const call: Call = {
      method: 'GET',
      path: `${LobbyPath.around(boardId, playerId)}?limit=${limit}`,
      route: 'GET /v1/leaderboards/:boardId/around/:playerId',
      endpoint: 'board_around',
      expect: [200, 404],
    };
    const response = this.#send(call);
    if (response === undefined) return undefined;
    if (response.status === 404) return [];
    return this.#read(call, response.body, (body) => asBoardPage(body, 'GET around'));
  }

  /** GET /v1/rooms: public rooms of a mode, not full first. */
  rooms(token: string, mode: string, limit: number): RoomInfo[] | undefined {
    const path = `${LobbyPath.rooms}?mode=${encodeURIComponent(mode)}&limit=${limit}`;
    return this.#parse(
      { method: 'GET', path, route: 'GET /v1/rooms', endpoint: 'rooms_list', expect: [200], token },
      asRoomList,
    );
  }

  /** POST /v1/rooms: a new public room, and a seat in it. */
  createRoom(token: string, mode: string): SeatReservation | undefined {
    return this.#parse(
      {
        method: 'POST',
        path: LobbyPath.rooms,
        route: 'POST /v1/rooms',
        endpoint: 'room_create',
        expect: [201],
        token,
        body: { mode },
      },
      (body) => asRoomSeat(body, 'POST /v1/rooms').reservation,
    );
  }

  /**
   * POST /v1/rooms/:roomId/seats. 'gone' when the room filled up, ended or vanished since it was
   * listed (404, 409, 410): expected while many players join at once, so not a failure.
   */
  joinRoom(token: string, roomId: string): SeatReservation | 'gone' | undefined {
    const call: Call = {
      method: 'POST',
      path: LobbyPath.roomSeats(roomId),
      route: 'POST /v1/rooms/:roomId/seats',
      endpoint: 'room_join',
      expect: [201, 404, 409, 410],
      token,
      body: {},
    };
    const response = this.#send(call);
    if (response === undefined) return undefined;
    if (response.status !== 201) return 'gone';
    return this.#read(call, response.body, (body) => asRoomSeat(body, 'POST seats').reservation);
  }

  /** POST /v1/matchmaking/tickets. */
  createTicket(token: string, mode: string): Ticket | undefined {
    return this.#parse(
      {
        method: 'POST',
        path: LobbyPath.tickets,
        route: 'POST /v1/matchmaking/tickets',
        endpoint: 'ticket_create',
        expect: [201],
        token,
        body: { mode },
      },
      (body) => asTicket(body, 'POST ticket'),
    );
  }

  /** GET /v1/matchmaking/tickets/:ticketId. */
  ticket(token: string, ticketId: string): Ticket | undefined {
    return this.#parse(
      {
        method: 'GET',
        path: LobbyPath.ticket(ticketId),
        route: 'GET /v1/matchmaking/tickets/:ticketId',
        endpoint: 'ticket_status',
        expect: [200],
        token,
      },
      (body) => asTicket(body, 'GET ticket'),
    );
  }

  /** DELETE /v1/matchmaking/tickets/:ticketId; 409 means it was matched meanwhile. */
  cancelTicket(token: string, ticketId: string): void {
    this.#send({
      method: 'DELETE',
      path: LobbyPath.ticket(ticketId),
      route: 'DELETE /v1/matchmaking/tickets/:ticketId',
      endpoint: 'ticket_cancel',
      expect: [200, 409],
      token,
    });
  }

  #parse<T>(call: Call, read: (body: unknown) => T): T | undefined {
    const response = this.#send(call);
    return response === undefined ? undefined : this.#read(call, response.body, read);
  }

  /** Send; undefined (and a failed check) unless the status is expected. */
  #send(call: Call): { status: number; body: string } | undefined {
    const headers: Record<string, string> = {};
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.token !== undefined) headers.Authorization = `Bearer ${call.token}`;
    const response = http.request(
      call.method,
      `${this.#base}${call.path}`,
      call.body === undefined ? null : JSON.stringify(call.body),
      {
        headers,
        tags: { name: call.route, endpoint: call.endpoint },
        responseCallback: http.expectedStatuses(...call.expect),
      },
    );
    const ok = call.expect.includes(response.status);
    // 429 gets its own check: a rate limit says the lobby protected itself, not that it broke.
    check(response, {
      [`${call.endpoint} status ${call.expect.join('/')}`]: () => ok,
      [`${call.endpoint} not rate-limited`]: (r) => r.status !== 429,
    });
    if (!ok) return undefined;
    return { status: response.status, body: typeof response.body === 'string' ? response.body : '' };
  }

  /** Parse a JSON body and check its shape; undefined (and a failed check) if it is wrong. */
  #read<T>(call: Call, text: string, read: (body: unknown) => T): T | undefined {
    let value: T | undefined;
    try {
      value = read(JSON.parse(text) as unknown);
    } catch {
      value = undefined;
    }
    check(value, { [`${call.endpoint} body has the documented shape`]: (v) => v !== undefined });
    return value;
  }
}
