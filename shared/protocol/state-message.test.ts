import { describe, expect, it } from 'vitest';
import { decodeMessage } from './codec.ts';
import { MessageType } from './codes.ts';
import { ProtocolError, StateMirror } from './delta-apply.ts';
import { packDeltaBody, packSnapshotBody, roomDeltaFrame, snapshotFrame } from './delta-encode.ts';
import { applyStateMessage } from './state-message.ts';
import { compileShape } from './state-shape.ts';

const shape = compileShape({ dot: { x: { type: 'int' } } });

/** A mirror at tick 1 holding dot 1 at x = 5, with ack 3. */
function mirrorAtTickOne(): StateMirror {
  const mirror = new StateMirror(shape);
  const frame = snapshotFrame(1, 3, packSnapshotBody([1, 0, 5]));
  applyStateMessage(mirror, decodeMessage(frame), 0, 0);
  return mirror;
}

/** ROOM_DELTA from tick 1 to 2 moving dot 1 by +2, with this ack table. */
function roomDelta(acks: number[]): unknown[] {
  const body = packDeltaBody({ created: [], changed: [1, 1, 2], removed: [] });
  return decodeMessage(roomDeltaFrame(2, 1, acks, acks.length, body));
}

describe('applyStateMessage', () => {
  it('reads a ROOM_DELTA ack from the slot WELCOME gave, as a step from the previous ack', () => {
    const mirror = mirrorAtTickOne();
    const applied = applyStateMessage(mirror, roomDelta([9, 2, 0]), 3, 1);
    expect(applied).toMatchObject({ tick: 2, ackSeq: 5, full: false });
    expect(mirror.entities.get(1)?.x).toBe(7);
  });

  it('writes the ack table as a msgpack array of uints in both array forms', () => {
    expect(roomDelta([0, 1, 200, 70_000]).slice(0, 4)).toEqual([
      MessageType.ROOM_DELTA,
      2,
      1,
      [0, 1, 200, 70_000],
    ]);
    const many = Array.from({ length: 20 }, (_, i) => i * 1000);
    expect(roomDelta(many)[3]).toEqual(many);
  });

  it('refuses a ROOM_DELTA without a slot or without an entry for it, leaving the mirror as it was', () => {
    for (const [acks, slot] of [
      [[1, 1], undefined],
      [[1, 1], 2],
    ] as const) {
      const mirror = mirrorAtTickOne();
      expect(() => applyStateMessage(mirror, roomDelta([...acks]), 3, slot)).toThrow(ProtocolError);
      expect(mirror.tick).toBe(1);
      expect(mirror.entities.get(1)?.x).toBe(5);
    }
    const mirror = mirrorAtTickOne();
    const message = roomDelta([1]);
    message[3] = [-1];
    expect(() => applyStateMessage(mirror, message, 3, 0)).toThrow(/no ack for slot 0/);
  });
});
