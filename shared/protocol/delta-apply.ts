/**
 * Client side of state sync: a mirror of the room's entities, fed by SNAPSHOT and DELTA payloads.
 * The payloads are bytes from the network, so each one is validated completely before the mirror
 * changes: an apply either succeeds or throws ProtocolError and leaves the mirror as it was.
 */
import { FieldKind } from './codes.ts';
import { dequantize, isIntegerField, MAX_WIRE_INT } from './snapshot.ts';
import type { CompiledEntityType, CompiledShape, WireValue } from './state-shape.ts';

/** A state message the mirror cannot apply; the client should reconnect for a full snapshot. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** 'malformed_state' (the payload is not valid state) or 'desync' (it does not fit the mirror). */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** An entity as game and UI code see it: id, type name and dequantized fields. */
export interface MirrorEntity {
  readonly id: number;
  readonly type: string;
  [field: string]: number | boolean | string;
}

/** The ids an apply touched, for renderers and interpolation. */
export interface ApplyResult {
  readonly created: readonly number[];
  readonly changed: readonly number[];
  readonly removed: readonly number[];
}

interface Slot {
  readonly type: CompiledEntityType;
  /** Quantized values: differences apply to these, exactly as the server computed them. */
  readonly values: WireValue[];
  readonly entity: Record<string, WireValue>;
}

const malformed = (message: string): ProtocolError => new ProtocolError('malformed_state', message);
const desync = (message: string): ProtocolError => new ProtocolError('desync', message);

/** The client's copy of a room's state, updated in place so UI code can hold entity references. */
export class StateMirror {
  readonly #shape: CompiledShape;
  #tick = -1;
  readonly #slots = new Map<number, Slot>();
  readonly #entities = new Map<number, MirrorEntity>();
  // Scratch sets for validation, reused across applies.
  readonly #removing = new Set<number>();
  readonly #creating = new Set<number>();
  readonly #changing = new Set<number>();

  constructor(shape: CompiledShape) {
    this.#shape = shape;
  }

  /** Tick of the state the mirror holds; -1 before the first snapshot. */
  get tick(): number {
    return this.#tick;
  }

  /** The entities by id. Objects stay the same while an entity lives; fields change in place. */
  get entities(): ReadonlyMap<number, MirrorEntity> {
    return this.#entities;
  }

  /** Replace the state with a SNAPSHOT's entity list (created layout). */
  applySnapshot(tick: number, entities: unknown): ApplyResult {
    if (!isUint(tick)) throw malformed(`snapshot tick ${String(tick)} is not a non-negative integer`);
    const list = asArray(entities, 'snapshot entities');
    this.#clearScratch();
    this.#checkCreated(list, 'snapshot', false);

    const created: number[] = [];
    const changed: number[] = [];
    const removed: number[] = [];
    for (const id of this.#slots.keys()) {
      if (!this.#creating.has(id)) {
        this.#delete(id);
        removed.push(id);
      }
    }
    for (let i = 0; i < list.length; ) {
      const id = list[i] as number;
      const type = this.#shape.types[list[i + 1] as number]!;
      const slot = this.#slots.get(id);
      if (slot !== undefined && slot.type === type) {
        if (this.#overwrite(slot, list, i + 2)) changed.push(id);
      } else {
        if (slot !== undefined) {
          this.#delete(id);
          removed.push(id);
        }
        this.#create(id, type, list, i + 2);
        created.push(id);
      }
      i += 2 + type.fields.length;
    }
    this.#tick = tick;
    return { created, changed, removed };
  }

  /** Apply a DELTA from tick - span (which must be the mirror's tick) to tick. */
  applyDelta(tick: number, span: number, created: unknown, changed: unknown, removed: unknown): ApplyResult {
    if (!isUint(tick) || !isUint(span) || span === 0) {
      throw malformed(`delta tick ${String(tick)} / span ${String(span)} are not integers with span >= 1`);
    }
    if (this.#tick < 0) throw desync('delta before any snapshot');
    if (tick - span !== this.#tick) {
      throw desync(`delta from tick ${tick - span} but the mirror is at tick ${this.#tick}`);
    }
    const createdList = asArray(created, 'created');
    const changedList = asArray(changed, 'changed');
    const removedList = asArray(removed, 'removed');
    this.#clearScratch();
    this.#checkRemoved(removedList);
    this.#checkCreated(createdList, 'created', true);
    this.#checkChanged(changedList);

    for (const id of removedList as number[]) this.#delete(id);
    const createdIds: number[] = [];
    for (let i = 0; i < createdList.length; ) {
      const id = createdList[i] as number;
      const type = this.#shape.types[createdList[i + 1] as number]!;
      this.#create(id, type, createdList, i + 2);
      createdIds.push(id);
      i += 2 + type.fields.length;
    }
    const changedIds: number[] = [];
    for (let i = 0; i < changedList.length; ) {
      const id = changedList[i] as number;
      i = this.#patch(this.#slots.get(id)!, changedList[i + 1] as number, changedList, i + 2);
      changedIds.push(id);
    }
    this.#tick = tick;
    return { created: createdIds, changed: changedIds, removed: removedList as number[] };
  }

  /** The quantized values of an entity, as the server holds them. */
  wireValues(id: number): readonly WireValue[] | undefined {
    return this.#slots.get(id)?.values;
  }

  /** Forget everything, e.g. when the connection is lost. */
  clear(): void {
    this.#slots.clear();
    this.#entities.clear();
    this.#tick = -1;
  }

  #clearScratch(): void {
    this.#removing.clear();
    this.#creating.clear();
    this.#changing.clear();
  }

  #checkRemoved(list: readonly unknown[]): void {
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (!isUint(id)) throw malformed(`removed[${i}]: ${describe(id)} is not an entity id`);
      if (!this.#slots.has(id)) throw desync(`removed[${i}]: no entity ${id}`);
      if (this.#removing.has(id)) throw malformed(`removed[${i}]: entity ${id} listed twice`);
      this.#removing.add(id);
    }
  }

  /** Validate a created-layout list; ids go to #creating. In a delta, an id must not exist unless
   * it is removed first; a snapshot replaces everything, so there any id may exist. */
  #checkCreated(list: readonly unknown[], what: string, isDelta: boolean): void {
    const { types } = this.#shape;
    for (let i = 0; i < list.length; ) {
      const id = list[i];
      const typeIndex = list[i + 1];
      if (!isUint(id)) throw malformed(`${what}[${i}]: ${describe(id)} is not an entity id`);
      if (i + 1 >= list.length) throw malformed(`${what}[${i}]: entity ${id} has no type`);
      if (!isUint(typeIndex) || typeIndex >= types.length) {
        throw malformed(`${what}[${i + 1}]: entity ${id} has unknown type index ${describe(typeIndex)}`);
      }
      if (this.#creating.has(id)) throw malformed(`${what}[${i}]: entity ${id} listed twice`);
      if (isDelta && this.#slots.has(id) && !this.#removing.has(id)) {
        throw desync(`${what}[${i}]: entity ${id} already exists`);
      }
      this.#creating.add(id);
      const type = types[typeIndex]!;
      const start = i + 2;
      if (start + type.fields.length > list.length) {
        throw malformed(`${what}[${i}]: entity ${id} (${type.name}) needs ${type.fields.length} values`);
      }
      for (let f = 0; f < type.fields.length; f++) {
        const problem = checkValue(type.kinds[f]!, type.steps[f]!, list[start + f]);
        if (problem !== null) {
          throw malformed(
            `${what}[${start + f}]: ${type.name}.${type.fields[f]} of entity ${id}: ${problem}`,
          );
        }
      }
      i = start + type.fields.length;
    }
  }

  /** Validate a changed list against the mirror as it will be after removed and created. */
  #checkChanged(list: readonly unknown[]): void {
    for (let i = 0; i < list.length; ) {
      const id = list[i];
      const mask = list[i + 1];
      if (!isUint(id)) throw malformed(`changed[${i}]: ${describe(id)} is not an entity id`);
      const slot = this.#slots.get(id);
      if (slot === undefined || this.#removing.has(id) || this.#creating.has(id)) {
        throw desync(`changed[${i}]: no entity ${id} to change`);
      }
      if (this.#changing.has(id)) throw malformed(`changed[${i}]: entity ${id} listed twice`);
      this.#changing.add(id);
      const { type, values } = slot;
      const n = type.fields.length;
      if (!isUint(mask) || mask === 0 || mask >= 2 ** n) {
        throw malformed(`changed[${i + 1}]: ${describe(mask)} is not a field mask for ${type.name}`);
      }
      let at = i + 2;
      // Stryker disable next-line EqualityOperator: equivalent, a checked mask has no bit past the last field
      for (let f = 0; f < n; f++) {
        if ((mask & (1 << f)) === 0) continue;
        if (at >= list.length)
          throw malformed(`changed[${at}]: entity ${id} is missing ${type.name}.${type.fields[f]}`);
        const kind = type.kinds[f]!;
        const step = type.steps[f]!;
        const v = list[at];
        const problem = isIntegerField(kind, step)
          ? checkDifference(values[f] as number, v)
          : checkValue(kind, step, v);
        if (problem !== null)
          throw malformed(`changed[${at}]: ${type.name}.${type.fields[f]} of entity ${id}: ${problem}`);
        at++;
      }
      i = at;
    }
  }

  #create(id: number, type: CompiledEntityType, list: readonly unknown[], start: number): void {
    const values = list.slice(start, start + type.fields.length) as WireValue[];
    const entity: Record<string, WireValue> = { id, type: type.name };
    for (let f = 0; f < values.length; f++) {
      values[f] = normalize(values[f]!);
      entity[type.fields[f]!] = dequantize(type.kinds[f]!, type.steps[f]!, values[f]!);
    }
    this.#slots.set(id, { type, values, entity });
    this.#entities.set(id, entity as MirrorEntity);
  }

  /** Set all fields from a snapshot; returns whether any changed. */
  #overwrite(slot: Slot, list: readonly unknown[], start: number): boolean {
    const { type, values, entity } = slot;
    let any = false;
    for (let f = 0; f < values.length; f++) {
      const v = normalize(list[start + f] as WireValue);
      if (v === values[f]) continue;
      values[f] = v;
      entity[type.fields[f]!] = dequantize(type.kinds[f]!, type.steps[f]!, v);
      any = true;
    }
    return any;
  }

  /** Apply one validated changed entry; returns the index after it. */
  #patch(slot: Slot, mask: number, list: readonly unknown[], at: number): number {
    const { type, values, entity } = slot;
    for (let f = 0; f < values.length; f++) {
      if ((mask & (1 << f)) === 0) continue;
      const kind = type.kinds[f]!;
      const step = type.steps[f]!;
      const v = list[at++] as WireValue;
      values[f] = isIntegerField(kind, step) ? (values[f] as number) + (v as number) : normalize(v);
      entity[type.fields[f]!] = dequantize(kind, step, values[f]!);
    }
    return at;
  }

  #delete(id: number): void {
    this.#slots.delete(id);
    this.#entities.delete(id);
  }
}

function isUint(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function asArray(v: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(v)) throw malformed(`${what} is ${describe(v)}, not an array`);
  return v;
}

/** What is wrong with a full wire value for this field, or null. */
function checkValue(kind: FieldKind, step: number, v: unknown): string | null {
  if (isIntegerField(kind, step)) {
    return Number.isSafeInteger(v) && Math.abs(v as number) <= MAX_WIRE_INT
      ? null
      : `${describe(v)} is not an integer within ±2^51`;
  }
  switch (kind) {
    case FieldKind.NUMBER:
      return Number.isFinite(v) ? null : `${describe(v)} is not a finite number`;
    case FieldKind.BOOL:
      return typeof v === 'boolean' ? null : `${describe(v)} is not a boolean`;
    default:
      return typeof v === 'string' ? null : `${describe(v)} is not a string`;
  }
}

/** What is wrong with a difference for an integer field currently holding `base`, or null. */
function checkDifference(base: number, d: unknown): string | null {
  if (!Number.isSafeInteger(d)) return `difference ${describe(d)} is not an integer`;
  const next = base + (d as number);
  return Math.abs(next) <= MAX_WIRE_INT ? null : `difference ${d} takes the value past ±2^51`;
}

/** -0 cannot come from a correct server (quantize removes it); keep the mirror free of it anyway. */
function normalize(v: WireValue): WireValue {
  return v === 0 ? 0 : v;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null || typeof v !== 'object') return String(v);
  return 'an object';
}
