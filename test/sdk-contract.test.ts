/**
 * The SDK's hand-written lobby types (shared/client/lobby-types.ts, which cannot import the
 * server's TypeBox schemas) against the schemas the lobby validates and documents with. This file
 * fails type-checking (`npm test` runs tsc) the moment either side changes alone.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import type { GuestRequest, GuestResponse, MeResponse } from '../server/lobby/contracts/auth.ts';
import type {
  AroundResponse,
  PlayerRecordResponse,
  LeaderboardRecord as RecordSchema,
  TopResponse,
} from '../server/lobby/contracts/leaderboards.ts';
import type {
  PartyTokenResponse,
  CreateTicketRequest as TicketRequestSchema,
  TicketSchema,
} from '../server/lobby/contracts/matchmaking.ts';
import type {
  RoomInfoSchema,
  CreateRoomRequest as RoomRequestSchema,
  RoomSeatResponse,
} from '../server/lobby/contracts/rooms.ts';
import type { SeatReservationSchema } from '../server/lobby/contracts/seats.ts';
import type * as Sdk from '../shared/client/lobby-types.ts';

/** Readonly all the way down, so `readonly string[]` and `string[]` compare as the same values. */
type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
/** Mutual assignability: A and B describe the same values. */
type Same<A, B> = [Frozen<A>] extends [Frozen<B>] ? ([Frozen<B>] extends [Frozen<A>] ? true : false) : false;
type Wire<S extends TSchema> = Static<S>;

// Answers: every value the lobby sends is one the SDK type accepts, and the other way round.
const checks = {
  reservation: true satisfies Same<Wire<typeof SeatReservationSchema>, Sdk.SeatReservation>,
  room: true satisfies Same<Wire<typeof RoomInfoSchema>, Sdk.RoomInfo>,
  roomSeat: true satisfies Same<Wire<typeof RoomSeatResponse>, Sdk.RoomSeat>,
  ticket: true satisfies Same<Wire<typeof TicketSchema>, Sdk.Ticket>,
  record: true satisfies Same<Wire<typeof RecordSchema>, Sdk.LeaderboardRecord>,
  top: true satisfies Same<Wire<typeof TopResponse>, Sdk.LeaderboardPage>,
  around: true satisfies Same<Wire<typeof AroundResponse>, Sdk.LeaderboardWindow>,
  standing: true satisfies Same<Wire<typeof PlayerRecordResponse>, Sdk.LeaderboardStanding>,
  me: true satisfies Same<Wire<typeof MeResponse>, Sdk.Me>,
  partyToken: true satisfies Same<Wire<typeof PartyTokenResponse>, Sdk.PartyToken>,
  guestSession: true satisfies Same<Wire<typeof GuestResponse>, Sdk.GuestSession>,
  // Requests: whatever the SDK lets a caller send, the lobby's schema accepts.
  createRoom: true satisfies Same<Sdk.CreateRoomRequest, Wire<typeof RoomRequestSchema>>,
  createTicket: true satisfies Same<Sdk.CreateTicketRequest, Wire<typeof TicketRequestSchema>>,
  guest: true satisfies Same<Wire<typeof GuestRequest>, { name: string }>,
};

describe('SDK lobby types', () => {
  it('match the lobby contracts (checked by the type-checker)', () => {
    expect(Object.values(checks).every(Boolean)).toBe(true);
  });
});
