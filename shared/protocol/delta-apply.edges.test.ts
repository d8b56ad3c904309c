/**
 * StateMirror's edges (found by mutation testing, docs/MUTATION.md): every refusal's code and exact
 * message (the client logs them, so they must say where and what), a delta to an empty mirror, a
 * field mask one past the type, a resync snapshot that changed nothing, ids replaced by another type.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, StateMirror } from './delta-apply.ts';
import { MAX_WIRE_INT } from './snapshot.ts';
import { ORB, PLAYER, testShape as shape } from './testing/fixtures.ts';

/** A mirror at tick 10 holding player 1 (x 1.5, hp 100, alive, 'ann', speed 2.5) and orb 2 (v 7). */
function mirrorAt10(): StateMirror {
  const mirror = new StateMirror(shape);
  mirror.applySnapshot(10, [1, PLAYER, 150, 100, true, 'ann', 2.5, 2, ORB, 7]);
  return mirror;
}

function refusal(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    const { name, code, message } = e as ProtocolError;
    return { name, code, message };
  }
  throw new Error('expected a ProtocolError');
}

const long = 'x'.repeat(25);

describe('StateMirror refusals say where and what', () => {
  const snapshotCases: [string, unknown, unknown, string][] = [
    ['a tick that is not an integer', 1.5, [], 'snapshot tick 1.5 is not a non-negative integer'],
    ['a list that is not an array', 11, { a: 1 }, 'snapshot entities is an object, not an array'],
    ['an id without a type', 11, [5], 'snapshot[0]: entity 5 has no type'],
    [
      'a type index past the shape',
      11,
      [2, ORB, 1, 5, 9, 1],
      'snapshot[4]: entity 5 has unknown type index 9',
    ],
    [
      'an entity short of values',
      11,
      [2, ORB, 1, 5, PLAYER, 1, 2],
      'snapshot[3]: entity 5 (player) needs 5 values',
    ],
    [
      'a bad value, by its index',
      11,
      [2, ORB, 1, 5, PLAYER, 1, 2, 'yes', 'n', 1],
      'snapshot[7]: player.alive of entity 5: "yes" is not a boolean',
    ],
    [
      'a non-integer where an integer goes',
      11,
      [2, ORB, 0.5],
      'snapshot[2]: orb.v of entity 2: 0.5 is not an integer within ±2^51',
    ],
    [
      'an integer past 2^51',
      11,
      [2, ORB, MAX_WIRE_INT + 2],
      `snapshot[2]: orb.v of entity 2: ${MAX_WIRE_INT + 2} is not an integer within ±2^51`,
    ],
    [
      'a number that is not finite',
      11,
      [5, PLAYER, 1, 2, true, 'n', null],
      'snapshot[6]: player.speed of entity 5: null is not a finite number',
    ],
    [
      'a string that is not one',
      11,
      [5, PLAYER, 1, 2, true, [1], 1],
      'snapshot[5]: player.name of entity 5: an array is not a string',
    ],
    [
      'a long string, cut short',
      11,
      [2, ORB, long],
      `snapshot[2]: orb.v of entity 2: "${'x'.repeat(20)}..." is not an integer within ±2^51`,
    ],
    [
      'an id that is a string of exactly 20',
      11,
      ['y'.repeat(20)],
      `snapshot[0]: "${'y'.repeat(20)}" is not an entity id`,
    ],
    ['an id that is an object', 11, [{}], 'snapshot[0]: an object is not an entity id'],
    ['an id that is undefined', 11, [undefined], 'snapshot[0]: undefined is not an entity id'],
  ];
  it.each(snapshotCases)('snapshot: %s', (_, tick, list, message) => {
    const mirror = mirrorAt10();
    expect(refusal(() => mirror.applySnapshot(tick as number, list))).toEqual({
      name: 'ProtocolError',
      code: 'malformed_state',
      message,
    });
    expect(mirror.tick).toBe(10);
  });

  const deltaCases: [string, [number, number, unknown, unknown, unknown], string, string][] = [
    [
      'a span of 0',
      [11, 0, [], [], []],
      'malformed_state',
      'delta tick 11 / span 0 are not integers with span >= 1',
    ],
    [
      'a negative span',
      [11, -1, [], [], []],
      'malformed_state',
      'delta tick 11 / span -1 are not integers with span >= 1',
    ],
    [
      'a fractional tick',
      [11.5, 1, [], [], []],
      'malformed_state',
      'delta tick 11.5 / span 1 are not integers with span >= 1',
    ],
    ['a gap', [13, 2, [], [], []], 'desync', 'delta from tick 11 but the mirror is at tick 10'],
    ['created not an array', [11, 1, 'no', [], []], 'malformed_state', 'created is "no", not an array'],
    ['changed not an array', [11, 1, [], null, []], 'malformed_state', 'changed is null, not an array'],
    ['removed not an array', [11, 1, [], [], 7], 'malformed_state', 'removed is 7, not an array'],
    ['created without a type', [11, 1, [9], [], []], 'malformed_state', 'created[0]: entity 9 has no type'],
    [
      'created short',
      [11, 1, [9, PLAYER, 1], [], []],
      'malformed_state',
      'created[0]: entity 9 (player) needs 5 values',
    ],
    [
      'created unknown type',
      [11, 1, [9, 2, 1], [], []],
      'malformed_state',
      'created[1]: entity 9 has unknown type index 2',
    ],
    [
      'a changed id that is not one',
      [11, 1, [], [-1, 1, 1], []],
      'malformed_state',
      'changed[0]: -1 is not an entity id',
    ],
    [
      'a mask one past the type',
      [11, 1, [], [2, 2, 1], []],
      'malformed_state',
      'changed[1]: 2 is not a field mask for orb',
    ],
    ['a mask of 0', [11, 1, [], [2, 0], []], 'malformed_state', 'changed[1]: 0 is not a field mask for orb'],
    [
      'a changed value missing',
      [11, 1, [], [2, 1], []],
      'malformed_state',
      'changed[2]: entity 2 is missing orb.v',
    ],
    [
      'a second value missing',
      [11, 1, [], [1, 0b11, 5], []],
      'malformed_state',
      'changed[3]: entity 1 is missing player.hp',
    ],
    [
      'a difference not an integer',
      [11, 1, [], [2, 1, 0.5], []],
      'malformed_state',
      'changed[2]: orb.v of entity 2: difference 0.5 is not an integer',
    ],
    [
      'a difference past 2^51',
      [11, 1, [], [2, 1, MAX_WIRE_INT], []],
      'malformed_state',
      `changed[2]: orb.v of entity 2: difference ${MAX_WIRE_INT} takes the value past ±2^51`,
    ],
    [
      'a full value of the wrong kind',
      [11, 1, [], [1, 0b100, 1], []],
      'malformed_state',
      'changed[2]: player.alive of entity 1: 1 is not a boolean',
    ],
  ];
  it.each(deltaCases)('delta: %s', (_, args, code, message) => {
    const mirror = mirrorAt10();
    expect(refusal(() => mirror.applyDelta(...args))).toEqual({ name: 'ProtocolError', code, message });
    expect(mirror.tick).toBe(10);
  });

  it('a delta to an empty mirror is a desync, even one that starts at tick -1', () => {
    const mirror = new StateMirror(shape);
    expect(refusal(() => mirror.applyDelta(0, 1, [], [], []))).toEqual({
      name: 'ProtocolError',
      code: 'desync',
      message: 'delta before any snapshot',
    });
    expect(mirror.tick).toBe(-1);
  });

  it('a mask with every field of the type is accepted', () => {
    const mirror = mirrorAt10();
    mirror.applyDelta(11, 1, [], [1, 0b11111, -50, 1, false, 'bo', 3], []);
    expect({ ...mirror.entities.get(1) }).toEqual({
      id: 1,
      type: 'player',
      x: 1,
      hp: 101,
      alive: false,
      name: 'bo',
      speed: 3,
    });
  });
});

describe('StateMirror snapshots over a mirror', () => {
  it('a resync snapshot that changes nothing reports nothing changed', () => {
    const mirror = mirrorAt10();
    const entity = mirror.entities.get(1);
    expect(mirror.applySnapshot(20, [1, PLAYER, 150, 100, true, 'ann', 2.5, 2, ORB, 7])).toEqual({
      created: [],
      changed: [],
      removed: [],
    });
    expect(mirror.entities.get(1)).toBe(entity);
    expect(mirror.wireValues(1)).toEqual([150, 100, true, 'ann', 2.5]);
    expect(Object.keys(mirror.entities.get(2)!)).toEqual(['id', 'type', 'v']);
    expect(mirror.tick).toBe(20);
  });

  it('an id that comes back as another type is a new entity, after the ones that stayed', () => {
    const mirror = mirrorAt10();
    const old = mirror.entities.get(1);
    expect(mirror.applySnapshot(11, [1, ORB, 3, 2, ORB, 7])).toEqual({
      created: [1],
      changed: [],
      removed: [1],
    });
    expect(mirror.entities.get(1)).not.toBe(old);
    expect([...mirror.entities.keys()]).toEqual([2, 1]);
    expect({ ...mirror.entities.get(1) }).toEqual({ id: 1, type: 'orb', v: 3 });
  });

  it('keeps -0 out of the mirror', () => {
    const mirror = new StateMirror(shape);
    mirror.applySnapshot(1, [1, PLAYER, -0, -0, true, 'a', -0]);
    const values = mirror.wireValues(1)!;
    expect(Object.is(values[0], 0) && Object.is(values[1], 0) && Object.is(values[4], 0)).toBe(true);
    mirror.applySnapshot(2, [1, PLAYER, 5, 5, true, 'a', 5]);
    mirror.applySnapshot(3, [1, PLAYER, -0, -0, true, 'a', -0]);
    expect(Object.is(mirror.wireValues(1)![4], 0)).toBe(true);
    expect(Object.is(mirror.entities.get(1)!.speed, 0)).toBe(true);
    mirror.applyDelta(4, 1, [], [1, 0b10000, -0], []);
    expect(Object.is(mirror.entities.get(1)!.speed, 0)).toBe(true);
  });
});
