/**
 * The C generator (bench/lean/generator.c) against a scripted WebSocket server, for the framing a
 * real node rarely shows in a short test: state frames with 16- and 64-bit lengths, a ping to
 * answer, and a close with one of Tickforge's own codes (4000-4999), which a benchmark must report
 * as a disconnect (SLOW_CONSUMER under load, say). And NativeFleet, which drives it, when it dies.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNativeGenerator } from '../../bench/lean/native.ts';
import { NativeFleet } from '../../bench/lean/native-fleet.ts';
import { inputFrame } from '../../bench/lean/raw-client.ts';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL } from '../../shared/protocol/codes.ts';

/** A server frame (unmasked) with the shortest length encoding RFC 6455 allows. */
function serverFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([0x80 | opcode, n])
      : n < 0x10000
        ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigEndian64(n)]);
  return Buffer.concat([head, payload]);
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Client frames as they arrive: masked, so a 2-byte header, the 4-byte key, then the payload. */
function clientFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let pos = 0;
  while (bytes.length - pos >= 6) {
    const len = bytes[pos + 1]! & 0x7f; // the generator's frames are all under 126 bytes
    if (bytes.length - pos < 6 + len) break;
    const key = bytes.subarray(pos + 2, pos + 6);
    const payload = Buffer.from(bytes.subarray(pos + 6, pos + 6 + len).map((b, i) => b ^ key[i % 4]!));
    frames.push({ opcode: bytes[pos]! & 0x0f, payload });
    pos += 6 + len;
  }
  return frames;
}

const native = buildNativeGenerator();
let server: Server | undefined;
let fleet: NativeFleet | undefined;

afterEach(async () => {
  fleet?.close();
  fleet = undefined;
  if (server) {
    server.close();
    server = undefined;
  }
});

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** What the scripted server does with each batch of whole client frames, once the upgrade is done. */
type Script = (socket: Socket, frames: { opcode: number; payload: Buffer }[]) => void;

/** A server that upgrades, sends WELCOME (slot 0, lastSeq 0), then runs `script`; its port. */
async function scriptedServer(script: Script): Promise<number> {
  server = createServer((socket: Socket) => {
    let received = Buffer.alloc(0);
    let upgraded = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        received = received.subarray(end + 4);
        const welcome = encodeMessage([MessageType.WELCOME, 'p', 'r', 'token', 20, 1, [], 'arena', 0, 0]);
        socket.write(
          Buffer.concat([
            Buffer.from(
              'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
            ),
            serverFrame(0x2, welcome),
          ]),
        );
      }
      const frames = clientFrames(received);
      received = received.subarray(frames.reduce((sum, f) => sum + 6 + f.payload.length, 0));
      script(socket, frames);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** One player of the C generator on `port`, inputs only when sent; resolves once it has joined. */
async function onePlayer(port: number): Promise<NativeFleet> {
  fleet = new NativeFleet(
    (native as { path: string }).path,
    SUBPROTOCOL,
    [inputFrame({ dx: 1, dy: 0 }, encodeMessage)],
    'state',
    0, // no input clock
    1,
  );
  await fleet.join(port, '/ws?seat=x');
  return fleet;
}

describe.skipIf(!('path' in native))('the C generator on the wire', () => {
  it('reads 16- and 64-bit frame lengths, answers a ping, and counts a 4xxx close as a disconnect', async () => {
    const pongs: Buffer[] = [];
    let inputs = 0;
    const port = await scriptedServer((socket, frames) => {
      for (const f of frames) {
        if (f.opcode === 0x2) inputs++;
        if (f.opcode === 0xa) pongs.push(f.payload);
      }
      if (frames.some((f) => f.opcode === 0x2) && inputs === 3) {
        // A SNAPSHOT over 64 KiB (64-bit length) acking all 3, then a DELTA with a 16-bit length.
        const snapshot = encodeMessage([MessageType.SNAPSHOT, 2, 3, ['x'.repeat(70_000)]]);
        const delta = encodeMessage([MessageType.DELTA, 3, 1, 3, ['y'.repeat(300)], [], []]);
        const bytes = Buffer.concat([serverFrame(0x2, snapshot), serverFrame(0x2, delta)]);
        socket.write(bytes.subarray(0, 5)); // the length split across writes (and maybe reads)
        socket.write(bytes.subarray(5));
        socket.write(serverFrame(0x9, Buffer.from('are you there')));
      }
      if (frames.some((f) => f.opcode === 0xa)) {
        const close = Buffer.alloc(2);
        close.writeUInt16BE(CloseCode.SLOW_CONSUMER);
        socket.write(serverFrame(0x8, close));
      }
    });
    const player = await onePlayer(port);
    const start = await player.mark();
    for (let i = 0; i < 3; i++) player.send(0);
    await until(async () => (await player.mark()).open === 0);
    const end = await player.mark();

    expect(pongs.map((p) => p.toString())).toEqual(['are you there']);
    expect(end.states - start.states).toBe(2);
    expect(end.inputs - start.inputs).toBe(3);
    expect(end.disconnects).toEqual({ [CloseCode.SLOW_CONSUMER]: 1 });
    expect(await player.ackSeqs()).toEqual([3]);
  });

  const state = encodeMessage([MessageType.SNAPSHOT, 2, 1, []]);
  it.each([
    ['a ping over 125 bytes', serverFrame(0x9, Buffer.alloc(70_000, 1))],
    // A fragment of a state message, not FIN: read whole, its ack would count.
    ['a fragment', Buffer.concat([Buffer.from([0x02, state.length]), state])],
  ])('drops a player sent %s (1002), and keeps running', async (_, bytes) => {
    const port = await scriptedServer((socket, frames) => {
      if (frames.some((f) => f.opcode === 0x2)) socket.write(bytes);
    });
    const player = await onePlayer(port);
    const start = await player.mark();
    player.send(0);
    await until(async () => (await player.mark()).open === 0);
    const end = await player.mark();
    expect(end.disconnects).toEqual({ 1002: 1 });
    expect(end.states - start.states).toBe(0);
  });
});

describe('NativeFleet', () => {
  it('rejects what is still waiting for an answer when the generator dies', async () => {
    // A "generator" that exits at once, whatever it is asked.
    const dead = new NativeFleet('/bin/true', SUBPROTOCOL, [], 'state', 0, 1);
    await expect(dead.mark()).rejects.toThrow(/lean-generator exited \(0\)/);
    await expect(dead.ackSeqs()).rejects.toThrow(/exited/);
    dead.close(); // no EPIPE thrown at the test
  });
});
