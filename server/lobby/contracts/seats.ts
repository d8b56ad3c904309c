/** The seat reservation: what rooms and matchmaking hand a player to join a game node. */
import { Type } from '@sinclair/typebox';

/** A room id as game nodes accept it. */
export const RoomId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Room id' });

/** A seat in a room on a game node. */
export const SeatReservationSchema = Type.Object(
  {
    url: Type.String({ description: 'The game node WebSocket URL (ws:// or wss://)' }),
    seat: Type.String({
      description: 'Single-use seat token: open `<url>?seat=<token>` with subprotocol tickforge.v1',
    }),
    roomId: Type.String(),
    playerId: Type.String(),
    mode: Type.String(),
    nodeId: Type.String(),
    expiresAt: Type.Integer({ description: 'The token is refused after this, wall-clock ms (UTC)' }),
    seatId: Type.String({
      description:
        'Id of this seat: the lobby logs it when it promises the seat, the game node when the player joins and leaves',
    }),
  },
  { title: 'SeatReservation', additionalProperties: false },
);
