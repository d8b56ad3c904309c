/**
 * One lean load-test client: a WebSocket over a plain `net` socket, written for a generator that
 * must drive thousands of players from one core. It sends pre-encoded INPUT frames (seq patched in
 * place, a zero mask key, which RFC 6455 allows) and reads only the header of each state message:
 * type, tick and ack (a ROOM_DELTA's ack from its table, at the slot WELCOME gave). Bodies are not
 * decoded and no mirror is kept: the SDK bots (loadtest/bots) check state correctness; this checks
 * delivery (states per second, bytes) and input->ack latency, honestly timed from each input's send.
 */
import { connect, type Socket } from 'node:net';
import { decodeMessage } from '../../shared/protocol/codec.ts';
import { MessageType } from '../../shared/protocol/codes.ts';

/** Counters shared by every client of a generator (one object: no per-client summing). */
export interface LeanTotals {
  states: number;
  messages: number;
  bytes: number;
  inputs: number;
  /** Record one input->ack latency in ms. */
  ack(ms: number): void;
  closed(code: number): void;
}

const HANDSHAKE_END = Buffer.from('\r\n\r\n');
/** Shared by every client's socket reads (see the constructor). */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
/** Send times kept per client: an ack more than this many inputs late is not timed. */
const PENDING = 256;

/** `[INPUT, seq as uint32, input]` framed as a masked binary WebSocket frame with a zero key. */
export function inputFrame(input: unknown, encode: (message: unknown[]) => Uint8Array): Buffer {
  const payload = encode([MessageType.INPUT, 0x10000000, input]);
  if (payload.length >= 126) throw new RangeError('input frames over 125 bytes are not supported');
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x82; // FIN, binary
  frame[1] = 0x80 | payload.length; // masked
  // bytes 2..5: the mask key, zero
  frame.set(payload, 6);
  return frame;
}
/** Offset of the uint32 seq in an inputFrame: header 6, then 0x93, INPUT, 0xce. */
const SEQ_AT = 9;

/** How latency is read from what the server sends. */
export type AckMode =
  /** The ack in each state message (Tickforge). */
  | 'state'
  /** Any message after an input counts as its answer (the floor, which sends no acks). */
  | 'next-message';

/** One connection. */
export class LeanClient {
  readonly #socket: Socket;
  readonly #totals: LeanTotals;
  readonly #ackMode: AckMode;
  readonly #frames: Buffer[];
  readonly #random: () => number;
  readonly #sentAt = new Float64Array(PENDING);
  #buffer: Buffer | undefined;
  #open = false;
  #handshaken = false;
  #seq = 0;
  #ack = 0;
  #timed = 0;
  #slot = -1;
  #direction = 0;
  #turnAt = 0;
  /** Resolves on WELCOME, rejects if the socket ends first. */
  readonly ready: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;

  constructor(
    port: number,
    path: string,
    protocol: string,
    frames: Buffer[],
    totals: LeanTotals,
    ackMode: AckMode,
    random: () => number = Math.random,
  ) {
    this.#random = random;
    this.#totals = totals;
    this.#ackMode = ackMode;
    this.#frames = frames;
    this.ready = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // One buffer for every client's reads (onread): no Buffer per read and no stream 'data' path.
    // Safe because a read is parsed before the next one lands; a partial frame is copied out.
    this.#socket = connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length: number) => {
          this.#data(READ_BUFFER, length);
          return true;
        },
      },
    });
    this.#socket.on('connect', () => {
      this.#socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
    this.#socket.on('error', (error) => this.#reject(error));
    this.#socket.on('close', () => {
      if (this.#open) this.#totals.closed(1006);
      this.#open = false;
      this.#reject(new Error('closed before WELCOME'));
    });
  }

  get open(): boolean {
    return this.#open;
  }

  /** The highest input seq the server has acknowledged to this client. */
  get ackSeq(): number {
    return this.#ack;
  }

  /** This client's index in ROOM_DELTA ack tables (WELCOME's slot), -1 before WELCOME. */
  get slot(): number {
    return this.#slot;
  }

  /** Send the next input; `now` in ms picks the direction (a new one every ~second, like Wander). */
  sendInput(now: number): void {
    if (!this.#open) return;
    if (now >= this.#turnAt) {
      this.#turnAt = now + 800 + this.#random() * 400;
      this.#direction = Math.floor(this.#random() * this.#frames.length);
    }
    const template = this.#frames[this.#direction]!;
    // socket.write keeps a reference to a chunk it cannot write at once (writableLength counts it
    // until libuv is done with it): patching the shared frame then would change a queued input's
    // seq, so the server would see a repeat and refuse it as stale. Patch a copy in that case.
    const frame = this.#socket.writableLength > 0 ? Buffer.from(template) : template;
    const seq = ++this.#seq;
    frame.writeUInt32BE(seq, SEQ_AT);
    this.#sentAt[seq % PENDING] = now;
    this.#socket.write(frame);
    this.#totals.inputs++;
  }

  close(): void {
    this.#open = false;
    this.#socket.destroy();
  }

  #data(chunk: Buffer, length: number): void {
    let data = chunk;
    let end = length;
    if (this.#buffer) {
      data = Buffer.concat([this.#buffer, chunk.subarray(0, length)]);
      end = data.length;
      this.#buffer = undefined;
    }
    let pos = 0;
    if (!this.#handshaken) {
      const at = data.subarray(0, end).indexOf(HANDSHAKE_END);
      if (at < 0) {
        this.#buffer = Buffer.from(data.subarray(0, end));
        return;
      }
      if (!data.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
        this.#reject(new Error(`upgrade refused: ${data.subarray(0, data.indexOf('\r\n')).toString()}`));
        this.#socket.destroy();
        return;
      }
      this.#handshaken = true;
      pos = at + 4;
      if (this.#ackMode === 'next-message') {
        // The floor sends no WELCOME: the connection is ready once upgraded.
        this.#open = true;
        this.#resolve();
      }
    }
    // One clock reading per read: every state in it arrived at the same moment.
    const now = performance.now();
    while (end - pos >= 2) {
      const opcode = data[pos]! & 0x0f;
      let length = data[pos + 1]! & 0x7f;
      let head = 2;
      if (length === 126) {
        if (end - pos < 4) break;
        length = data.readUInt16BE(pos + 2);
        head = 4;
      } else if (length === 127) {
        if (end - pos < 10) break;
        length = Number(data.readBigUInt64BE(pos + 2));
        head = 10;
      }
      if (end - pos < head + length) break;
      this.#frame(opcode, data, pos + head, pos + head + length, now);
      pos += head + length;
    }
    if (pos < end) this.#buffer = Buffer.from(data.subarray(pos, end));
  }

  /** One frame, its payload at data[from, to): read in place, never copied. */
  #frame(opcode: number, data: Buffer, from: number, to: number, now: number): void {
    if (opcode === 0x9) {
      // Ping: answer with a pong carrying the same data (masked with a zero key).
      const pong = Buffer.alloc(6 + to - from);
      pong[0] = 0x8a;
      pong[1] = 0x80 | (to - from);
      data.copy(pong, 6, from, to);
      this.#socket.write(pong);
      return;
    }
    if (opcode === 0x8) {
      const code = to - from >= 2 ? data.readUInt16BE(from) : 1005;
      if (this.#open) this.#totals.closed(code);
      this.#open = false;
      this.#socket.end();
      return;
    }
    if (opcode !== 0x2) return;
    const totals = this.#totals;
    totals.messages++;
    totals.bytes += to - from;
    if (!this.#open) {
      this.#welcome(data.subarray(from, to));
      return;
    }
    if (this.#ackMode === 'next-message') {
      totals.states++;
      this.#acked(this.#seq, now);
      return;
    }
    const ack = this.#stateAck(data, from);
    if (ack < 0) return;
    totals.states++;
    this.#acked(ack, now);
  }

  /** The first message from a Tickforge node: WELCOME. */
  #welcome(payload: Buffer): void {
    this.#open = true;
    const welcome = decodeMessage(payload);
    if (welcome[0] !== MessageType.WELCOME) {
      this.#reject(new Error(`expected WELCOME, got ${String(welcome[0])}`));
      this.#socket.destroy();
      return;
    }
    this.#slot = typeof welcome[9] === 'number' ? welcome[9] : -1;
    this.#seq = this.#ack = this.#timed = typeof welcome[8] === 'number' ? welcome[8] : 0;
    this.#resolve();
  }

  /** The ack of the state message at p[from], or -1 for a message that is not state. */
  #stateAck(p: Buffer, from: number): number {
    const type = p[from + 1];
    if (type !== MessageType.SNAPSHOT && type !== MessageType.DELTA && type !== MessageType.ROOM_DELTA)
      return -1;
    let pos = skipUint(p, from + 2); // tick
    if (type === MessageType.SNAPSHOT) return readUint(p, pos);
    pos = skipUint(p, pos); // span
    if (type === MessageType.DELTA) return readUint(p, pos);
    // ROOM_DELTA: the ack table, then this client's step at its slot.
    const marker = p[pos]!;
    let count: number;
    if ((marker & 0xf0) === 0x90) {
      count = marker & 0x0f;
      pos++;
    } else {
      count = p.readUInt16BE(pos + 1);
      pos += 3;
    }
    if (this.#slot < 0 || this.#slot >= count) return -1;
    for (let i = 0; i < this.#slot; i++) pos = skipUint(p, pos);
    this.#ack += readUint(p, pos);
    return this.#ack;
  }

  /** Time every input up to `ack` that was not timed yet. */
  #acked(ack: number, now: number): void {
    this.#ack = ack;
    const from = Math.max(this.#timed + 1, ack - PENDING + 1);
    for (let seq = from; seq <= ack; seq++) this.#totals.ack(now - this.#sentAt[seq % PENDING]!);
    if (ack > this.#timed) this.#timed = ack;
  }
}

function skipUint(p: Buffer, pos: number): number {
  const b = p[pos]!;
  return b < 0x80 ? pos + 1 : b === 0xcc ? pos + 2 : b === 0xcd ? pos + 3 : b === 0xce ? pos + 5 : pos + 9;
}

function readUint(p: Buffer, pos: number): number {
  const b = p[pos]!;
  if (b < 0x80) return b;
  if (b === 0xcc) return p[pos + 1]!;
  if (b === 0xcd) return p.readUInt16BE(pos + 1);
  if (b === 0xce) return p.readUInt32BE(pos + 1);
  return Number(p.readBigUInt64BE(pos + 1));
}
