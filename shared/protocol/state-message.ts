/**
 * Client side of the three state messages (SNAPSHOT, DELTA, ROOM_DELTA): apply one decoded message
 * to a mirror and work out the client's ackSeq from it. The mirror of the server's deltaFrame,
 * snapshotFrame and roomDeltaFrame; the SDK and the k6 session both go through here.
 */
import { MessageType } from './codes.ts';
import { type ApplyResult, ProtocolError, type StateMirror } from './delta-apply.ts';

/** One applied state message. */
export interface AppliedState {
  readonly result: ApplyResult;
  readonly tick: number;
  /** The client's ackSeq after this message. */
  readonly ackSeq: number;
  readonly full: boolean;
}

/** True for the message types applyStateMessage takes. */
export function isStateMessage(type: unknown): boolean {
  return type === MessageType.SNAPSHOT || type === MessageType.DELTA || type === MessageType.ROOM_DELTA;
}

/**
 * Apply a decoded state message. `ackSeq` is the client's ack before it; `slot` is the client's
 * index in a ROOM_DELTA's ack table (WELCOME's `slot`; undefined on protocol v1, where a ROOM_DELTA
 * is a protocol error). Throws ProtocolError, leaving the mirror as it was, on anything unusable.
 */
export function applyStateMessage(
  mirror: StateMirror,
  message: readonly unknown[],
  ackSeq: number,
  slot: number | undefined,
): AppliedState {
  const tick = message[1] as number;
  switch (message[0]) {
    case MessageType.SNAPSHOT: {
      const result = mirror.applySnapshot(tick, message[3]);
      return { result, tick, ackSeq: ackOf(message[2], ackSeq), full: true };
    }
    case MessageType.DELTA: {
      const result = mirror.applyDelta(tick, message[2] as number, message[4], message[5], message[6]);
      return { result, tick, ackSeq: ackOf(message[3], ackSeq), full: false };
    }
    case MessageType.ROOM_DELTA: {
      // The ack is checked before the mirror changes, so a bad table leaves the mirror untouched.
      const moved = roomAck(message[3], slot);
      const result = mirror.applyDelta(tick, message[2] as number, message[4], message[5], message[6]);
      return { result, tick, ackSeq: ackSeq + moved, full: false };
    }
    default:
      throw new ProtocolError('unknown_type', `not a state message: ${String(message[0])}`);
  }
}

/** A state message's own ack; a missing one (never sent by Tickforge) keeps the previous. */
function ackOf(value: unknown, previous: number): number {
  return typeof value === 'number' ? value : previous;
}

/** How far this client's ack moved, from a ROOM_DELTA's ack table. */
function roomAck(acks: unknown, slot: number | undefined): number {
  if (slot === undefined)
    throw new ProtocolError('malformed_state', 'ROOM_DELTA without a slot from WELCOME');
  if (!Array.isArray(acks)) throw new ProtocolError('malformed_state', 'ROOM_DELTA acks is not an array');
  const moved: unknown = acks[slot];
  if (!Number.isSafeInteger(moved) || (moved as number) < 0)
    throw new ProtocolError('malformed_state', `ROOM_DELTA has no ack for slot ${slot}`);
  return moved as number;
}
