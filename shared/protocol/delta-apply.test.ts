import { describe, expect, it } from 'vitest';
import { ProtocolError, StateMirror } from './delta-apply.ts';
import { MAX_WIRE_INT } from './snapshot.ts';
import { ORB, PLAYER, testShape } from './testing/fixtures.ts';

const shape = testShape;

/** A mirror at tick 10 holding player 1 and orb 2. */
function mirrorAt10(): StateMirror {
  const mirror = new StateMirror(shape);
  mirror.applySnapshot(10, [1, PLAYER, 150, 100, true, 'ann', 2.5, 2, ORB, 7]);
  return mirror;
}

/** Everything observable about a mirror, to check a failed apply changed nothing. */
function dump(mirror: StateMirror): unknown {
  return {
    tick: mirror.tick,
    entities: [...mirror.entities].map(([id, e]) => [id, { ...e }, mirror.wireValues(id)]),
  };
}

function protocolErrorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('StateMirror.applySnapshot', () => {
  it('starts empty at tick -1', () => {
    const mirror = new StateMirror(shape);
    expect(mirror.tick).toBe(-1);
    expect(mirror.entities.size).toBe(0);
  });

  it('holds dequantized entities and the quantized values', () => {
    const mirror = mirrorAt10();
    expect(mirror.tick).toBe(10);
    expect(mirror.entities.get(1)).toEqual({
      id: 1,
      type: 'player',
      x: 150 * 0.01,
      hp: 100,
      alive: true,
      name: 'ann',
      speed: 2.5,
    });
    expect(mirror.entities.get(2)).toEqual({ id: 2, type: 'orb', v: 7 });
    expect(mirror.wireValues(1)).toEqual([150, 100, true, 'ann', 2.5]);
    expect(mirror.wireValues(3)).toBeUndefined();
  });

  it('replaces the state, keeping objects of entities that survive with the same type', () => {
    const mirror = mirrorAt10();
    const p = mirror.entities.get(1)!;
    const o = mirror.entities.get(2)!;
    const result = mirror.applySnapshot(20, [
      1,
      PLAYER,
      160,
      100,
      true,
      'ann',
      2.5,
      2,
      PLAYER,
      0,
      0,
      false,
      '',
      0,
      3,
      ORB,
      1,
    ]);
    expect(result).toEqual({ created: [2, 3], changed: [1], removed: [2] });
    expect(mirror.entities.get(1)).toBe(p);
    expect(p.x).toBe(160 * 0.01);
    expect(mirror.entities.get(2)).not.toBe(o);
    expect(mirror.entities.get(2)!.type).toBe('player');
    expect([...mirror.entities.keys()].sort()).toEqual([1, 2, 3]);
  });

  it('removes entities missing from a snapshot', () => {
    const mirror = mirrorAt10();
    expect(mirror.applySnapshot(11, [])).toEqual({ created: [], changed: [], removed: [1, 2] });
    expect(mirror.entities.size).toBe(0);
  });
});

describe('StateMirror.applyDelta', () => {
  it('applies removed, then created, then changed', () => {
    const mirror = mirrorAt10();
    const p = mirror.entities.get(1)!;
    const result = mirror.applyDelta(12, 2, [5, ORB, 1], [1, 0b11011, -20, 5, 'bob', 3.25], [2]);
    expect(result).toEqual({ created: [5], changed: [1], removed: [2] });
    expect(mirror.tick).toBe(12);
    expect(mirror.entities.get(1)).toBe(p);
    expect(p).toEqual({
      id: 1,
      type: 'player',
      x: 130 * 0.01,
      hp: 105,
      alive: true,
      name: 'bob',
      speed: 3.25,
    });
    expect(mirror.wireValues(1)).toEqual([130, 105, true, 'bob', 3.25]);
    expect(mirror.entities.has(2)).toBe(false);
    expect(mirror.entities.get(5)).toEqual({ id: 5, type: 'orb', v: 1 });
  });

  it('replaces an entity whose type changed (removed and created at once)', () => {
    const mirror = mirrorAt10();
    mirror.applyDelta(11, 1, [2, PLAYER, 0, 1, false, 'z', 0], [], [2]);
    expect(mirror.entities.get(2)).toEqual({
      id: 2,
      type: 'player',
      x: 0,
      hp: 1,
      alive: false,
      name: 'z',
      speed: 0,
    });
  });

  it('accepts values at ±2^51', () => {
    const mirror = mirrorAt10();
    mirror.applyDelta(11, 1, [], [2, 1, MAX_WIRE_INT - 7], []);
    expect(mirror.entities.get(2)!.v).toBe(MAX_WIRE_INT);
    mirror.applyDelta(12, 1, [], [2, 1, -2 * MAX_WIRE_INT], []);
    expect(mirror.entities.get(2)!.v).toBe(-MAX_WIRE_INT);
  });

  it.each([
    ['no snapshot yet', new StateMirror(shape), 1, 1],
    ['a gap', mirrorAt10(), 12, 1],
    ['an old delta', mirrorAt10(), 10, 1],
  ])('throws desync on %s', (_, mirror, tick, span) => {
    expect(protocolErrorOf(() => mirror.applyDelta(tick, span, [], [], [])).code).toBe('desync');
  });

  const cases: [string, string, unknown[]][] = [
    ['span 0', 'malformed_state', [10, 0, [], [], []]],
    ['a fractional tick', 'malformed_state', [10.5, 0.5, [], [], []]],
    ['created not an array', 'malformed_state', [11, 1, {}, [], []]],
    ['changed not an array', 'malformed_state', [11, 1, [], 'x', []]],
    ['removed not an array', 'malformed_state', [11, 1, [], [], null]],
    ['a removed id that is not an integer', 'malformed_state', [11, 1, [], [], [1.5]]],
    ['removing an unknown id', 'desync', [11, 1, [], [], [9]]],
    ['removing an id twice', 'malformed_state', [11, 1, [], [], [2, 2]]],
    ['a created id that is negative', 'malformed_state', [11, 1, [-1, ORB, 0], [], []]],
    ['a created entity without a type', 'malformed_state', [11, 1, [5], [], []]],
    ['a type index out of range', 'malformed_state', [11, 1, [5, 2, 0], [], []]],
    ['a type index that is a string', 'malformed_state', [11, 1, [5, 'orb', 0], [], []]],
    ['too few values', 'malformed_state', [11, 1, [5, PLAYER, 0, 1], [], []]],
    ['creating an existing id', 'desync', [11, 1, [2, ORB, 0], [], []]],
    ['creating an id twice', 'malformed_state', [11, 1, [5, ORB, 0, 5, ORB, 0], [], []]],
    ['a fractional quantized value', 'malformed_state', [11, 1, [5, PLAYER, 0.5, 1, true, '', 0], [], []]],
    ['an int past 2^51', 'malformed_state', [11, 1, [5, ORB, MAX_WIRE_INT + 1], [], []]],
    ['a bool that is 1', 'malformed_state', [11, 1, [5, PLAYER, 0, 1, 1, '', 0], [], []]],
    ['a string that is a number', 'malformed_state', [11, 1, [5, PLAYER, 0, 1, true, 3, 0], [], []]],
    ['an infinite number', 'malformed_state', [11, 1, [5, PLAYER, 0, 1, true, '', Infinity], [], []]],
    ['a number that is a string', 'malformed_state', [11, 1, [5, PLAYER, 0, 1, true, '', '0'], [], []]],
    ['changing an unknown id', 'desync', [11, 1, [], [9, 1, 1], []]],
    ['changing a removed id', 'desync', [11, 1, [], [2, 1, 1], [2]]],
    ['changing an id just created', 'desync', [11, 1, [5, ORB, 0], [5, 1, 1], []]],
    ['changing an id twice', 'malformed_state', [11, 1, [], [2, 1, 1, 2, 1, 1], []]],
    ['a mask of 0', 'malformed_state', [11, 1, [], [2, 0], []]],
    ['a mask past the field count', 'malformed_state', [11, 1, [], [2, 2, 1], []]],
    ['a negative mask', 'malformed_state', [11, 1, [], [2, -1, 1], []]],
    ['a missing mask', 'malformed_state', [11, 1, [], [2], []]],
    ['a missing changed value', 'malformed_state', [11, 1, [], [1, 0b11, 5], []]],
    ['a fractional difference', 'malformed_state', [11, 1, [], [1, 1, 0.5], []]],
    ['a difference past 2^51', 'malformed_state', [11, 1, [], [2, 1, MAX_WIRE_INT], []]],
    ['a changed bool that is a string', 'malformed_state', [11, 1, [], [1, 0b100, 'yes'], []]],
    // The later lists are checked before anything applies: an error at the end changes nothing.
    [
      'an error after valid removals and creations',
      'malformed_state',
      [11, 1, [6, ORB, 1], [1, 1, 'x'], [2]],
    ],
  ];
  it.each(cases)('rejects %s with %s and leaves the mirror unchanged', (_, code, args) => {
    const mirror = mirrorAt10();
    const before = dump(mirror);
    const error = protocolErrorOf(() =>
      mirror.applyDelta(...(args as [number, number, unknown, unknown, unknown])),
    );
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(dump(mirror)).toEqual(before);
  });

  it('rejects a malformed snapshot and leaves the mirror unchanged', () => {
    const mirror = mirrorAt10();
    const before = dump(mirror);
    expect(protocolErrorOf(() => mirror.applySnapshot(20, [3, ORB, 1, 3, ORB, 2])).code).toBe(
      'malformed_state',
    );
    expect(protocolErrorOf(() => mirror.applySnapshot(20, [3, ORB, 1, 4, ORB])).code).toBe('malformed_state');
    expect(protocolErrorOf(() => mirror.applySnapshot(-1, [])).code).toBe('malformed_state');
    expect(protocolErrorOf(() => mirror.applySnapshot(20, 'x')).code).toBe('malformed_state');
    expect(dump(mirror)).toEqual(before);
  });

  it('clear() forgets everything', () => {
    const mirror = mirrorAt10();
    mirror.clear();
    expect(mirror.tick).toBe(-1);
    expect(mirror.entities.size).toBe(0);
    expect(mirror.wireValues(1)).toBeUndefined();
  });
});
