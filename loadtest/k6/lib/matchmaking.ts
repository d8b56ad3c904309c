/**
 * A matchmaking ticket from creation to a seat, polled (k6 has no EventSource, and the SSE stream
 * of the ticket would hold a connection per VU for nothing a load test needs). Shared by the lobby
 * and gameplay scripts; its metrics are created in the init context of whichever imports it.
 */
import { sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { SeatReservation } from '../../../shared/client/lobby-types.ts';
import type { K6LobbyClient } from './lobby.ts';

/** Ticket created -> status `matched`, in ms. */
export const matchWait = new Trend('tickforge_match_wait', true);
/** Tickets matched (each adds a matchWait sample): the proof that matching happened at all. */
export const matches = new Counter('tickforge_matches');
/** Tickets that did not end matched (expired, cancelled, timed out, or the lobby failed). */
export const matchFailed = new Rate('tickforge_match_failed');

/** How a ticket is polled. */
export interface MatchPolling {
  readonly mode: string;
  /** Time between two reads of a searching ticket. */
  readonly pollMs: number;
  /** Give up, and cancel the ticket, after this long. */
  readonly timeoutMs: number;
}

/** Create a ticket and poll it until matched; the caller's reservation, or undefined. */
export function matchmake(
  lobby: K6LobbyClient,
  token: string,
  polling: MatchPolling,
): SeatReservation | undefined {
  const createdAt = Date.now();
  let ticket = lobby.createTicket(token, polling.mode);
  while (ticket !== undefined && ticket.status === 'searching') {
    if (Date.now() - createdAt > polling.timeoutMs) {
      // Leave the queue rather than be matched into a room this VU will not join.
      lobby.cancelTicket(token, ticket.ticketId);
      ticket = undefined;
      break;
    }
    sleep(polling.pollMs / 1000);
    ticket = lobby.ticket(token, ticket.ticketId);
  }
  const reservation = ticket?.status === 'matched' ? ticket.reservation : undefined;
  matchFailed.add(reservation === undefined);
  if (reservation !== undefined) {
    matchWait.add(Date.now() - createdAt);
    matches.add(1);
  }
  return reservation;
}
