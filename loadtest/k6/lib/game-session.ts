/**
 * One game connection's protocol state for the k6 gameplay script: decodes server frames with the
 * project's codec, applies SNAPSHOT and DELTA to the SDK's own StateMirror, and encodes INPUT, PING
 * and LEAVE exactly as the SDK's GameClient does (docs/PROTOCOL.md). No socket here: the script owns
 * the k6 WebSocket, and the tests replay recorded frames through this very class in the bundle.
 *
 * It mirrors GameClient's message handling because GameClient needs the platform WebSocket and
 * DOM events, which k6 does not have.
 */
import { decodeMessage, encodeMessage } from '../../../shared/protocol/codec.ts';
import { MessageType } from '../../../shared/protocol/codes.ts';
import { ProtocolError, StateMirror } from '../../../shared/protocol/delta-apply.ts';
import { applyStateMessage } from '../../../shared/protocol/state-message.ts';
import { shapeFromWire } from '../../../shared/protocol/state-shape.ts';

/** A decoded server message, as the script acts on it. */
export type ServerMessage =
  | { readonly kind: 'welcome'; readonly tickRate: number; readonly lastSeq: number }
  | { readonly kind: 'state'; readonly full: boolean; readonly tick: number; readonly ackSeq: number }
  | { readonly kind: 'pong'; readonly sentAt: number }
  | { readonly kind: 'event'; readonly name: string }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'matchEnd'; readonly report: unknown };

/** A k6 WebSocket sends whole ArrayBuffers; msgpackr's output is a view into a reused buffer. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** The protocol side of one connection to a room. */
export class GameSession {
  playerId = '';
  roomId = '';
  tickRate = 0;
  /** Highest input seq the server has applied. */
  ackSeq = 0;
  /** The room's entities; undefined until WELCOME. */
  mirror: StateMirror | undefined;
  /** Index in ROOM_DELTA ack tables (protocol v2); undefined on v1. */
  slot: number | undefined;
  #seq = 0;

  /** Seq of the last input encoded. */
  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * Decode and apply one server frame. Throws (DecodeError or ProtocolError) on bytes the client
   * cannot use; the connection must then be closed with CLIENT_CANNOT_APPLY.
   */
  receive(bytes: Uint8Array): ServerMessage {
    const message = decodeMessage(bytes);
    switch (message[0]) {
      case MessageType.WELCOME:
        return this.#welcome(message);
      case MessageType.SNAPSHOT:
      case MessageType.DELTA:
      case MessageType.ROOM_DELTA: {
        const mirror = this.mirror;
        if (mirror === undefined) throw new ProtocolError('desync', 'state before WELCOME');
        const applied = applyStateMessage(mirror, message, this.ackSeq, this.slot);
        this.ackSeq = applied.ackSeq;
        return { kind: 'state', full: applied.full, tick: applied.tick, ackSeq: applied.ackSeq };
      }
      case MessageType.PONG:
        return { kind: 'pong', sentAt: typeof message[1] === 'number' ? message[1] : Number.NaN };
      case MessageType.EVENT:
        return { kind: 'event', name: String(message[1]) };
      case MessageType.ERROR:
        return { kind: 'error', code: String(message[1]), message: String(message[2]) };
      case MessageType.MATCH_END:
        return { kind: 'matchEnd', report: message[1] };
      default:
        throw new ProtocolError('unknown_type', `unknown server message type ${String(message[0])}`);
    }
  }

  /** The next INPUT frame (`[INPUT, seq, input]`, seq one more than the last). */
  input(input: unknown): ArrayBuffer {
    this.#seq++;
    return toArrayBuffer(encodeMessage([MessageType.INPUT, this.#seq, input]));
  }

  /** A PING frame carrying the client's clock. */
  ping(clientTimeMs: number): ArrayBuffer {
    return toArrayBuffer(encodeMessage([MessageType.PING, clientTimeMs]));
  }

  /** A LEAVE frame: the seat is released at once. */
  leave(): ArrayBuffer {
    return toArrayBuffer(encodeMessage([MessageType.LEAVE]));
  }

  #welcome(message: unknown[]): ServerMessage {
    const [, playerId, roomId, , tickRate, , wireShape, , lastSeq, slot] = message;
    if (typeof playerId !== 'string' || typeof roomId !== 'string' || typeof tickRate !== 'number') {
      throw new ProtocolError('malformed_welcome', 'WELCOME message has wrong field types');
    }
    this.playerId = playerId;
    this.roomId = roomId;
    this.tickRate = tickRate;
    // After a reconnect the seat remembers the last input seq it accepted; continue after it.
    this.#seq = typeof lastSeq === 'number' && Number.isSafeInteger(lastSeq) && lastSeq > 0 ? lastSeq : 0;
    this.ackSeq = this.#seq;
    this.slot = typeof slot === 'number' && Number.isSafeInteger(slot) && slot >= 0 ? slot : undefined;
    this.mirror = new StateMirror(shapeFromWire(wireShape));
    return { kind: 'welcome', tickRate, lastSeq: this.#seq };
  }
}
