/**
 * Snapshots: the room's state at one tick, already quantized into wire values. Deltas are computed
 * between two snapshots, and the client mirror holds the same wire values, so both sides agree on
 * every value to the bit.
 */
import { FieldKind } from './codes.ts';
import type { CompiledEntityType, CompiledShape, WireValue } from './state-shape.ts';

/**
 * Largest magnitude of an integer wire value (INT fields and quantized numbers). Kept at 2^51 so a
 * difference of two values (what a delta carries) is still a safe integer.
 */
export const MAX_WIRE_INT = 2 ** 51;

/** One entity at one tick: its type and its quantized field values in field order. */
export interface EntityRecord {
  readonly id: number;
  readonly type: CompiledEntityType;
  readonly values: readonly WireValue[];
}

/** The state of a room at one tick. Unchanged entities share their record with the previous snapshot. */
export interface Snapshot {
  readonly tick: number;
  /** The records in the order the entities were taken (a room's spawn order). */
  readonly records: readonly EntityRecord[];
  /**
   * True when the records' ids strictly ascend, as a room's do (ids are handed out in spawn order
   * and never reused): two such snapshots are compared by merging, with no lookup by id.
   */
  readonly ascending: boolean;
  /** The records by id; built on first use (lookups of a view filter), not every tick. */
  readonly entities: ReadonlyMap<number, EntityRecord>;
}

/** A snapshot whose by-id map is built only when something asks for it. */
class TakenSnapshot implements Snapshot {
  readonly tick: number;
  readonly records: readonly EntityRecord[];
  readonly ascending: boolean;
  #byId: Map<number, EntityRecord> | undefined;

  constructor(tick: number, records: readonly EntityRecord[], ascending: boolean) {
    this.tick = tick;
    this.records = records;
    this.ascending = ascending;
  }

  get entities(): ReadonlyMap<number, EntityRecord> {
    if (this.#byId === undefined) {
      const byId = new Map<number, EntityRecord>();
      for (const record of this.records) byId.set(record.id, record);
      this.#byId = byId;
    }
    return this.#byId;
  }
}

/** Thrown by `takeSnapshot` when the live entities cannot be described by the shape. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly code: 'unknown_type' | 'bad_id' | 'duplicate_id';

  constructor(code: SnapshotError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** True for fields that travel as integers and change as differences: INT and quantized NUMBER. */
export function isIntegerField(kind: FieldKind, step: number): boolean {
  return kind === FieldKind.INT || step > 0;
}

function clampInt(q: number): number {
  if (q > MAX_WIRE_INT) return MAX_WIRE_INT;
  if (q < -MAX_WIRE_INT) return -MAX_WIRE_INT;
  // `+ 0` turns -0 into 0: msgpack has no -0 integer, so the mirror could never hold one.
  return q + 0;
}

/**
 * The wire value of a field. Anything that is not a finite number becomes 0 in numeric fields:
 * NaN and Infinity cannot be quantized and would poison every later difference.
 */
export function quantize(kind: FieldKind, step: number, value: unknown): WireValue {
  switch (kind) {
    case FieldKind.NUMBER:
      if (!Number.isFinite(value)) return 0;
      return step > 0 ? clampInt(Math.round((value as number) / step)) : (value as number) + 0;
    case FieldKind.INT:
      return Number.isFinite(value) ? clampInt(Math.round(value as number)) : 0;
    case FieldKind.BOOL:
      return value === true;
    default:
      return wellFormed(String(value ?? ''));
  }
}

/** The game-facing value of a wire value; `q * step` on both sides, so both get the same double. */
export function dequantize(kind: FieldKind, step: number, wire: WireValue): number | boolean | string {
  return kind === FieldKind.NUMBER && step > 0 ? (wire as number) * step : wire;
}

/**
 * `String.prototype.toWellFormed` (ES2024), written out because the repo compiles against ES2023
 * and shared/ also runs in engines (k6) that may lack it. Lone surrogates cannot be encoded as
 * UTF-8, so they would come out of the client's decoder as something else than the server holds.
 */
function wellFormed(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return repairSurrogates(s, i);
  }
  return s;
}

function repairSurrogates(s: string, from: number): string {
  let out = s.slice(0, from);
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) {
      out += s[i];
    } else if (c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += s.slice(i, i + 2);
      i++;
    } else {
      out += '\uFFFD';
    }
  }
  return out;
}

/**
 * Quantize the live entities of a room at `tick`. An entity whose type and wire values are the same
 * as in `previous` keeps the previous record object, so unchanged entities allocate nothing and
 * `diffSnapshots` skips them with one reference comparison. Entities in ascending id order (a
 * room's) find their previous record by walking `previous` alongside, with no map per tick.
 */
export function takeSnapshot<E extends { readonly id: number; readonly type: string }>(
  shape: CompiledShape,
  tick: number,
  entities: Iterable<E>,
  previous: Snapshot | null,
): Snapshot {
  const records: EntityRecord[] = [];
  const before = previous?.records;
  const beforeCount = before === undefined ? 0 : before.length;
  // Merging needs both sides ascending; either falls back to the previous snapshot's map.
  let merging = previous === null || previous.ascending;
  let ascending = true;
  let lastId = -1;
  let cursor = 0;
  // Entities of one type tend to come together: look the type up only when the name changes.
  let typeName: string | undefined;
  let type: CompiledEntityType | undefined;
  let read: FieldReader = readNothing;
  for (const entity of entities) {
    const { id } = entity;
    if (entity.type !== typeName) {
      typeName = entity.type;
      type = shape.byName.get(typeName);
      if (type !== undefined) read = readerFor(type);
    }
    if (type === undefined) {
      throw new SnapshotError(
        'unknown_type',
        `entity ${id}: the state shape declares no type '${entity.type}'`,
      );
    }
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new SnapshotError('bad_id', `entity id ${id} is not a non-negative safe integer`);
    }
    if (id <= lastId) {
      if (id === lastId) throw duplicate(id);
      ascending = false;
      merging = false;
    }
    lastId = id;
    let prev: EntityRecord | undefined;
    if (merging) {
      while (cursor < beforeCount && before![cursor]!.id < id) cursor++;
      if (cursor < beforeCount && before![cursor]!.id === id) prev = before![cursor];
    } else if (previous !== null) {
      prev = previous.entities.get(id);
    }
    read(entity as unknown as Readonly<Record<string, unknown>>, raw);
    records.push(record(type, id, raw, prev));
  }
  if (!ascending) {
    // Out of order (not a room's entities): duplicates need a set to be found.
    const seen = new Set<number>();
    for (const { id } of records) {
      if (seen.has(id)) throw duplicate(id);
      seen.add(id);
    }
  }
  return new TakenSnapshot(tick, records, ascending);
}

function duplicate(id: number): SnapshotError {
  return new SnapshotError('duplicate_id', `two entities have id ${id}`);
}

/** Copies an entity's declared fields, in field order, into `out`. */
type FieldReader = (entity: Readonly<Record<string, unknown>>, out: unknown[]) => void;

const readNothing: FieldReader = () => {};

/** The raw field values of the entity being recorded (takeSnapshot is synchronous: one is enough). */
const raw: unknown[] = [];

const readers = new WeakMap<CompiledEntityType, FieldReader>();

/** Field names are checked against this by the shape already; checked again before going into code. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The type's field reader, compiled once per type. Reading `entity[fields[i]]` in one loop for every
 * type makes that one property load megamorphic (a stub cache probe per field per entity per tick);
 * a function per type with the names written out keeps each load monomorphic. Where code cannot be
 * generated (a page whose CSP forbids it), the loop is used.
 */
function readerFor(type: CompiledEntityType): FieldReader {
  let reader = readers.get(type);
  if (reader === undefined) {
    reader = compileReader(type.fields);
    readers.set(type, reader);
  }
  return reader;
}

function compileReader(fields: readonly string[]): FieldReader {
  if (fields.every((field) => IDENTIFIER.test(field))) {
    const body = fields.map((field, i) => `out[${i}] = entity.${field};`).join('\n');
    try {
      return new Function('entity', 'out', body) as FieldReader;
    } catch {
      // code generation refused: fall through to the loop
    }
  }
  return (entity, out) => {
    for (let i = 0; i < fields.length; i++) out[i] = entity[fields[i]!];
  };
}

/**
 * The entity's record from its raw field values, or `prev` itself when nothing changed; allocates
 * only on the first difference, and then exactly the entity's length (a copy of the previous values
 * overwritten from there: pushing onto a prefix would grow, and over-allocate, an array per moving
 * entity per tick).
 */
function record(
  type: CompiledEntityType,
  id: number,
  raw: readonly unknown[],
  prev: EntityRecord | undefined,
): EntityRecord {
  const { kinds, steps } = type;
  const count = kinds.length;
  if (prev === undefined || prev.type !== type) {
    const values = raw.slice(0, count) as WireValue[];
    for (let i = 0; i < count; i++) values[i] = quantize(kinds[i]!, steps[i]!, values[i]);
    return { id, type, values };
  }
  const prevValues = prev.values;
  let values: WireValue[] | null = null;
  for (let i = 0; i < count; i++) {
    const value = raw[i];
    const was = prevValues[i];
    // A string equal to the previous wire value is already well-formed: skip re-scanning it.
    const q = typeof value === 'string' && was === value ? value : quantize(kinds[i]!, steps[i]!, value);
    if (values === null) {
      // Wire values are never NaN or -0, so === is exact equality here.
      if (was === q) continue;
      values = prevValues.slice();
    }
    values[i] = q;
  }
  return values === null ? prev : { id, type, values };
}
