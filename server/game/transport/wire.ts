/**
 * What both transports must do byte for byte the same, in one place: status lines, subprotocol
 * parsing, remote address form, close reasons and codes, and containing the game node's handlers.
 * uws.ts and ws.ts import from here; nothing above the seam does.
 */
import { STATUS_CODES } from 'node:http';
import { SocketAddress } from 'node:net';
import { CloseCode } from '../../../shared/protocol/codes.ts';
import type {
  HttpHandler,
  HttpRequest,
  HttpResponse,
  SocketHandlers,
  TransportFault,
  UpgradeDecision,
  UpgradeRequest,
} from './types.ts';

/** RFC 6455's code for a connection that ended without a close frame; never sent on the wire. */
export const ABNORMAL_CLOSURE = 1006;

/**
 * uWS.js answers 431 itself to a request whose head (request line and headers) is over 4 KiB (its
 * UWS_HTTP_MAX_HEADERS_SIZE default); ws.ts holds node:http to the same limit.
 */
export const MAX_REQUEST_HEAD_BYTES = 4096;

/** RFC 6455: a close frame's payload is 125 bytes, 2 of them the code. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * How each fault is reported to handlers.close: the RFC close code, and uWS.js's own reason string
 * (ws.ts reports the same strings, so the game node sees one vocabulary).
 */
export const TRANSPORT_FAULTS: Readonly<Record<TransportFault, { code: number; reason: string }>> = {
  too_big: { code: CloseCode.MESSAGE_TOO_BIG, reason: 'Received too big message' },
  invalid_utf8: { code: CloseCode.INVALID_PAYLOAD, reason: 'Received invalid UTF-8' },
  invalid_frame: { code: CloseCode.PROTOCOL_ERROR, reason: 'Received invalid WebSocket frame' },
  invalid_close: { code: CloseCode.PROTOCOL_ERROR, reason: 'Received invalid close payload' },
  idle: { code: ABNORMAL_CLOSURE, reason: 'WebSocket timed out from inactivity' },
};

/**
 * uWS.js accepts an idle timeout of 0 (off) or 8..960 s and aborts the process otherwise; ws.ts
 * applies the same rule so a configured value means the same on both transports.
 */
export function effectiveIdleSeconds(seconds: number): number {
  if (!(seconds > 0)) return 0;
  return Math.min(960, Math.max(8, Math.round(seconds)));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Cut a close reason to 123 UTF-8 bytes without splitting a character (uWS.js cuts mid-character,
 * which makes the client fail the whole close frame as invalid UTF-8).
 */
export function truncateCloseReason(reason: string): string {
  if (reason.length <= MAX_CLOSE_REASON_BYTES / 3) return reason; // cannot exceed 123 bytes
  const bytes = encoder.encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // back off continuation bytes
  return decoder.decode(bytes.subarray(0, end));
}

/** `403 Forbidden`: the status line both transports write. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** Sec-WebSocket-Protocol's comma-separated list, in the client's order. */
export function parseProtocols(header: string | undefined): string[] {
  if (!header) return [];
  const protocols: string[] = [];
  for (const part of header.split(',')) {
    const protocol = part.trim();
    if (protocol) protocols.push(protocol);
  }
  return protocols;
}

/**
 * One textual form per address: IPv4 (also IPv4-mapped IPv6) as dotted quad, IPv6 compressed.
 * uWS.js prints IPv6 uncompressed (`0000:...:0001`) and Node prints `::ffff:1.2.3.4`.
 */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  let text = address;
  try {
    text = new SocketAddress({ address, family: 'ipv6' }).address;
  } catch {
    return address;
  }
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}

/** A body for responses the transport writes itself (404, 413, 500, refused upgrades). */
export const TEXT_PLAIN = 'text/plain; charset=utf-8';

const INTERNAL_ERROR: UpgradeDecision<never> = {
  accept: false,
  status: 500,
  reason: 'Internal Server Error',
};

/**
 * handlers.upgrade, with a throw or a rejection turned into a 500 refusal. A decision made
 * synchronously comes back synchronously, so the transport can answer within the same call.
 */
export function decideUpgrade<T>(
  handlers: SocketHandlers<T>,
  request: UpgradeRequest,
): UpgradeDecision<T> | Promise<UpgradeDecision<T>> {
  let decision: UpgradeDecision<T> | Promise<UpgradeDecision<T>>;
  try {
    decision = handlers.upgrade(request);
  } catch {
    return INTERNAL_ERROR;
  }
  return 'then' in decision ? decision.then(undefined, () => INTERNAL_ERROR) : decision;
}

/** Canned answers the transport gives without a handler. */
export const HttpAnswer = {
  NOT_FOUND: { status: 404, headers: { 'content-type': TEXT_PLAIN }, body: 'Not Found' },
  TOO_LARGE: {
    status: 413,
    headers: { 'content-type': TEXT_PLAIN, connection: 'close' },
    body: 'Payload Too Large',
  },
  INTERNAL_ERROR: { status: 500, headers: { 'content-type': TEXT_PLAIN }, body: 'Internal Server Error' },
} as const satisfies Record<string, HttpResponse>;

/** A route handler, with a throw or a rejection turned into a 500. */
export async function answerHttp(handler: HttpHandler, request: HttpRequest): Promise<HttpResponse> {
  try {
    return await handler(request);
  } catch {
    return HttpAnswer.INTERNAL_ERROR;
  }
}

/** Joins body chunks copied while streaming. */
export function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
