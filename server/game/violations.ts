/**
 * A client broke the protocol: what the game node does about it, whichever layer caught it (the
 * WebSocket library for bad frames, client-messages.ts for bad messages), so both transports do
 * the same. Each violation is counted by kind, logged once, and costs the seat, except an oversized
 * message (docs/PROTOCOL.md, "Protocol violations").
 */
import type { Logger } from 'pino';
import type { GameMetrics, RejectReason } from './metrics.ts';
import type { SeatSocket } from './seat.ts';
import type { TransportFault } from './transport/types.ts';

export interface ViolationDeps {
  readonly metrics: GameMetrics;
  readonly log: Logger;
}

/** How each transport fault is counted; silence is a drop, not a violation. */
const TRANSPORT_VIOLATIONS: Readonly<Record<TransportFault, RejectReason | undefined>> = {
  invalid_frame: 'invalid_frame',
  invalid_utf8: 'invalid_utf8',
  invalid_close: 'invalid_close_code',
  too_big: 'message_too_big',
  idle: undefined,
};

/**
 * The payload cap is a resource limit, not malformed traffic (and on uWS.js a message far over it
 * reads as a dropped connection to the client), so the seat stays for the grace period.
 */
const KEEPS_SEAT: ReadonlySet<RejectReason> = new Set(['message_too_big']);

/**
 * Count and log one violation, and mark the socket's close as the server's so detach() releases
 * the seat. Call it before closing the socket, or from the close handler before detach().
 */
export function recordViolation(
  socket: SeatSocket,
  kind: RejectReason,
  code: number,
  deps: ViolationDeps,
): void {
  const { room, seat } = socket.data;
  deps.metrics.rejected.labels(kind).inc();
  deps.log.info(
    { room: room.id, player: seat.player.id, violation: kind, code },
    'client broke the protocol',
  );
  if (!KEEPS_SEAT.has(kind)) socket.data.closingBy = 'server';
}

/** The transport closed a socket for `fault`; call from the close handler before detach(). */
export function recordTransportFault(
  socket: SeatSocket,
  fault: TransportFault,
  code: number,
  deps: ViolationDeps,
): void {
  const kind = TRANSPORT_VIOLATIONS[fault];
  if (kind !== undefined) recordViolation(socket, kind, code, deps);
}
