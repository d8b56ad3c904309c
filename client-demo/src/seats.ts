/** The three ways to a seat in an arena room: matchmaking, a new private room, a join code. */
import type { LobbyClient, SeatReservation } from '../../shared/client/index.ts';

/** The game mode this demo plays. */
export const MODE = 'arena';

/** A seat, and the join code when it is in a private room the player can share. */
export interface Seat {
  readonly reservation: SeatReservation;
  readonly code?: string | undefined;
}

/** Queue for a match and wait for it; aborting leaves the queue. */
export async function matchmake(lobby: LobbyClient, signal: AbortSignal): Promise<Seat> {
  const ticket = await lobby.createTicket({ mode: MODE });
  try {
    const matched = await lobby.waitForMatch(ticket.ticketId, { signal });
    return { reservation: matched.reservation };
  } catch (error) {
    // Leave the queue on any failure, or a later Play is refused while this ticket still searches
    // (409). Cancelling a ticket that already ended is refused, which is fine here.
    await lobby.cancelTicket(ticket.ticketId).catch(() => undefined);
    throw error;
  }
}

/** Create a private room and take its first seat. */
export async function createPrivateRoom(lobby: LobbyClient): Promise<Seat> {
  const { room, reservation } = await lobby.createRoom({ mode: MODE, visibility: 'private' });
  return { reservation, code: room.code };
}

/** Take a seat in a private room by its code. */
export async function joinByCode(lobby: LobbyClient, code: string): Promise<Seat> {
  const { room, reservation } = await lobby.joinRoomByCode(code);
  return { reservation, code: room.code ?? code };
}
