/**
 * Inbound game messages: decode, validate the envelope against its JSON Schema, then act. Protocol
 * violations close the socket with their code (see violations.ts); a bad input gets an ERROR
 * message and the socket stays open. Nothing here throws out to the transport.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import {
  DecodeError,
  decodeFlatMap,
  decodeMessage,
  decodeValue,
  encodeMessage,
} from '../../shared/protocol/codec.ts';
import { CloseCode, ErrorCode, MessageType } from '../../shared/protocol/codes.ts';
import { clientMessageSchemas } from '../../shared/protocol/schemas/client-messages.ts';
import { compileOnce } from '../validation.ts';
import type { RejectReason } from './metrics.ts';
import type { SeatSocket } from './seat.ts';
import { recordViolation, type ViolationDeps } from './violations.ts';

const validators = new Map<number, ValidateFunction>(
  Object.entries(clientMessageSchemas).map(([type, schema]) => [Number(type), compileOnce(schema)]),
);

export interface ClientMessageDeps extends ViolationDeps {
  /** Wall-clock milliseconds. */
  readonly now: () => number;
  /** Milliseconds on the server's clock for PONG (monotonic). */
  readonly serverTime: () => number;
}

/** Handle one frame from a seated client. */
export function handleClientMessage(
  socket: SeatSocket,
  bytes: Uint8Array,
  isBinary: boolean,
  deps: ClientMessageDeps,
) {
  // The common case first: most frames are INPUTs in their usual form.
  if (isBinary && inputFastPath(socket, bytes, deps)) return;
  if (!isBinary)
    return violation(socket, deps, 'text_frame', CloseCode.UNSUPPORTED_DATA, 'binary frames only');
  let message: unknown[];
  try {
    message = decodeMessage(bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // Bytes that are not msgpack are an invalid payload; valid msgpack of the wrong shape breaks the protocol.
    const code = error.code === 'invalid_msgpack' ? CloseCode.INVALID_PAYLOAD : CloseCode.PROTOCOL_ERROR;
    return violation(socket, deps, 'invalid_msgpack', code, `invalid message: ${error.message}`);
  }
  const type = message[0] as number;
  const validate = validators.get(type);
  if (!validate)
    return violation(socket, deps, 'unknown_type', CloseCode.PROTOCOL_ERROR, `unknown message type ${type}`);
  if (!validate(message)) {
    const problem = validate.errors?.[0];
    const where = problem?.instancePath || '/';
    return violation(
      socket,
      deps,
      'malformed_message',
      CloseCode.PROTOCOL_ERROR,
      `message ${type} ${where} ${problem?.message}`,
    );
  }

  const { room } = socket.data;
  switch (type) {
    case MessageType.INPUT:
      queueInput(socket, message[1] as number, message[2], deps);
      return;
    case MessageType.PING:
      if (!withinRate(socket, deps, 'ping flood')) return;
      socket.send(encodeMessage([MessageType.PONG, message[1], deps.serverTime(), room.tickNumber]));
      return;
    case MessageType.LEAVE:
      socket.data.closingBy = 'leave';
      socket.close(CloseCode.NORMAL, 'left');
      return;
  }
}

/**
 * `[INPUT, seq, input]` as clients encode it (a fixarray of 3, seq as a msgpack uint of at most 32
 * bits, then one plain msgpack value) is read without decoding or validating the envelope: those
 * bytes can only be what the envelope schema accepts. Anything else, including an input that is
 * not plain msgpack, takes the general path, which decides and reports as it always did.
 * True when the frame was handled here.
 */
function inputFastPath(socket: SeatSocket, bytes: Uint8Array, deps: ClientMessageDeps): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x93 || bytes[1] !== MessageType.INPUT) return false;
  const token = bytes[2]!;
  let seq: number;
  let at: number;
  if (token >= 1 && token < 0x80) {
    seq = token;
    at = 3;
  } else if (token === 0xcc) {
    seq = bytes[3]!;
    at = 4;
  } else if (token === 0xcd && bytes.length > 5) {
    seq = (bytes[3]! << 8) | bytes[4]!;
    at = 5;
  } else if (token === 0xce && bytes.length > 7) {
    seq = ((bytes[3]! << 24) >>> 0) + ((bytes[4]! << 16) | (bytes[5]! << 8) | bytes[6]!);
    at = 7;
  } else {
    return false;
  }
  if (seq < 1 || at >= bytes.length) return false;
  // Most inputs are a small map of numbers: read directly, msgpackr for everything else.
  let input: unknown = decodeFlatMap(bytes, at);
  if (input === undefined) {
    try {
      input = decodeValue(bytes.subarray(at));
    } catch {
      return false;
    }
  }
  queueInput(socket, seq, input, deps);
  return true;
}

/** An INPUT whose envelope is valid: rate, then the room's own checks (seq order, input schema). */
function queueInput(socket: SeatSocket, seq: number, input: unknown, deps: ClientMessageDeps): void {
  if (!withinRate(socket, deps, 'input flood')) return;
  const { seat, room } = socket.data;
  const error = room.queueInput(seat, seq, input);
  if (error) sendError(socket, error.code, error.message);
}

/**
 * Take one message from the seat's rate bucket. Inputs and pings share it (a ping costs an answer,
 * so pings must not flood either). Over the rate the message is dropped with an `input_rate` ERROR
 * at most once a second; far over it, the socket is closed with 4009. False when dropped or closed.
 */
function withinRate(socket: SeatSocket, deps: ClientMessageDeps, flood: string): boolean {
  const { seat } = socket.data;
  const now = deps.now();
  const verdict = seat.rate.take(now);
  if (verdict === 'ok') return true;
  if (verdict === 'flood') {
    violation(socket, deps, 'rate_limited_close', CloseCode.RATE_LIMITED, flood);
    return false;
  }
  deps.metrics.rejected.labels('input_rate').inc();
  if (now - seat.lastRateErrorAt >= 1000) {
    seat.lastRateErrorAt = now;
    sendError(socket, ErrorCode.INPUT_RATE, 'inputs and pings over the allowed rate are dropped');
  }
  return false;
}

function sendError(socket: SeatSocket, code: string, text: string): void {
  socket.send(encodeMessage([MessageType.ERROR, code, text]));
}

function violation(
  socket: SeatSocket,
  deps: ClientMessageDeps,
  reason: RejectReason,
  code: number,
  text: string,
): void {
  recordViolation(socket, reason, code, deps);
  socket.close(code, text);
}
