import { describe, expect, it } from 'vitest';
import { decodeMessage } from './codec.ts';
import { MessageType } from './codes.ts';
import {
  deltaFrame,
  diffSnapshots,
  fullEntities,
  packDeltaBody,
  packSnapshotBody,
  snapshotFrame,
  type ViewScope,
} from './delta-encode.ts';
import { type EntityRecord, type Snapshot, takeSnapshot } from './snapshot.ts';
import { compileShape } from './state-shape.ts';
import { ORB, PLAYER, testShape } from './testing/fixtures.ts';

const shape = testShape;

type Live = { id: number; type: string; [field: string]: unknown };
const player = (id: number, x: number, hp = 10, name = 'p'): Live => ({
  id,
  type: 'player',
  x,
  hp,
  alive: true,
  name,
  speed: 1.5,
});
const orb = (id: number, v = 1): Live => ({ id, type: 'orb', v });

describe('diffSnapshots', () => {
  it('lists created entities with all fields, flat', () => {
    const base = takeSnapshot(shape, 0, [], null);
    const cur = takeSnapshot(shape, 1, [player(1, 2), orb(7, 3)], base);
    expect(diffSnapshots(base, cur)).toEqual({
      created: [1, PLAYER, 200, 10, true, 'p', 1.5, 7, ORB, 3],
      changed: [],
      removed: [],
    });
  });

  it('sends changed fields only, integers as differences', () => {
    const a = player(1, 2);
    const base = takeSnapshot(shape, 0, [a, orb(7)], null);
    a.x = 1.5;
    a.name = 'q';
    a.speed = 2.25;
    const cur = takeSnapshot(shape, 1, [a, orb(7)], base);
    // mask: x (bit 0), name (bit 3), speed (bit 4); x: 150 - 200
    expect(diffSnapshots(base, cur)).toEqual({
      created: [],
      changed: [1, 0b11001, -50, 'q', 2.25],
      removed: [],
    });
  });

  it('walks ascending snapshots alongside and gives the body of the lookup by id', () => {
    // Random worlds with ids appearing, vanishing and changing type between the two ticks.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const world = (): Live[] => {
      const out: Live[] = [];
      for (let id = 1; id <= 40; id++) {
        const r = random();
        if (r < 0.3) continue;
        out.push(r < 0.65 ? player(id, Math.round(random() * 3)) : orb(id, Math.round(random() * 2)));
      }
      return out;
    };
    for (let round = 0; round < 20; round++) {
      const a = world();
      const b = world();
      const base = takeSnapshot(shape, 0, a, null);
      const cur = takeSnapshot(shape, 1, b, base);
      expect([base.ascending, cur.ascending]).toEqual([true, true]);
      // The same snapshots, declared out of order: diffSnapshots looks ids up instead.
      const unordered = (snap: Snapshot): Snapshot => ({
        tick: snap.tick,
        records: snap.records,
        ascending: false,
        entities: snap.entities,
      });
      const body = diffSnapshots(base, cur);
      expect(body).toEqual(diffSnapshots(unordered(base), unordered(cur)));
      expect(body.removed.length + body.created.length + body.changed.length).toBeGreaterThan(0);
    }
  });

  it('skips entities whose record is shared and ones with equal values', () => {
    const base = takeSnapshot(shape, 0, [player(1, 2), orb(7)], null);
    const cur = takeSnapshot(shape, 1, [player(1, 2), orb(7)], base);
    expect(cur.entities.get(1)).toBe(base.entities.get(1));
    const unshared = takeSnapshot(shape, 1, [player(1, 2), orb(7)], null);
    expect(diffSnapshots(base, cur).changed).toEqual([]);
    expect(diffSnapshots(base, unshared).changed).toEqual([]);
  });

  it('lists removed ids, and a type change as removed plus created', () => {
    const base = takeSnapshot(shape, 0, [player(1, 0), orb(2), orb(3)], null);
    const cur = takeSnapshot(shape, 1, [orb(1, 5), orb(3)], base);
    const body = diffSnapshots(base, cur);
    expect(body.created).toEqual([1, ORB, 5]);
    expect(body.changed).toEqual([]);
    expect([...body.removed].sort()).toEqual([1, 2]);
  });

  it('uses the highest mask bit for field 29', () => {
    const wide = compileShape({
      w: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: 'int' }])),
    });
    const e: Live = { id: 1, type: 'w' };
    const base = takeSnapshot(wide, 0, [e], null);
    e.f29 = 1;
    const body = diffSnapshots(base, takeSnapshot(wide, 1, [e], base));
    expect(body.changed).toEqual([1, 2 ** 29, 1]);
  });
});

describe('diffSnapshots with a view scope', () => {
  const visibleIds =
    (...ids: number[]) =>
    (r: EntityRecord): boolean =>
      ids.includes(r.id);

  it('creates entities coming into view, removes those leaving it, changes those staying', () => {
    const a = player(1, 0);
    const base = takeSnapshot(shape, 0, [a, orb(2), orb(3)], null);
    a.x = 1;
    const cur = takeSnapshot(shape, 1, [a, orb(2), orb(3), orb(4)], base);
    const scope: ViewScope = {
      before: new Set([1, 2]),
      isVisible: visibleIds(1, 3, 4),
      after: new Set([99]),
    };
    expect(diffSnapshots(base, cur, scope)).toEqual({
      created: [3, ORB, 1, 4, ORB, 1],
      changed: [1, 1, 100],
      removed: [2],
    });
    expect([...scope.after]).toEqual([1, 3, 4]);
  });

  it('removes entities gone from the world and replaces a type change', () => {
    const base = takeSnapshot(shape, 0, [orb(1), orb(2)], null);
    const cur = takeSnapshot(shape, 1, [player(2, 0)], base);
    const scope: ViewScope = { before: new Set([1, 2]), isVisible: () => true, after: new Set() };
    const body = diffSnapshots(base, cur, scope);
    expect(body.removed).toEqual([1, 2]);
    expect(body.created.slice(0, 2)).toEqual([2, PLAYER]);
  });

  it('refuses the same set as before and after', () => {
    const snap = takeSnapshot(shape, 0, [], null);
    const ids = new Set<number>();
    expect(() => diffSnapshots(snap, snap, { before: ids, isVisible: () => true, after: ids })).toThrow(
      TypeError,
    );
  });
});

describe('fullEntities', () => {
  it('lists every entity, or only the visible ones', () => {
    const snap = takeSnapshot(shape, 0, [orb(1, 1), orb(2, 2)], null);
    expect(fullEntities(snap)).toEqual([1, ORB, 1, 2, ORB, 2]);
    const after = new Set([5]);
    expect(fullEntities(snap, { isVisible: (r) => r.id === 2, after })).toEqual([2, ORB, 2]);
    expect([...after]).toEqual([2]);
  });
});

describe('frames', () => {
  it('a delta frame decodes to [DELTA, tick, span, ackSeq, created, changed, removed]', () => {
    const body = packDeltaBody({
      created: [1, 0, 5, 10, true, 'x', 0.5],
      changed: [2, 1, -3],
      removed: [4, 5],
    });
    expect(decodeMessage(deltaFrame(300, 2, 70_000, body))).toEqual([
      MessageType.DELTA,
      300,
      2,
      70_000,
      [1, 0, 5, 10, true, 'x', 0.5],
      [2, 1, -3],
      [4, 5],
    ]);
  });

  it('an empty delta is the header plus three bytes', () => {
    const frame = deltaFrame(1, 1, 0, packDeltaBody({ created: [], changed: [], removed: [] }));
    expect([...frame]).toEqual([0x97, MessageType.DELTA, 1, 1, 0, 0x90, 0x90, 0x90]);
  });

  it('a snapshot frame decodes to [SNAPSHOT, tick, ackSeq, entities]', () => {
    const body = packSnapshotBody([1, 1, 7]);
    expect(decodeMessage(snapshotFrame(2 ** 40, 3, body))).toEqual([
      MessageType.SNAPSHOT,
      2 ** 40,
      3,
      [1, 1, 7],
    ]);
  });

  it('shares one body between clients: only the header differs', () => {
    const body = packDeltaBody({ created: [], changed: [1, 1, 5], removed: [] });
    const a = deltaFrame(10, 1, 3, body);
    const b = deltaFrame(10, 1, 300, body);
    expect([...a.subarray(a.length - body.length)]).toEqual([...body]);
    expect([...b.subarray(b.length - body.length)]).toEqual([...body]);
    expect(b.length - a.length).toBe(2);
  });

  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0xcc, 0x80]],
    [255, [0xcc, 0xff]],
    [256, [0xcd, 0x01, 0x00]],
    [65_535, [0xcd, 0xff, 0xff]],
    [65_536, [0xce, 0x00, 0x01, 0x00, 0x00]],
    [2 ** 32 - 1, [0xce, 0xff, 0xff, 0xff, 0xff]],
    [2 ** 32, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]],
    [Number.MAX_SAFE_INTEGER, [0xcf, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])('writes %d as the smallest unsigned int in every header slot', (n, encoded) => {
    const empty = packDeltaBody({ created: [], changed: [], removed: [] });
    const delta = deltaFrame(n, n, n, empty);
    expect([...delta]).toEqual([
      0x97,
      MessageType.DELTA,
      ...encoded,
      ...encoded,
      ...encoded,
      0x90,
      0x90,
      0x90,
    ]);
    expect(decodeMessage(delta)).toEqual([MessageType.DELTA, n, n, n, [], [], []]);
    const snap = snapshotFrame(n, n, packSnapshotBody([]));
    expect([...snap]).toEqual([0x94, MessageType.SNAPSHOT, ...encoded, ...encoded, 0x90]);
    expect(decodeMessage(snap)).toEqual([MessageType.SNAPSHOT, n, n, []]);
  });

  it.each([-1, 1.5, NaN, 2 ** 53])('refuses %d in a header', (n) => {
    const body = packSnapshotBody([]);
    expect(() => snapshotFrame(n, 0, body)).toThrow(RangeError);
    expect(() => deltaFrame(1, n, 0, body)).toThrow(RangeError);
    expect(() => deltaFrame(1, 1, n, body)).toThrow(RangeError);
  });
});

describe('frame size: 16 moving players and 32 static orbs', () => {
  const arena = compileShape({
    player: {
      x: { type: 'number', quantize: 0.01 },
      y: { type: 'number', quantize: 0.01 },
      score: { type: 'int' },
      name: { type: 'string' },
    },
    orb: {
      x: { type: 'number', quantize: 0.01 },
      y: { type: 'number', quantize: 0.01 },
      value: { type: 'int' },
    },
  });

  /** Deterministic randomness (mulberry32) so the measured size is stable. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Size of the DELTA frame for one tick, with each player moving by `move()` on both axes. */
  function oneTickDelta(move: () => number): number {
    const place = random(7);
    const players = Array.from({ length: 16 }, (_, i) => ({
      id: i + 1,
      type: 'player',
      x: place() * 1000,
      y: place() * 1000,
      score: Math.floor(place() * 50),
      name: `player${i + 1}`,
    }));
    const orbs = Array.from({ length: 32 }, (_, i) => ({
      id: i + 17,
      type: 'orb',
      x: place() * 1000,
      y: place() * 1000,
      value: 5,
    }));
    // A typical point in a match: tick 12,000 is 10 minutes at 20 Hz.
    const base = takeSnapshot(arena, 12_000, [...players, ...orbs], null);
    for (const p of players) {
      p.x += move();
      p.y += move();
    }
    const current = takeSnapshot(arena, 12_001, [...players, ...orbs], base);
    return deltaFrame(12_001, 1, 11_990, packDeltaBody(diffSnapshots(base, current))).length;
  }

  const rand = random(42);
  const typical = oneTickDelta(() => (rand() * 2 - 1) * 10);
  const worst = oneTickDelta(() => (rand() < 0.5 ? -10 : 10));

  it(`one-tick delta, random moves up to ±10 units: ${typical} bytes (< 150)`, () => {
    console.log(
      `one-tick delta frame, 16 players moving up to ±10 units/tick + 32 static orbs: ${typical} bytes`,
    );
    expect(typical).toBeLessThan(150);
  });

  it(`one-tick delta, every player moving the full ±10 units on both axes: ${worst} bytes (< 150)`, () => {
    console.log(`one-tick delta frame, every player moving ±10 on both axes: ${worst} bytes`);
    expect(worst).toBeLessThan(150);
  });
});
