/**
 * Every wire constant of the Tickforge game protocol, in one place. The server, the client SDK and
 * the bots all import from here; docs/PROTOCOL.md describes each one.
 */

/** Protocol version. Bumped on any incompatible change to a message layout. */
export const PROTOCOL_VERSION = 2;

/** The current WebSocket subprotocol: version 1's messages plus ROOM_DELTA and WELCOME's `slot`. */
export const SUBPROTOCOL = `tickforge.v${PROTOCOL_VERSION}`;

/** Version 1, still spoken: its clients get their state as SNAPSHOT and DELTA only. */
export const SUBPROTOCOL_V1 = 'tickforge.v1';

/**
 * Subprotocols a node speaks, the preferred first. A client offers the ones it speaks; the node
 * picks the first of this list the client offered, and refuses the upgrade if there is none.
 */
export const SUBPROTOCOLS: readonly string[] = [SUBPROTOCOL, SUBPROTOCOL_V1];

/** First element of every message array: what the rest of the array means. */
export const MessageType = {
  // client -> server
  /** `[INPUT, seq, input]`: one input, applied at the next tick; `seq` must increase with every input. */
  INPUT: 1,
  /** `[PING, clientTimeMs]`: answered by PONG at once. */
  PING: 2,
  /** `[LEAVE]`: the player leaves for good (no grace period). */
  LEAVE: 3,

  // server -> client
  /**
   * `[WELCOME, playerId, roomId, reconnectToken, tickRate, tick, stateShape, mode, lastSeq, slot]`;
   * `lastSeq` is the highest input seq the seat accepted, so a reconnected client continues after it.
   * `slot` (v2 only) is the seat's index in ROOM_DELTA's ack table, fixed while the seat is held.
   */
  WELCOME: 10,
  /** `[SNAPSHOT, tick, ackSeq, entities]`: the whole (visible) state; replaces the mirror. */
  SNAPSHOT: 11,
  /** `[DELTA, tick, span, ackSeq, created, changed, removed]`: changes from tick - span to tick. */
  DELTA: 12,
  /** `[PONG, clientTimeMs, serverTimeMs, tick]`. */
  PONG: 13,
  /** `[EVENT, name, payload]`: a room event (broadcast or to one player). */
  EVENT: 14,
  /** `[ERROR, code, message]`: a recoverable problem with something the client sent. */
  ERROR: 15,
  /** `[MATCH_END, results]`: the match is over; results as reported to leaderboards. */
  MATCH_END: 16,
  /**
   * `[ROOM_DELTA, tick, span, acks, created, changed, removed]` (v2 only): a DELTA published once
   * to every client of the room whose baseline is `tick - span`, with an ack table instead of one
   * ack: `acks[slot]` is how far this client's ackSeq moved since its previous state message.
   */
  ROOM_DELTA: 17,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/**
 * WebSocket close codes the server uses. 1000-1011 are RFC 6455's; 4000-4999 are Tickforge's.
 */
export const CloseCode = {
  /** The player left (LEAVE or a client close with 1000), or the match is over. */
  NORMAL: 1000,
  /** The node is shutting down. */
  GOING_AWAY: 1001,
  /** A message broke the protocol: not an array, unknown type, wrong arity. */
  PROTOCOL_ERROR: 1002,
  /** A text frame: the protocol is binary only. */
  UNSUPPORTED_DATA: 1003,
  /** The bytes are not valid msgpack. */
  INVALID_PAYLOAD: 1007,
  /** A frame larger than the configured maximum payload. */
  MESSAGE_TOO_BIG: 1009,
  /** A server-side fault (a failing room hook); the room or the seat could not continue. */
  INTERNAL_ERROR: 1011,
  /** The client could not keep up: its send buffer stayed over the bound for too long. */
  SLOW_CONSUMER: 4008,
  /** Inputs arrived far faster than the allowed rate. */
  RATE_LIMITED: 4009,
  /** The same player connected again elsewhere; this older connection is replaced. */
  REPLACED: 4010,
  /** The room was disposed (emptied, failed, or the node drained it). */
  ROOM_CLOSED: 4011,
  /** An operator removed the player from the room (admin console or API); the seat is released. */
  KICKED: 4012,
  /**
   * Sent by a client: it could not apply a server message. The server treats it as a drop (the seat
   * is held), so the client can reconnect and start again from a full snapshot.
   */
  CLIENT_CANNOT_APPLY: 4100,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Machine-readable codes carried by ERROR messages (the connection stays open). */
export const ErrorCode = {
  /** The input did not match the room's input schema; the message names the field. */
  INVALID_INPUT: 'invalid_input',
  /** The input was dropped because the client is over its input rate. */
  INPUT_RATE: 'input_rate',
  /** The input's seq was not greater than the last one; it was dropped. */
  STALE_INPUT: 'stale_input',
  /** The match is over; inputs are no longer applied. */
  MATCH_OVER: 'match_over',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Field kinds an entity type can declare; the index is the wire value in WELCOME's state shape. */
export const FieldKind = {
  /** A finite number. With `quantize: step` it travels as an integer count of `step`. */
  NUMBER: 0,
  /** A safe integer. */
  INT: 1,
  /** true / false. */
  BOOL: 2,
  /** A UTF-8 string. */
  STRING: 3,
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** Most fields one entity type may declare: a changed-field mask must stay a small positive int. */
export const MAX_FIELDS_PER_ENTITY = 30;
