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
/** Send times kept per client: an ack more than this many inputs late is not timed. */
const PENDING = 64;

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
    this.#socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.#socket.on('connect', () => {
      this.#socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
    this.#socket.on('data', (chunk: Buffer) => this.#data(chunk));
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
    const frame = this.#frames[this.#direction]!;
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

  #data(chunk: Buffer): void {
    let data = this.#buffer ? Buffer.concat([this.#buffer, chunk]) : chunk;
    this.#buffer = undefined;
    if (!this.#handshaken) {
      const end = data.indexOf(HANDSHAKE_END);
      if (end < 0) {
        this.#buffer = data;
        return;
      }
      if (!data.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
        this.#reject(new Error(`upgrade refused: ${data.subarray(0, data.indexOf('\r\n')).toString()}`));
        this.#socket.destroy();
        return;
      }
      this.#handshaken = true;
      data = data.subarray(end + 4);
      if (this.#ackMode === 'next-message') {
        // The floor sends no WELCOME: the connection is ready once upgraded.
        this.#open = true;
        this.#resolve();
      }
    }
    let pos = 0;
    while (data.length - pos >= 2) {
      const opcode = data[pos]! & 0x0f;
      let length = data[pos + 1]! & 0x7f;
      let head = 2;
      if (length === 126) {
        if (data.length - pos < 4) break;
        length = data.readUInt16BE(pos + 2);
        head = 4;
      } else if (length === 127) {
        if (data.length - pos < 10) break;
        length = Number(data.readBigUInt64BE(pos + 2));
        head = 10;
      }
      if (data.length - pos < head + length) break;
      this.#frame(opcode, data.subarray(pos + head, pos + head + length));
      pos += head + length;
    }
    if (pos < data.length) this.#buffer = Buffer.from(data.subarray(pos));
  }

  #frame(opcode: number, payload: Buffer): void {
    if (opcode === 0x9) {
      // Ping: answer with a pong carrying the same data (masked with a zero key).
      const pong = Buffer.alloc(6 + payload.length);
      pong[0] = 0x8a;
      pong[1] = 0x80 | payload.length;
      pong.set(payload, 6);
      this.#socket.write(pong);
      return;
    }
    if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (this.#open) this.#totals.closed(code);
      this.#open = false;
      this.#socket.end();
      return;
    }
    if (opcode !== 0x2) return;
    const totals = this.#totals;
    totals.messages++;
    totals.bytes += payload.length;
    if (!this.#open) {
      this.#welcome(payload);
      return;
    }
    const now = performance.now();
    if (this.#ackMode === 'next-message') {
      totals.states++;
      this.#acked(this.#seq, now);
      return;
    }
    const ack = this.#stateAck(payload);
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

  /** The ack a state message carries, or -1 for a message that is not state. */
  #stateAck(p: Buffer): number {
    const type = p[1];
    if (type !== MessageType.SNAPSHOT && type !== MessageType.DELTA && type !== MessageType.ROOM_DELTA)
      return -1;
    let pos = skipUint(p, 2); // tick
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
