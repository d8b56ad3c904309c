import { FieldKind, MAX_FIELDS_PER_ENTITY } from './codes.ts';

/** One field of an entity type, as a game author declares it. */
export type FieldSpec =
  | {
      readonly type: 'number' /** Send as an integer count of this step, e.g. 0.01. */;
      readonly quantize?: number;
    }
  | { readonly type: 'int' }
  | { readonly type: 'bool' }
  | { readonly type: 'string' };

/** The fields of one entity type, in declaration order (the order is part of the wire format). */
export type EntitySpec = Readonly<Record<string, FieldSpec>>;

/** A room's declared state: entity type name -> fields. */
export type StateShape = Readonly<Record<string, EntitySpec>>;

type FieldValue<F extends FieldSpec> = F extends { type: 'bool' }
  ? boolean
  : F extends { type: 'string' }
    ? string
    : number;

/** The mutable fields of an entity of spec `E`. */
export type EntityFields<E extends EntitySpec> = { -readonly [K in keyof E]: FieldValue<E[K]> };

/** A live entity: its fields plus the id and type the framework assigns. */
export type Entity<E extends EntitySpec = EntitySpec, T extends string = string> = EntityFields<E> & {
  readonly id: number;
  readonly type: T;
};

/** A value as it travels: quantized numbers are integers. */
export type WireValue = number | boolean | string;

/** One entity type, resolved for encoding and decoding. */
export interface CompiledEntityType {
  readonly name: string;
  /** Wire index of the type. */
  readonly index: number;
  readonly fields: readonly string[];
  readonly kinds: readonly FieldKind[];
  /** Quantization step per field; 0 where the field is not quantized. */
  readonly steps: readonly number[];
}

/** A state shape resolved into wire order. */
export interface CompiledShape {
  readonly types: readonly CompiledEntityType[];
  readonly byName: ReadonlyMap<string, CompiledEntityType>;
}

/** The shape as sent in WELCOME: `[[typeName, [[field, kind, step], ...]], ...]`. */
export type WireShape = [string, [string, FieldKind, number][]][];

const KIND_OF: Record<FieldSpec['type'], FieldKind> = {
  number: FieldKind.NUMBER,
  int: FieldKind.INT,
  bool: FieldKind.BOOL,
  string: FieldKind.STRING,
};

/** Thrown when a declared or received state shape is not usable. */
export class StateShapeError extends Error {
  override readonly name = 'StateShapeError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
/** Names that would collide with the entity's own keys or with Object.prototype on a mirror object. */
const RESERVED = new Set(['id', 'type', '__proto__', 'constructor', 'prototype']);

/** Resolve a declared shape into wire order, rejecting anything the codec cannot carry. */
export function compileShape(shape: StateShape): CompiledShape {
  const wire: WireShape = Object.entries(shape).map(([name, spec]) => [
    name,
    Object.entries(spec).map(([field, f]): [string, FieldKind, number] => {
      const kind = KIND_OF[f?.type];
      if (kind === undefined) throw new StateShapeError(`${name}.${field}: unknown field type`);
      const step = f.type === 'number' ? (f.quantize ?? 0) : 0;
      return [field, kind, step];
    }),
  ]);
  return shapeFromWire(wire);
}

/** The shape in the form WELCOME carries it. */
export function shapeToWire(shape: CompiledShape): WireShape {
  return shape.types.map((t) => [t.name, t.fields.map((f, i) => [f, t.kinds[i]!, t.steps[i]!])]);
}

/** Rebuild a compiled shape from WELCOME's wire form, validating every part of it. */
export function shapeFromWire(wire: unknown): CompiledShape {
  if (!Array.isArray(wire) || wire.length === 0 || wire.length > 64) {
    throw new StateShapeError('state shape must list 1 to 64 entity types');
  }
  const types: CompiledEntityType[] = [];
  const byName = new Map<string, CompiledEntityType>();
  wire.forEach((entry: unknown, index) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new StateShapeError(`type #${index}: malformed`);
    const [name, fieldList] = entry as [unknown, unknown];
    if (typeof name !== 'string' || !NAME.test(name) || byName.has(name) || RESERVED.has(name)) {
      throw new StateShapeError(`type #${index}: bad or duplicate name`);
    }
    if (!Array.isArray(fieldList) || fieldList.length === 0 || fieldList.length > MAX_FIELDS_PER_ENTITY) {
      throw new StateShapeError(`${name}: must declare 1 to ${MAX_FIELDS_PER_ENTITY} fields`);
    }
    const fields: string[] = [];
    const kinds: FieldKind[] = [];
    const steps: number[] = [];
    for (const f of fieldList as unknown[]) {
      const [field, kind, step] = Array.isArray(f) ? f : [];
      if (typeof field !== 'string' || !NAME.test(field) || fields.includes(field) || RESERVED.has(field)) {
        throw new StateShapeError(`${name}: bad, reserved or duplicate field name ${String(field)}`);
      }
      if (
        kind !== FieldKind.NUMBER &&
        kind !== FieldKind.INT &&
        kind !== FieldKind.BOOL &&
        kind !== FieldKind.STRING
      ) {
        throw new StateShapeError(`${name}.${field}: unknown field kind`);
      }
      if (
        typeof step !== 'number' ||
        !(step >= 0) ||
        !Number.isFinite(step) ||
        (step > 0 && kind !== FieldKind.NUMBER)
      ) {
        throw new StateShapeError(
          `${name}.${field}: quantize must be a positive finite step on a number field`,
        );
      }
      fields.push(field);
      kinds.push(kind);
      steps.push(step);
    }
    const type: CompiledEntityType = { name, index, fields, kinds, steps };
    types.push(type);
    byName.set(name, type);
  });
  return { types, byName };
}
