/**
 * A WebSocket client made of a bare TCP socket and hand-built frames, for probes no WebSocket
 * library will send: unmasked frames, reserved bits and opcodes, forbidden close codes, invalid
 * UTF-8, oversized request headers. It records what a client would see: the HTTP answer, the
 * frames the server sent, and how the connection ended.
 */
import { connect, type Socket } from 'node:net';
import { SUBPROTOCOL } from '../../shared/protocol/codes.ts';

/** Frame opcodes (RFC 6455 section 5.2); 0x3-0x7 and 0xB-0xF are reserved. */
export const Opcode = { TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface FrameOptions {
  readonly opcode: number;
  readonly payload?: Uint8Array;
  /** Clients must mask every frame; false sends it unmasked. Default true. */
  readonly masked?: boolean;
  /** Sets RSV1, which means "compressed" and is only legal after negotiating an extension. */
  readonly rsv1?: boolean;
  readonly fin?: boolean;
}

/** One client-to-server frame, as bytes. */
export function frame(options: FrameOptions): Uint8Array {
  const payload = options.payload ?? new Uint8Array(0);
  const masked = options.masked ?? true;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const header = new Uint8Array(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | (options.opcode & 0x0f);
  header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  const view = new DataView(header.buffer);
  if (lengthBytes === 2) view.setUint16(2, length);
  else if (lengthBytes === 8) view.setBigUint64(2, BigInt(length));
  const body = new Uint8Array(payload);
  if (masked) {
    const key = [0x37, 0xfa, 0x21, 0x3d];
    header.set(key, 2 + lengthBytes);
    for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  }
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return bytes;
}

/** A close frame's payload: the code (any number, even a forbidden one) and a UTF-8 reason. */
export function closePayload(code: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.length);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(text, 2);
  return payload;
}

/** A frame the server sent. */
export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
}

/** How the connection ended, as a WebSocket client would report it. */
export interface ProbeEnd {
  /** The close frame's code; 1005 for a close frame without one; 1006 without a close frame. */
  readonly code: number;
  readonly reason: string;
}

/** An HTTP answer read off the socket: status line, lower-case headers, body as sent. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface UpgradeOptions {
  /** Extra request headers, e.g. a huge one for 431. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly protocol?: string;
}

/** A raw connection after a successful upgrade. */
export class ProbeConnection {
  readonly frames: ServerFrame[] = [];
  /** Resolves once the TCP connection is gone, with what a client would report. */
  readonly ended: Promise<ProbeEnd>;
  readonly #socket: Socket;
  readonly #waiters: { match: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }[] = [];
  #buffer = Buffer.alloc(0);
  #closeSent = false;

  constructor(socket: Socket, rest: Buffer) {
    this.#socket = socket;
    this.ended = new Promise((resolve) => {
      socket.once('close', () => resolve(this.#endOf()));
    });
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => {}); // a reset is an ending like any other; `ended` reports it
    if (rest.length > 0) this.#read(rest);
  }

  /** Write raw bytes, e.g. from frame(). */
  write(bytes: Uint8Array): void {
    if (((bytes[0] ?? 0) & 0x0f) === Opcode.CLOSE) this.#closeSent = true;
    this.#socket.write(bytes);
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** Frames received so far that match. */
  count(match: (frame: ServerFrame) => boolean): number {
    return this.frames.filter(match).length;
  }

  get open(): boolean {
    return !this.#socket.destroyed;
  }

  /** Drop the TCP connection (no close frame). */
  destroy(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const parsed = parseFrame(this.#buffer);
      if (!parsed) return;
      this.#buffer = this.#buffer.subarray(parsed.size);
      this.frames.push(parsed.frame);
      if (parsed.frame.opcode === Opcode.CLOSE) this.#answerClose(parsed.frame);
      for (let i = this.#waiters.length - 1; i >= 0; i--) {
        const waiter = this.#waiters[i]!;
        if (waiter.match(parsed.frame)) {
          this.#waiters.splice(i, 1);
          waiter.resolve(parsed.frame);
        }
      }
    }
  }

  /** As a well-behaved client does: echo the server's close frame, then end our side. */
  #answerClose(close: ServerFrame): void {
    if (!this.#closeSent) this.write(frame({ opcode: Opcode.CLOSE, payload: close.payload.subarray(0, 2) }));
    this.#socket.end();
  }

  #endOf(): ProbeEnd {
    const close = this.frames.find((f) => f.opcode === Opcode.CLOSE);
    if (!close) return { code: 1006, reason: '' };
    if (close.payload.length < 2) return { code: 1005, reason: '' };
    const code = new DataView(close.payload.buffer, close.payload.byteOffset).getUint16(0);
    return { code, reason: new TextDecoder().decode(close.payload.subarray(2)) };
  }
}

/** Server frames are never masked; returns undefined until a whole frame is buffered. */
function parseFrame(buffer: Buffer): { frame: ServerFrame; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return undefined;
  const payload = new Uint8Array(buffer.subarray(offset, offset + length));
  return { frame: { opcode: buffer[0]! & 0x0f, payload }, size: offset + length };
}

/** Splits a raw HTTP head into status and headers; undefined until the head is complete. */
function parseHead(
  buffer: Buffer,
): { status: number; headers: Record<string, string>; size: number } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, size: end + 4 };
}

function requestHead(url: URL, options: UpgradeOptions): string {
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Protocol: ${options.protocol ?? SUBPROTOCOL}`,
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Send a WebSocket upgrade for `url` (ws://host:port/path?query) over a bare TCP socket. Resolves
 * with the open connection on 101, or with the HTTP answer (read until the server closes or the
 * declared body is complete) on anything else.
 */
export function upgradeRaw(
  url: string,
  options: UpgradeOptions = {},
): Promise<{ connection: ProbeConnection } | { refused: HttpAnswer }> {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let head: ReturnType<typeof parseHead>;
    const refused = () => {
      if (!head) return reject(new Error('the connection closed before an HTTP answer'));
      resolve({
        refused: {
          status: head.status,
          headers: head.headers,
          body: buffer.subarray(head.size).toString('utf8'),
        },
      });
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      head ??= parseHead(buffer);
      if (!head) return;
      if (head.status === 101) {
        socket.off('data', onData).off('close', refused).off('error', refused);
        resolve({ connection: new ProbeConnection(socket, buffer.subarray(head.size)) });
        return;
      }
      const declared = head.headers['content-length'];
      if (declared !== undefined && buffer.length - head.size >= Number(declared)) {
        socket.destroy(); // complete; close() below resolves
      }
    };
    socket.on('data', onData);
    socket.once('close', refused);
    socket.once('error', refused); // a reset after the answer still leaves the answer readable
    socket.write(requestHead(target, options));
  });
}

/** upgradeRaw, expecting a 101. */
export async function openRaw(url: string, options: UpgradeOptions = {}): Promise<ProbeConnection> {
  const result = await upgradeRaw(url, options);
  if ('refused' in result) {
    throw new Error(`upgrade refused: ${result.refused.status} ${result.refused.body}`);
  }
  return result.connection;
}

/**
 * Write `request` as is on a fresh TCP connection and read until the server closes it (or has sent
 * the body it declared). Undefined when the server closed without answering.
 */
export function rawHttp(port: number, request: string): Promise<HttpAnswer | undefined> {
  const socket = connect(port, '127.0.0.1');
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const done = () => {
      const head = parseHead(buffer);
      resolve(
        head && { status: head.status, headers: head.headers, body: buffer.subarray(head.size).toString() },
      );
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const head = parseHead(buffer);
      const declared = head?.headers['content-length'];
      if (head && declared !== undefined && buffer.length - head.size >= Number(declared)) socket.destroy();
    });
    socket.once('close', done);
    socket.on('error', () => {}); // a reset still ends in 'close'
    socket.write(request);
  });
}
