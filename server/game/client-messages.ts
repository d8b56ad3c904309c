/**
 * Inbound game messages: decode, validate the envelope against its JSON Schema, then act. Protocol
 * violations close the socket with their code (see violations.ts); a bad input gets an ERROR
 * message and the socket stays open. Nothing here throws out to the transport.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { DecodeError, decodeMessage, encodeMessage } from '../../shared/protocol/codec.ts';
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

  const { seat, room } = socket.data;
  switch (type) {
    case MessageType.INPUT: {
      if (!withinRate(socket, deps, 'input flood')) return;
      const error = room.queueInput(seat, message[1] as number, message[2]);
      if (error) sendError(socket, error.code, error.message);
      return;
    }
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
