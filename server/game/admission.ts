/**
 * WebSocket upgrade decisions: protocol version, Origin, then a seat token (or a reconnect token).
 * Everything is decided before a WebSocket exists; a refusal is a plain HTTP status and reason.
 * The decision is synchronous (tokens are checked and minted on node:crypto), so the transport
 * answers inside its own upgrade callback: uWS.js 20.56 mishandles an upgrade completed later
 * inside res.cork (transport/uws.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SUBPROTOCOL, SUBPROTOCOLS } from '../../shared/protocol/codes.ts';
import type { GameConfig } from '../config.ts';
import type { GameMetrics } from './metrics.ts';
import { originAllowed } from './origin.ts';
import type { RoomRegistry } from './room-registry.ts';
import type { RoomRuntime } from './room-runtime.ts';
import type { Seat, SocketData } from './seat.ts';
import { SeatTokenError, type SeatTokens } from './seat-token.ts';
import type { UpgradeDecision, UpgradeRequest } from './transport/types.ts';

export interface AdmissionDeps {
  readonly config: GameConfig;
  readonly tokens: SeatTokens;
  readonly registry: RoomRegistry;
  readonly metrics: GameMetrics;
  /** True once the node is shutting down: no new joins. */
  readonly draining: () => boolean;
  readonly log: Logger;
}

/** Decide one upgrade. Never throws: every failure is a refusal with a status and reason. */
export function admit(request: UpgradeRequest, deps: AdmissionDeps): UpgradeDecision<SocketData> {
  let decision: UpgradeDecision<SocketData>;
  try {
    decision = decide(request, deps);
  } catch (error) {
    if (error instanceof SeatTokenError) decision = refuse(error.status, error.message);
    else {
      deps.log.error({ err: error, path: request.path }, 'upgrade decision failed');
      decision = refuse(500, 'internal error');
    }
  }
  if (!decision.accept) deps.metrics.rejected.labels('upgrade_refused').inc();
  return decision;
}

function decide(request: UpgradeRequest, deps: AdmissionDeps): UpgradeDecision<SocketData> {
  const { config, tokens, registry } = deps;
  const protocol = SUBPROTOCOLS.find((p) => request.protocols.includes(p));
  if (protocol === undefined) {
    const offered = request.protocols.join(', ') || 'none';
    return refuse(
      400,
      `unsupported protocol: offer Sec-WebSocket-Protocol ${SUBPROTOCOLS.join(' or ')} (offered: ${offered})`,
    );
  }
  if (!originAllowed(request.headers.origin, config.allowedOrigins)) {
    return refuse(403, 'origin not allowed');
  }
  if (deps.draining()) return refuse(503, 'node is shutting down');

  const reconnectToken = request.query.get('reconnect');
  if (reconnectToken) {
    const claims = tokens.verifyReconnect(reconnectToken, config.nodeId);
    const room = registry.get(claims.roomId);
    const seat = room?.heldSeat(claims.playerId, claims.sessionId);
    if (!room || !seat)
      return refuse(410, 'seat no longer held: the reconnect window expired or the room closed');
    if (seat.reconnectNonce !== claims.nonce) return refuse(401, 'reconnect token was already used');
    return accept(room, seat, protocol, rotateReconnectToken(seat, claims.roomId, deps));
  }

  const seatToken = request.query.get('seat');
  if (!seatToken) return refuse(401, 'missing seat token (?seat=...)');
  const claims = tokens.verifySeat(seatToken, config.nodeId);
  const room = registry.getOrCreate(claims.roomId, claims.mode, claims.options, claims.maxPlayers);
  if (!('reserve' in room)) return refuse(room.status, room.reason);
  const seat = room.reserve(claims);
  if (!('sessionId' in seat)) return refuse(seat.status, seat.reason);
  seat.seatId = claims.seatId ?? '';
  return accept(room, seat, protocol, rotateReconnectToken(seat, claims.roomId, deps));
}

/** A fresh reconnect token for the seat; the previous one stops working. */
function rotateReconnectToken(seat: Seat, roomId: string, deps: AdmissionDeps): string {
  seat.reconnectNonce = randomUUID();
  return deps.tokens.mintReconnect({
    playerId: seat.player.id,
    roomId,
    nodeId: deps.config.nodeId,
    sessionId: seat.sessionId,
    nonce: seat.reconnectNonce,
  });
}

function accept(
  room: RoomRuntime,
  seat: Seat,
  protocol: string,
  reconnectToken: string,
): UpgradeDecision<SocketData> {
  // Only v2 clients understand ROOM_DELTA; v1 clients get every state message on its own.
  const roomFrames = protocol === SUBPROTOCOL;
  return { accept: true, protocol, data: { room, seat, reconnectToken, roomFrames } };
}

function refuse(status: number, reason: string): UpgradeDecision<SocketData> {
  return { accept: false, status, reason };
}
