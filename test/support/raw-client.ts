/**
 * A raw WebSocket client (the `ws` package) for tests that must send what the SDK never would:
 * bad bytes, bad tokens, foreign Origins. It can also read the HTTP status of a refused upgrade.
 */
import WebSocket from 'ws';
import { decodeMessage } from '../../shared/protocol/codec.ts';
import { SUBPROTOCOL_V1 } from '../../shared/protocol/codes.ts';

export interface RawOptions {
  readonly query?: string;
  readonly protocols?: readonly string[];
  readonly origin?: string;
  readonly ca?: string | Buffer;
}

export interface RawSocket {
  readonly ws: WebSocket;
  /** Decoded messages received so far. */
  readonly messages: unknown[][];
  /** Resolves with the next message whose type is `type`. */
  next(type: number): Promise<unknown[]>;
  readonly closed: Promise<{ code: number; reason: string }>;
  send(bytes: Uint8Array | string): void;
}

function open(url: string, options: RawOptions): WebSocket {
  const target = options.query ? `${url}?${options.query}` : url;
  // v1 by default: raw tests read each state message's own ack (v2's ROOM_DELTA carries a table).
  return new WebSocket(target, [...(options.protocols ?? [SUBPROTOCOL_V1])], {
    ...(options.origin ? { origin: options.origin } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  });
}

/** Connect and resolve once the socket is open. */
export function connectRaw(url: string, options: RawOptions = {}): Promise<RawSocket> {
  const ws = open(url, options);
  const messages: unknown[][] = [];
  const waiters: { type: number; resolve: (m: unknown[]) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const message = decodeMessage(new Uint8Array(data));
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.type === message[0]) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: (type) => {
          const seen = messages.find((m) => m[0] === type);
          if (seen) return Promise.resolve(seen);
          return new Promise((res) => waiters.push({ type, resolve: res }));
        },
        send: (bytes) => ws.send(bytes, { binary: typeof bytes !== 'string' }),
      }),
    );
  });
}

/** Attempt an upgrade that should be refused; resolves with the HTTP status and body. */
export function refusal(url: string, options: RawOptions = {}): Promise<{ status: number; body: string }> {
  const ws = open(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}
