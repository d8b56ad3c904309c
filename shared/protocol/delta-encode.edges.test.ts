/**
 * delta-encode's edges (found by mutation testing, docs/MUTATION.md): frames bigger than the reusable
 * buffer's first 2,048 bytes, a client baseline out of step with its view set, and the errors for
 * header values no wire format can carry, each naming the field.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './codec.ts';
import { MessageType } from './codes.ts';
import {
  deltaFrame,
  diffSnapshots,
  FrameBuffer,
  packDeltaBody,
  packSnapshotBody,
  roomDeltaFrame,
  snapshotFrame,
} from './delta-encode.ts';
import { takeSnapshot } from './snapshot.ts';
import { ORB, PLAYER, testShape as shape } from './testing/fixtures.ts';

const player = (id: number, x: number, name = 'p') => ({
  id,
  type: 'player',
  x,
  hp: 10,
  alive: true,
  name,
  speed: 1.5,
});
const orb = (id: number, v = 1) => ({ id, type: 'orb', v });

describe('FrameBuffer', () => {
  it('grows past its first 2,048 bytes, even for a frame more than twice that', () => {
    const buffer = new FrameBuffer();
    for (const length of [100, 2048, 2049, 9000, 9001, 20_000, 50]) {
      const bytes = buffer.take(length);
      expect(bytes.byteLength).toBe(length);
      bytes.fill(7);
      expect(bytes.every((b) => b === 7)).toBe(true);
    }
  });

  it('frames larger than the buffer come out the same as frames in fresh memory', () => {
    const many = Array.from({ length: 400 }, (_, i) => player(i + 1, i, `name-${i}`));
    const base = takeSnapshot(shape, 1, many, null);
    const body = packSnapshotBody(
      diffSnapshots(takeSnapshot(shape, 0, [], null), base).created as Parameters<typeof packSnapshotBody>[0],
    );
    expect(body.byteLength).toBeGreaterThan(4 * 2048);
    const buffer = new FrameBuffer();
    const small = snapshotFrame(1, 0, packSnapshotBody([]), buffer);
    expect(small.byteLength).toBeLessThan(16);
    const fresh = snapshotFrame(70_000, 5, body);
    const reused = snapshotFrame(70_000, 5, body, buffer);
    expect([...reused]).toEqual([...fresh]);
    const delta = deltaFrame(
      70_000,
      3,
      300,
      packDeltaBody({ created: [], changed: [], removed: [] }),
      buffer,
    );
    expect(decodeMessage(delta)).toEqual([MessageType.DELTA, 70_000, 3, 300, [], [], []]);
    const acks = Array.from({ length: 3000 }, (_, i) => i * 1000);
    const room = roomDeltaFrame(
      9,
      1,
      acks,
      acks.length,
      packDeltaBody({ created: [], changed: [], removed: [1] }),
      buffer,
    );
    expect(decodeMessage(room)).toEqual([MessageType.ROOM_DELTA, 9, 1, acks, [], [], [1]]);
  });
});

describe('diffSnapshots with a view scope, out of step with the baseline', () => {
  const all = () => true;

  it('sends whole an entity the client holds but the baseline lacks', () => {
    const base = takeSnapshot(shape, 0, [], null);
    const current = takeSnapshot(shape, 1, [orb(3, 9)], base);
    const body = diffSnapshots(base, current, { before: new Set([3]), isVisible: all, after: new Set() });
    expect(body).toEqual({ created: [3, ORB, 9], changed: [], removed: [3] });
  });

  it('replaces an entity whose id came back as another type', () => {
    const base = takeSnapshot(shape, 0, [orb(3, 9)], null);
    const current = takeSnapshot(shape, 1, [player(3, 1)], base);
    const after = new Set<number>();
    const body = diffSnapshots(base, current, { before: new Set([3]), isVisible: all, after });
    expect(body).toEqual({ created: [3, PLAYER, 100, 10, true, 'p', 1.5], changed: [], removed: [3] });
    expect([...after]).toEqual([3]);
  });

  it('refuses the same set as before and after, saying so', () => {
    const base = takeSnapshot(shape, 0, [], null);
    const same = new Set<number>();
    expect(() => diffSnapshots(base, base, { before: same, isVisible: all, after: same })).toThrow(
      new TypeError('scope.after must not be scope.before'),
    );
  });
});

describe('frame headers refuse what the wire cannot carry, naming the field', () => {
  const body = packDeltaBody({ created: [], changed: [], removed: [] });
  it.each([
    ['tick', () => deltaFrame(-1, 0, 0, body)],
    ['span', () => deltaFrame(0, 1.5, 0, body)],
    ['ackSeq', () => deltaFrame(0, 0, Number.NaN, body)],
    ['tick', () => snapshotFrame(2 ** 53, 0, body)],
    ['ackSeq', () => snapshotFrame(0, -2, body)],
    ['tick', () => roomDeltaFrame(0.5, 0, [], 0, body)],
    ['span', () => roomDeltaFrame(0, -1, [], 0, body)],
    ['ack', () => roomDeltaFrame(0, 0, [1, -1], 2, body)],
  ])('%s', (name, make) => {
    expect(make).toThrow(new RegExp(`^${name} must be a non-negative safe integer: `));
  });

  it('takes 0 to min(acks, 65535) slots, and nothing else', () => {
    const acks = new Uint32Array(0x10001);
    expect(decodeMessage(roomDeltaFrame(1, 1, [4, 5], 0, body))[3]).toEqual([]);
    expect(decodeMessage(roomDeltaFrame(1, 1, [4, 5], 2, body))[3]).toEqual([4, 5]);
    expect((decodeMessage(roomDeltaFrame(1, 1, acks, 0xffff, body))[3] as number[]).length).toBe(0xffff);
    for (const [slots, list] of [
      [1.5, [1, 2]],
      [-1, [1, 2]],
      [3, [1, 2]],
    ] as const)
      expect(() => roomDeltaFrame(1, 1, list, slots, body)).toThrow(
        new RangeError(`slots must be an integer from 0 to 2: ${slots}`),
      );
    expect(() => roomDeltaFrame(1, 1, acks, 0x10000, body)).toThrow(
      new RangeError('slots must be an integer from 0 to 65535: 65536'),
    );
  });
});
