/**
 * When a dropped game connection is worth retrying, and how long to wait: pure rules that follow the
 * server's seat semantics (docs/PROTOCOL.md, "Close codes" and "Refused upgrades").
 */
import { CloseCode } from '../protocol/codes.ts';
import { ConnectError } from './game-client.ts';

/**
 * Close codes after which the server has released the seat, so a reconnect cannot succeed. REPLACED
 * means another connection has the seat: retrying would steal it back.
 */
const SEAT_RELEASED: ReadonlySet<number> = new Set([
  CloseCode.NORMAL,
  CloseCode.GOING_AWAY,
  CloseCode.PROTOCOL_ERROR,
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.INVALID_PAYLOAD,
  CloseCode.INTERNAL_ERROR,
  CloseCode.RATE_LIMITED,
  CloseCode.REPLACED,
  CloseCode.ROOM_CLOSED,
  CloseCode.KICKED,
]);

/** A client-sent close code the server treats as a drop (4000-4007 hold the seat). */
export const DROP_CODE = 4000;

/** True when the server holds the seat after a close with `code` (1006, 1009, 4008, 4100, 4000-4007, ...). */
export function seatHeldAfter(code: number): boolean {
  return !SEAT_RELEASED.has(code);
}

/**
 * True for a refused upgrade whose status says retrying cannot help: 401 (token used or invalid),
 * 403, 404, 409, 410 (seat no longer held). 5xx may pass; an unknown status (browsers) may too.
 */
export function isFinalRefusal(error: unknown): error is ConnectError {
  return (
    error instanceof ConnectError && error.status !== undefined && error.status >= 400 && error.status < 500
  );
}

/** Retry delays: doubling from `initialMs` up to `maxMs`, each 50-100% of nominal (jitter). */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function retryDelay(backoff: Backoff, attempt: number): number {
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
  return nominal * (0.5 + 0.5 * backoff.random());
}
