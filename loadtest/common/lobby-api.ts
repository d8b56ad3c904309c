/**
 * The slice of the lobby REST API the k6 scripts call over k6/http (the SDK's LobbyClient needs
 * fetch and promises, which k6's HTTP module does not offer): paths, and checks on the bodies they
 * read, typed with the SDK's own lobby records. `seatUrl` is the game socket URL every load tool
 * opens. Plain ECMAScript: no Node or k6 API.
 */
import type {
  GuestSession,
  LeaderboardRecord,
  RoomInfo,
  RoomSeat,
  SeatReservation,
  Ticket,
} from '../../shared/client/lobby-types.ts';

/** Paths of the routes the k6 scripts call. */
export const LobbyPath = {
  guest: '/v1/auth/guest',
  rooms: '/v1/rooms',
  roomSeats: (roomId: string) => `/v1/rooms/${encodeURIComponent(roomId)}/seats`,
  tickets: '/v1/matchmaking/tickets',
  ticket: (ticketId: string) => `/v1/matchmaking/tickets/${encodeURIComponent(ticketId)}`,
  top: (boardId: string) => `/v1/leaderboards/${encodeURIComponent(boardId)}/top`,
  around: (boardId: string, playerId: string) =>
    `/v1/leaderboards/${encodeURIComponent(boardId)}/around/${encodeURIComponent(playerId)}`,
} as const;

/** The URL the game WebSocket opens for a seat (`?seat=`, as the SDK's GameClient builds it). */
export function seatUrl(reservation: Pick<SeatReservation, 'url' | 'seat'>): string {
  const joiner = reservation.url.includes('?') ? '&' : '?';
  return `${reservation.url}${joiner}seat=${encodeURIComponent(reservation.seat)}`;
}

/** A lobby answer without the shape the API promises. */
export class LobbyResponseError extends Error {
  override readonly name = 'LobbyResponseError';
}

type Json = Record<string, unknown>;

function object(body: unknown, what: string): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new LobbyResponseError(`${what}: expected a JSON object`);
  }
  return body as Json;
}

/** Check that `body` has these fields with these types (the ones the load tools rely on). */
function fields<T>(body: unknown, what: string, types: Readonly<Record<string, 'string' | 'number'>>): T {
  const b = object(body, what);
  for (const [key, type] of Object.entries(types)) {
    if (typeof b[key] !== type) throw new LobbyResponseError(`${what}: "${key}" is not a ${type}`);
  }
  return b as T;
}

function array(body: unknown, key: string, what: string): unknown[] {
  const value = object(body, what)[key];
  if (!Array.isArray(value)) throw new LobbyResponseError(`${what}: "${key}" is not an array`);
  return value;
}

/** Check a SeatReservation. */
export function asReservation(body: unknown, what = 'reservation'): SeatReservation {
  return fields<SeatReservation>(body, what, {
    url: 'string',
    seat: 'string',
    roomId: 'string',
    playerId: 'string',
    mode: 'string',
    nodeId: 'string',
    expiresAt: 'number',
  });
}

/** Check a POST /v1/auth/guest answer. */
export function asGuest(body: unknown): GuestSession {
  return fields<GuestSession>(body, 'POST /v1/auth/guest', {
    playerId: 'string',
    name: 'string',
    accessToken: 'string',
    expiresAt: 'number',
  });
}

const TICKET_STATUSES: readonly string[] = ['searching', 'matched', 'expired', 'cancelled'];

/** Check a Ticket; a matched ticket must carry the caller's reservation. */
export function asTicket(body: unknown, what = 'ticket'): Ticket {
  const ticket = fields<Ticket>(body, what, { ticketId: 'string', status: 'string', mode: 'string' });
  if (!TICKET_STATUSES.includes(ticket.status)) {
    throw new LobbyResponseError(`${what}: unknown status "${ticket.status}"`);
  }
  if (ticket.status === 'matched') asReservation(ticket.reservation, `${what} reservation`);
  return ticket;
}

function asRoom(body: unknown, what: string): RoomInfo {
  return fields<RoomInfo>(body, what, {
    roomId: 'string',
    mode: 'string',
    players: 'number',
    maxPlayers: 'number',
  });
}

/** Check a `{ room, reservation }` answer (create a room, or take a seat in one). */
export function asRoomSeat(body: unknown, what: string): RoomSeat {
  const b = object(body, what);
  asRoom(b.room, `${what} room`);
  asReservation(b.reservation, `${what} reservation`);
  return b as unknown as RoomSeat;
}

/** Check a GET /v1/rooms answer. */
export function asRoomList(body: unknown): RoomInfo[] {
  const what = 'GET /v1/rooms';
  return array(body, 'rooms', what).map((room, i) => asRoom(room, `${what} rooms[${i}]`));
}

/** Check a GET top / around answer: its records. */
export function asBoardPage(body: unknown, what: string): LeaderboardRecord[] {
  return array(body, 'records', what).map((record, i) =>
    fields<LeaderboardRecord>(record, `${what} records[${i}]`, {
      rank: 'number',
      playerId: 'string',
      score: 'number',
    }),
  );
}
