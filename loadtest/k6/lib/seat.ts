/**
 * How a gameplay VU gets a seat: the real player path through the lobby (a guest, then a
 * matchmaking ticket, or the room list and a room's seats), or the game node's development
 * endpoint for a node without a lobby (`SEAT_SOURCE=dev`, never on a public node).
 */
import { check } from 'k6';
import http from 'k6/http';
import type { GuestSession } from '../../../shared/client/lobby-types.ts';
import type { K6LobbyClient } from './lobby.ts';
import { matchmake } from './matchmaking.ts';

/** Where seats come from. */
export const SEAT_SOURCES = ['matchmaking', 'rooms', 'dev'] as const;
export type SeatSource = (typeof SEAT_SOURCES)[number];

/** What a VU needs to open the game socket. */
export interface Seat {
  /** The game node's WebSocket URL and the single-use seat token for it. */
  readonly url: string;
  readonly seat: string;
  /** When the VU started asking for this seat (Date.now() ms): the start of "ticket to snapshot". */
  readonly requestedAt: number;
}

/** Settings of seat requests. */
export interface SeatConfig {
  readonly source: SeatSource;
  readonly mode: string;
  /** Base http(s) URL of the game node, for `dev` seats. */
  readonly gameUrl: string;
  readonly pollMs: number;
  readonly matchTimeoutMs: number;
}

/** Rooms listed per GET /v1/rooms in `rooms` mode. */
const ROOM_LIST_LIMIT = 20;
/** Renew the guest token this long before it expires. */
const TOKEN_MARGIN_MS = 60_000;

// Each VU runs in its own JavaScript runtime, so this is one guest per VU, kept across iterations
// the way a player keeps their token across matches.
let guest: GuestSession | undefined;

/** The VU's guest, signed in (again) when there is none or its token is about to expire. */
export function playerOf(lobby: K6LobbyClient, name: string): GuestSession | undefined {
  if (guest === undefined || guest.expiresAt - Date.now() < TOKEN_MARGIN_MS) guest = lobby.guest(name);
  return guest;
}

/** A seat for this VU, or undefined (the failure is already counted by a check or a metric). */
export function takeSeat(config: SeatConfig, lobby: K6LobbyClient, name: string): Seat | undefined {
  const requestedAt = Date.now();
  if (config.source === 'dev') return devSeat(config, name, requestedAt);
  const player = playerOf(lobby, name);
  if (player === undefined) return undefined;
  const token = player.accessToken;
  const reservation =
    config.source === 'matchmaking'
      ? matchmake(lobby, token, {
          mode: config.mode,
          pollMs: config.pollMs,
          timeoutMs: config.matchTimeoutMs,
        })
      : roomSeat(lobby, token, config.mode);
  return reservation === undefined
    ? undefined
    : { url: reservation.url, seat: reservation.seat, requestedAt };
}

/** The first listed room that still has a seat, else a new room. */
function roomSeat(lobby: K6LobbyClient, token: string, mode: string) {
  const rooms = lobby.rooms(token, mode, ROOM_LIST_LIMIT);
  if (rooms === undefined) return undefined;
  for (const room of rooms) {
    if (room.players >= room.maxPlayers) continue;
    const seat = lobby.joinRoom(token, room.roomId);
    if (seat !== 'gone') return seat;
  }
  return lobby.createRoom(token, mode);
}

/** POST /dev/seats on the game node (development only). */
function devSeat(config: SeatConfig, name: string, requestedAt: number): Seat | undefined {
  const response = http.post(`${config.gameUrl}/dev/seats`, JSON.stringify({ mode: config.mode, name }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /dev/seats', endpoint: 'dev_seat' },
    responseCallback: http.expectedStatuses(201),
  });
  let seat: Seat | undefined;
  if (response.status === 201 && typeof response.body === 'string') {
    try {
      const body = JSON.parse(response.body) as { url?: unknown; seat?: unknown };
      if (typeof body.url === 'string' && typeof body.seat === 'string') {
        seat = { url: body.url, seat: body.seat, requestedAt };
      }
    } catch {
      // not JSON: the check below fails
    }
  }
  check(seat, { 'dev_seat status 201 with url and seat': (s) => s !== undefined });
  return seat;
}
