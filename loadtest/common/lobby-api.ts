/**
 * The slice of the lobby REST API the load tools use: paths, and checks on the bodies they read.
 * Shared by the Node bots (fetch) and the k6 scripts (k6/http), so both follow one reading of the
 * API. Plain ECMAScript: no Node or k6 API.
 */

/** What admits a player to a game room: connect to `seatUrl(reservation)`. */
export interface SeatReservation {
  readonly url: string;
  readonly seat: string;
  readonly roomId: string;
  readonly playerId: string;
  readonly mode: string;
  readonly nodeId: string;
  /** Wall-clock ms after which the seat token is refused. */
  readonly expiresAt: number;
}

/** A guest and its access token (POST /v1/auth/guest). */
export interface GuestSession {
  readonly playerId: string;
  readonly name: string;
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** A matchmaking ticket's status; every status but `searching` is final. */
export type TicketStatus = 'searching' | 'matched' | 'expired' | 'cancelled';

/** A matchmaking ticket; `reservation` is the caller's own seat once matched. */
export interface Ticket {
  readonly ticketId: string;
  readonly status: TicketStatus;
  readonly mode: string;
  readonly expiresAt: number;
  readonly reservation?: SeatReservation;
}

/** A public room in the room list. */
export interface RoomInfo {
  readonly roomId: string;
  readonly mode: string;
  readonly players: number;
  readonly maxPlayers: number;
}

/** Paths of the routes the load tools call. */
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

/** The URL the game WebSocket opens for a reservation (`?seat=`, as the SDK builds it). */
export function seatUrl(reservation: Pick<SeatReservation, 'url' | 'seat'>): string {
  const joiner = reservation.url.includes('?') ? '&' : '?';
  return `${reservation.url}${joiner}seat=${encodeURIComponent(reservation.seat)}`;
}

/** A lobby answer that does not have the shape the API promises. */
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

function field<T>(body: Json, key: string, type: 'string' | 'number', what: string): T {
  const value = body[key];
  if (typeof value !== type) throw new LobbyResponseError(`${what}: "${key}" is not a ${type}`);
  return value as T;
}

/** Check a SeatReservation. */
export function asReservation(body: unknown, what = 'reservation'): SeatReservation {
  const r = object(body, what);
  return {
    url: field<string>(r, 'url', 'string', what),
    seat: field<string>(r, 'seat', 'string', what),
    roomId: field<string>(r, 'roomId', 'string', what),
    playerId: field<string>(r, 'playerId', 'string', what),
    mode: field<string>(r, 'mode', 'string', what),
    nodeId: field<string>(r, 'nodeId', 'string', what),
    expiresAt: field<number>(r, 'expiresAt', 'number', what),
  };
}

/** Check a POST /v1/auth/guest answer. */
export function asGuest(body: unknown): GuestSession {
  const what = 'POST /v1/auth/guest';
  const g = object(body, what);
  return {
    playerId: field<string>(g, 'playerId', 'string', what),
    name: field<string>(g, 'name', 'string', what),
    accessToken: field<string>(g, 'accessToken', 'string', what),
    expiresAt: field<number>(g, 'expiresAt', 'number', what),
  };
}

const TICKET_STATUSES: readonly string[] = ['searching', 'matched', 'expired', 'cancelled'];

/** Check a Ticket; a matched ticket must carry the caller's reservation. */
export function asTicket(body: unknown, what = 'ticket'): Ticket {
  const t = object(body, what);
  const status = field<string>(t, 'status', 'string', what);
  if (!TICKET_STATUSES.includes(status)) throw new LobbyResponseError(`${what}: unknown status "${status}"`);
  const ticket: Ticket = {
    ticketId: field<string>(t, 'ticketId', 'string', what),
    status: status as TicketStatus,
    mode: field<string>(t, 'mode', 'string', what),
    expiresAt: field<number>(t, 'expiresAt', 'number', what),
  };
  if (status !== 'matched') return ticket;
  return { ...ticket, reservation: asReservation(t.reservation, `${what} reservation`) };
}

/** Check a `{ room, reservation }` answer (create a room, or take a seat in one). */
export function asRoomSeat(body: unknown, what: string): { room: RoomInfo; reservation: SeatReservation } {
  const b = object(body, what);
  return { room: asRoom(b.room, `${what} room`), reservation: asReservation(b.reservation, what) };
}

/** Check a GET /v1/rooms answer. */
export function asRoomList(body: unknown): RoomInfo[] {
  const what = 'GET /v1/rooms';
  const rooms = object(body, what).rooms;
  if (!Array.isArray(rooms)) throw new LobbyResponseError(`${what}: "rooms" is not an array`);
  return rooms.map((room, i) => asRoom(room, `${what} rooms[${i}]`));
}

function asRoom(body: unknown, what: string): RoomInfo {
  const r = object(body, what);
  return {
    roomId: field<string>(r, 'roomId', 'string', what),
    mode: field<string>(r, 'mode', 'string', what),
    players: field<number>(r, 'players', 'number', what),
    maxPlayers: field<number>(r, 'maxPlayers', 'number', what),
  };
}

/** One line of a leaderboard. */
export interface BoardRecord {
  readonly rank: number;
  readonly playerId: string;
  readonly score: number;
}

/** Check a GET top / around answer. */
export function asBoardPage(body: unknown, what: string): BoardRecord[] {
  const records = object(body, what).records;
  if (!Array.isArray(records)) throw new LobbyResponseError(`${what}: "records" is not an array`);
  return records.map((record, i) => {
    const r = object(record, `${what} records[${i}]`);
    return {
      rank: field<number>(r, 'rank', 'number', what),
      playerId: field<string>(r, 'playerId', 'string', what),
      score: field<number>(r, 'score', 'number', what),
    };
  });
}
