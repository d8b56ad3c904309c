/**
 * Recorded server frames through the SDK's GameClient (on a socket that replays them), for
 * comparing the k6 bundle's decoder with the SDK's.
 */
import { readFileSync } from 'node:fs';
import { GameClient, type WebSocketConstructor } from '../../../shared/client/game-client.ts';
import { nextTask } from '../../../shared/client/testing/fake-socket.ts';
import type { RecordedFrames } from '../record-frames.ts';

/** The committed recording (test/loadtest/record-frames.ts writes it). */
export function loadFixture(): RecordedFrames {
  const text = readFileSync(new URL('../fixtures/arena-frames.json', import.meta.url), 'utf8');
  return JSON.parse(text) as RecordedFrames;
}

export const frameBytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** A socket that is open at once, delivers what it is told to, and keeps what the client sends. */
class ReplaySocket extends EventTarget {
  static last: ReplaySocket | undefined;
  binaryType = 'blob';
  readyState = 1;
  readonly sent: Uint8Array[] = [];

  constructor() {
    super();
    ReplaySocket.last = this;
  }

  send(data: Uint8Array): void {
    this.sent.push(data.slice());
  }

  close(): void {}

  deliver(bytes: Uint8Array): void {
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
}

/** What the SDK made of the frames, and how it encodes one input, one ping and a leave. */
export async function sdkReplay(frames: readonly { base64: string }[]) {
  const connecting = GameClient.connect({
    url: 'ws://replay.test/ws',
    seat: 'seat',
    WebSocket: ReplaySocket as unknown as WebSocketConstructor,
    pingIntervalMs: 0,
    now: () => 123.5,
  });
  const socket = ReplaySocket.last!;
  const [welcome, ...rest] = frames;
  socket.deliver(frameBytes(welcome!.base64));
  const client = await connecting;
  let states = 0;
  client.on('state', () => states++);
  for (const frame of rest) socket.deliver(frameBytes(frame.base64));
  // The client applies what came right after WELCOME in the task after connect() resolved.
  await nextTask();
  const base64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('base64');
  client.sendInput({ dx: 0.5, dy: -1 });
  client.ping();
  void client.leave();
  return {
    entities: JSON.parse(JSON.stringify([...client.state.entities.values()])) as unknown[],
    tick: client.tick,
    ackSeq: client.ackSeq,
    states,
    binaryType: socket.binaryType,
    encoded: { input: base64(socket.sent[0]), ping: base64(socket.sent[1]), leave: base64(socket.sent[2]) },
  };
}
