import { afterEach, describe, expect, it, vi } from 'vitest';
import { FieldKind } from './codes.ts';
import { dequantize, MAX_WIRE_INT, quantize, SnapshotError, takeSnapshot } from './snapshot.ts';
import { compileShape } from './state-shape.ts';

const { NUMBER, INT, BOOL, STRING } = FieldKind;

/** A live entity as a room holds it: id, type name and any fields. */
type Live = { readonly id: number; readonly type: string; [field: string]: unknown };
const live = (...entities: Live[]): Live[] => entities;

describe('quantize', () => {
  it('counts steps for a quantized number, rounding half up', () => {
    expect(quantize(NUMBER, 0.01, 1.234)).toBe(123);
    expect(quantize(NUMBER, 0.25, 0.125)).toBe(1); // exactly 0.5 steps
    expect(quantize(NUMBER, 0.25, -0.375)).toBe(-1); // -1.5 rounds towards +Infinity
    expect(quantize(NUMBER, 1, 2.5)).toBe(3);
  });

  it('never returns -0', () => {
    expect(Object.is(quantize(NUMBER, 0.01, -0), 0)).toBe(true);
    expect(Object.is(quantize(NUMBER, 0.01, -0.001), 0)).toBe(true); // Math.round(-0.1) is -0
    expect(Object.is(quantize(NUMBER, 0, -0), 0)).toBe(true);
    expect(Object.is(quantize(INT, 0, -0.4), 0)).toBe(true);
    expect(Object.is(quantize(INT, 0, -0), 0)).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity, undefined, null, '5', {}])('maps %s to 0 in numeric fields', (v) => {
    expect(quantize(NUMBER, 0.01, v)).toBe(0);
    expect(quantize(NUMBER, 0, v)).toBe(0);
    expect(quantize(INT, 0, v)).toBe(0);
  });

  it('clamps integers to ±2^51 so differences stay safe', () => {
    expect(quantize(NUMBER, 0.01, 1e300)).toBe(MAX_WIRE_INT);
    expect(quantize(NUMBER, 0.01, -1e300)).toBe(-MAX_WIRE_INT);
    expect(quantize(NUMBER, 1e-300, 1)).toBe(MAX_WIRE_INT); // finite input, overflowing count
    expect(quantize(INT, 0, 2 ** 60)).toBe(MAX_WIRE_INT);
    expect(quantize(INT, 0, -(2 ** 60))).toBe(-MAX_WIRE_INT);
    expect(quantize(INT, 0, MAX_WIRE_INT)).toBe(MAX_WIRE_INT);
    expect(Number.isSafeInteger(MAX_WIRE_INT - -MAX_WIRE_INT)).toBe(true);
  });

  it('keeps an unquantized number as is', () => {
    expect(quantize(NUMBER, 0, 0.1 + 0.2)).toBe(0.1 + 0.2);
    expect(quantize(NUMBER, 0, -1e300)).toBe(-1e300);
  });

  it('rounds ints', () => {
    expect(quantize(INT, 0, 2.5)).toBe(3);
    expect(quantize(INT, 0, -2.5)).toBe(-2);
    expect(quantize(INT, 0, 7)).toBe(7);
  });

  it('accepts only true as true', () => {
    expect(quantize(BOOL, 0, true)).toBe(true);
    expect(quantize(BOOL, 0, 1)).toBe(false);
    expect(quantize(BOOL, 0, 'true')).toBe(false);
    expect(quantize(BOOL, 0, undefined)).toBe(false);
  });

  it('makes strings well formed', () => {
    expect(quantize(STRING, 0, 'héllo 👋')).toBe('héllo 👋');
    expect(quantize(STRING, 0, 'a\uD800b')).toBe('a\uFFFDb');
    expect(quantize(STRING, 0, '\uDC00\uD83D\uDC4B\uD83D')).toBe('\uFFFD👋\uFFFD');
    expect(quantize(STRING, 0, undefined)).toBe('');
    expect(quantize(STRING, 0, null)).toBe('');
    expect(quantize(STRING, 0, 42)).toBe('42');
  });

  it('matches String.prototype.toWellFormed where the engine has it', () => {
    const native = (String.prototype as { toWellFormed?: () => string }).toWellFormed;
    if (native === undefined) return;
    for (const s of ['\uD800', '\uDFFF\uD800', 'x\uD83D\uDC4By\uDC4B', '\uD83D\uD83D\uDC4B']) {
      expect(quantize(STRING, 0, s)).toBe(native.call(s));
    }
  });
});

describe('dequantize', () => {
  it('multiplies quantized numbers by the step', () => {
    expect(dequantize(NUMBER, 0.01, 123)).toBe(123 * 0.01);
    expect(dequantize(NUMBER, 0.25, -3)).toBe(-0.75);
  });

  it('passes other values through', () => {
    expect(dequantize(NUMBER, 0, 1.5)).toBe(1.5);
    expect(dequantize(INT, 0, -4)).toBe(-4);
    expect(dequantize(BOOL, 0, true)).toBe(true);
    expect(dequantize(STRING, 0, 'x')).toBe('x');
  });
});

describe('takeSnapshot', () => {
  const shape = compileShape({
    player: { x: { type: 'number', quantize: 0.01 }, score: { type: 'int' }, name: { type: 'string' } },
    orb: { alive: { type: 'bool' } },
  });

  it('quantizes declared fields in field order, ignoring others', () => {
    const snap = takeSnapshot(
      shape,
      3,
      live({ id: 1, type: 'player', x: 1.006, score: 2, name: 'a', extra: 9 }),
      null,
    );
    expect(snap.tick).toBe(3);
    const rec = snap.entities.get(1)!;
    expect(rec.type).toBe(shape.byName.get('player'));
    expect(rec.values).toEqual([101, 2, 'a']);
  });

  it('keeps the input order', () => {
    const snap = takeSnapshot(
      shape,
      0,
      [9, 2, 5].map((id): Live => ({ id, type: 'orb', alive: true })),
      null,
    );
    expect([...snap.entities.keys()]).toEqual([9, 2, 5]);
  });

  it('reuses the previous record when nothing changed after quantization', () => {
    const p = { id: 1, type: 'player', x: 1, score: 2, name: 'a' };
    const first = takeSnapshot(shape, 0, [p], null);
    p.x = 1.001; // below the step: same wire value
    const second = takeSnapshot(shape, 1, [p], first);
    expect(second.entities.get(1)).toBe(first.entities.get(1));
    p.score = 3;
    const third = takeSnapshot(shape, 2, [p], second);
    expect(third.entities.get(1)).not.toBe(second.entities.get(1));
    expect(third.entities.get(1)!.values).toEqual([100, 3, 'a']);
    expect(second.entities.get(1)!.values).toEqual([100, 2, 'a']);
  });

  describe('where code cannot be generated (a page whose CSP forbids it)', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('reads the fields by name all the same', () => {
      // A shape of its own: readers are compiled once per type, on first use.
      const own = compileShape({
        player: { x: { type: 'number', quantize: 0.01 }, score: { type: 'int' }, name: { type: 'string' } },
      });
      vi.stubGlobal(
        'Function',
        vi.fn(() => {
          throw new EvalError('code generation from strings disallowed for this context');
        }),
      );
      const p = { id: 1, type: 'player', x: 1.006, score: 2, name: 'a' };
      const first = takeSnapshot(own, 0, [p], null);
      expect(first.records[0]!.values).toEqual([101, 2, 'a']);
      p.score = 3;
      expect(takeSnapshot(own, 1, [p], first).records[0]!.values).toEqual([101, 3, 'a']);
      expect(globalThis.Function).toHaveBeenCalled();
    });
  });

  it('does not reuse a record across a type change', () => {
    const first = takeSnapshot(shape, 0, live({ id: 1, type: 'orb', alive: true }), null);
    const second = takeSnapshot(shape, 1, live({ id: 1, type: 'player', x: 0, score: 0, name: '' }), first);
    expect(second.entities.get(1)!.type.name).toBe('player');
  });

  it.each([
    ['unknown_type', [{ id: 1, type: 'ghost' }]],
    ['bad_id', [{ id: -1, type: 'orb' }]],
    ['bad_id', [{ id: 1.5, type: 'orb' }]],
    [
      'duplicate_id',
      [
        { id: 1, type: 'orb' },
        { id: 1, type: 'orb' },
      ],
    ],
  ])('throws %s', (code, entities) => {
    expect(() => takeSnapshot(shape, 0, entities, null)).toThrow(SnapshotError);
    try {
      takeSnapshot(shape, 0, entities, null);
    } catch (e) {
      expect((e as SnapshotError).code).toBe(code);
    }
  });
});
