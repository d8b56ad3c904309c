import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../shared/protocol/snapshot.ts';
import { takeSnapshot } from '../../../shared/protocol/snapshot.ts';
import { compileShape } from '../../../shared/protocol/state-shape.ts';
import { SnapshotHistory } from './snapshot-history.ts';
import { type ClientBaseline, StateSync } from './state-sync.ts';

const shape = compileShape({ dot: { x: { type: 'int' } } });
const client = (baselineTick: number): ClientBaseline => ({ baselineTick, visible: undefined });

function world(ticks: number): Snapshot[] {
  const snapshots: Snapshot[] = [];
  let previous: Snapshot | null = null;
  for (let tick = 1; tick <= ticks; tick++) {
    previous = takeSnapshot(shape, tick, [{ id: 1, type: 'dot', x: tick }], previous);
    snapshots.push(previous);
  }
  return snapshots;
}

describe('StateSync', () => {
  it('encodes one body per baseline and shares it between the clients on that baseline', () => {
    const sync = new StateSync(new SnapshotHistory(8));
    const [s1, s2, s3] = world(3);
    sync.begin(s1!);
    sync.begin(s2!);
    sync.begin(s3!);
    const onTwo = [client(2), client(2), client(2)];
    // Frames share the sync's output buffer until sent; keep copies to compare them.
    const frames = onTwo.map((c, i) => sync.frameFor(c, i).bytes.slice());
    expect(sync.encodedBodies).toBe(1);
    // Same body, own header: [fixarray, DELTA, tick, span, ack, ...body] differ only in the ack byte.
    const [a, b] = [frames[0]!, frames[2]!];
    expect([a[4], b[4]]).toEqual([0, 2]);
    expect(a.subarray(5)).toEqual(b.subarray(5));
    expect(a.subarray(0, 4)).toEqual(b.subarray(0, 4));
    sync.frameFor(client(1), 0);
    sync.frameFor(client(-1), 0);
    sync.frameFor(client(-1), 0);
    expect(sync.encodedBodies).toBe(3); // baseline 2, baseline 1, full
    expect(onTwo.every((c) => c.baselineTick === 3)).toBe(true);
  });

  it('sends a full snapshot to a client whose baseline left the history', () => {
    const sync = new StateSync(new SnapshotHistory(2));
    for (const snapshot of world(5)) sync.begin(snapshot);
    expect(sync.frameFor(client(1), 0).full).toBe(true);
    expect(sync.frameFor(client(4), 0).full).toBe(false);
  });
});
