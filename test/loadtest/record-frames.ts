/**
 * Records the server frames one arena player receives during a short real match, for the k6 bundle
 * tests (fixtures/arena-frames.json). A second player joins and leaves meanwhile, so the recording
 * has every message kind a k6 VU meets on protocol v2: WELCOME, SNAPSHOT, ROOM_DELTAs with created,
 * changed and removed entities, PONGs, and MATCH_END.
 *
 * Re-record after a protocol change (the frames are committed, so the tests need no server):
 *
 *   node test/loadtest/record-frames.ts
 */
import { writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { seatUrl } from '../../loadtest/common/lobby-api.ts';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { MessageType, SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import { isStateMessage } from '../../shared/protocol/state-message.ts';
import { type DevSeat, startTestNode, stopAll } from '../support/game.ts';

/** The fixture file's layout. */
export interface RecordedFrames {
  readonly note: string;
  readonly subprotocol: string;
  /** Each frame as received, with the ms since the seat was requested. */
  readonly frames: readonly { readonly at: number; readonly base64: string }[];
}

export const FIXTURE = new URL('fixtures/arena-frames.json', import.meta.url);

const MATCH_SECONDS = 2;
const TICK_MS = 50;

/** Open a socket; `onMessage` is attached at once, since WELCOME can arrive with the upgrade. */
function open(seat: DevSeat, onMessage: (data: Buffer) => void = () => {}): Promise<WebSocket> {
  const ws = new WebSocket(seatUrl(seat), [SUBPROTOCOL]);
  ws.on('message', onMessage);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Play one short match as "ada" (with "bob" joining and leaving) and return what ada received. */
export async function recordArenaFrames(): Promise<RecordedFrames> {
  const node = await startTestNode();
  try {
    const room = { roomId: 'dev-fixture', options: { matchSeconds: MATCH_SECONDS, seed: 7 } };
    const frames: { at: number; base64: string }[] = [];
    let states = 0;
    let endMatch = () => {};
    const ended = new Promise<void>((resolve) => {
      endMatch = resolve;
    });
    const startedAt = performance.now();
    const ada = await open(await node.devSeat({ ...room, name: 'ada' }), (data) => {
      frames.push({ at: Math.round(performance.now() - startedAt), base64: data.toString('base64') });
      // Every message is a fixarray whose first element is a positive fixint: the type code.
      const type = data[1];
      if (isStateMessage(type)) states++;
      if (type === MessageType.MATCH_END) endMatch();
    });
    let seq = 0;
    let bob: WebSocket | undefined;
    const inputs = setInterval(() => {
      const angle = seq / 5;
      ada.send(encodeMessage([MessageType.INPUT, ++seq, { dx: Math.cos(angle), dy: Math.sin(angle) }]));
      if (seq % 10 === 1) ada.send(encodeMessage([MessageType.PING, seq]));
      if (seq === 5) {
        void node
          .devSeat({ ...room, name: 'bob' })
          .then(open)
          .then((ws) => {
            bob = ws;
          });
      }
      if (seq === 20 && bob) bob.send(encodeMessage([MessageType.LEAVE]));
    }, TICK_MS);
    await ended;
    clearInterval(inputs);
    ada.close(1000);
    bob?.close(1000);
    if (states < 10) throw new Error(`only ${states} state messages recorded`);
    return {
      note: `One arena player's frames over a ${MATCH_SECONDS} s match (test/loadtest/record-frames.ts).`,
      subprotocol: SUBPROTOCOL,
      frames,
    };
  } finally {
    await stopAll();
  }
}

if (import.meta.main) {
  const recorded = await recordArenaFrames();
  await writeFile(FIXTURE, `${JSON.stringify(recorded, null, 1)}\n`);
  console.log(`recorded ${recorded.frames.length} frames into ${FIXTURE.pathname}`);
}
