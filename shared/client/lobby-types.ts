/**
 * The lobby REST API's records as clients see them (mirrors the lobby's contracts; all times are
 * wall-clock milliseconds, UTC).
 */

/** A new guest and its access token (POST /v1/auth/guest). */
export interface GuestSession {
  readonly playerId: string;
  readonly name: string;
  /** Sent as `Authorization: Bearer <accessToken>`. */
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** The signed-in player (GET /v1/me). */
export interface Me {
  readonly playerId: string;
  readonly name: string;
  readonly createdAt: number;
}

/** A seat in a room on a game node: pass `url` and `seat` to GameClient or ReconnectingClient. */
export interface SeatReservation {
  /** The game node's WebSocket URL, e.g. ws://127.0.0.1:2567/ws. */
  readonly url: string;
  /** Single-use seat token. */
  readonly seat: string;
  readonly roomId: string;
  readonly playerId: string;
  readonly mode: string;
  readonly nodeId: string;
  /** The seat token is refused after this. */
  readonly expiresAt: number;
  /** Names this seat in the lobby's and the game node's logs (quote it when reporting a problem). */
  readonly seatId: string;
}

export type RoomVisibility = 'public' | 'private';

/** A room as the lobby lists it. */
export interface RoomInfo {
  readonly roomId: string;
  readonly mode: string;
  readonly visibility: RoomVisibility;
  /** Join code of a private room (only shown to its creator and joiners). */
  readonly code?: string;
  readonly players: number;
  readonly maxPlayers: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** A room and the caller's seat in it (create, join by id, join by code). */
export interface RoomSeat {
  readonly room: RoomInfo;
  readonly reservation: SeatReservation;
}

/** Body of POST /v1/rooms. */
export interface CreateRoomRequest {
  readonly mode: string;
  readonly visibility?: RoomVisibility;
  readonly maxPlayers?: number;
  /** Up to 8 public labels. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export type TicketStatus = 'searching' | 'matched' | 'expired' | 'cancelled';

/** A matchmaking ticket. `searching` until matched, expired or cancelled (the three final ones). */
export interface Ticket {
  readonly ticketId: string;
  readonly status: TicketStatus;
  readonly mode: string;
  readonly region: string;
  /** The party, creator first. */
  readonly players: readonly string[];
  readonly rating?: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** When matched. */
  readonly matchId?: string;
  readonly roomId?: string;
  /** When matched: the caller's own seat. */
  readonly reservation?: SeatReservation;
}

/** A matched ticket, with its seat. */
export type MatchedTicket = Ticket & {
  readonly status: 'matched';
  readonly matchId: string;
  readonly roomId: string;
  readonly reservation: SeatReservation;
};

/** Body of POST /v1/matchmaking/tickets. */
export interface CreateTicketRequest {
  readonly mode: string;
  /** Default `default`. */
  readonly region?: string;
  readonly rating?: number;
  /** Party tokens of the other members (each from their `createPartyToken(yourPlayerId)`). */
  readonly party?: readonly string[];
}

/** A member's consent to play in a leader's party. */
export interface PartyToken {
  readonly partyToken: string;
  readonly expiresAt: number;
}

/** One line of a leaderboard. */
export interface LeaderboardRecord {
  /** 1-based; ties go to whoever got there first. */
  readonly rank: number;
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
  readonly updatedAt: number;
}

/** A page of a board's best records. */
export interface LeaderboardPage {
  readonly boardId: string;
  /** `all`, `2026-11-22`, `2026-W47` or `2026-11`. */
  readonly period: string;
  readonly records: readonly LeaderboardRecord[];
  /** Pass as `cursor` for the next page; absent on the last. */
  readonly nextCursor?: string;
}

/** Records around one player. */
export interface LeaderboardWindow {
  readonly boardId: string;
  readonly period: string;
  readonly records: readonly LeaderboardRecord[];
}

/** One player's standing on a board. */
export interface LeaderboardStanding {
  readonly boardId: string;
  readonly period: string;
  readonly record: LeaderboardRecord;
}

/** True when a ticket status is final (the ticket will not change again). */
export function isFinalTicket(ticket: Ticket): boolean {
  return ticket.status !== 'searching';
}

/** True when the ticket is matched and carries its seat. */
export function isMatched(ticket: Ticket): ticket is MatchedTicket {
  return ticket.status === 'matched' && ticket.reservation !== undefined;
}
