/**
 * Server side of state sync: the difference between two snapshots as flat wire lists, and the
 * SNAPSHOT / DELTA frames around an encoded body. A body is encoded once per room and baseline; each
 * client gets it behind its own few-byte header, so sending costs one copy per client.
 */
import { encodeValue } from './codec.ts';
import { MessageType } from './codes.ts';
import { type EntityRecord, isIntegerField, type Snapshot } from './snapshot.ts';
import type { WireValue } from './state-shape.ts';

/**
 * What changed between two snapshots, in wire layout. The client applies removed, then created,
 * then changed; an id whose type changed is in both removed and created.
 */
export interface DeltaBody {
  /** `[id, typeIndex, v0, v1, ..., id, typeIndex, ...]`: every field of each new entity. */
  readonly created: WireValue[];
  /** `[id, mask, values..., id, mask, ...]`: bit i of mask means field i follows; integer fields
   * (INT, quantized NUMBER) carry the difference from the baseline, others the new value. */
  readonly changed: WireValue[];
  /** `[id, id, ...]`. */
  readonly removed: number[];
}

/** Optional per-client interest filter. */
export interface ViewScope {
  /** ids the client had at its baseline (what was last sent to it); required with isVisible */
  readonly before: ReadonlySet<number>;
  readonly isVisible: (record: EntityRecord) => boolean;
  /**
   * records of `current` to consider instead of all of them (an interest grid's cells around the
   * client): must include every record isVisible would accept, so the cost follows the view
   */
  readonly candidates?: Iterable<EntityRecord>;
  /** filled with the ids visible now (becomes `before` for the next send); cleared first, so two
   * sets can be alternated, but it must not be the same set as `before` */
  readonly after: Set<number>;
}

/** The changes that turn `base` (the client's baseline) into `current`, optionally filtered by view. */
export function diffSnapshots(base: Snapshot, current: Snapshot, scope?: ViewScope): DeltaBody {
  const body: DeltaBody = { created: [], changed: [], removed: [] };
  if (scope === undefined) {
    if (base.ascending && current.ascending) return mergeDiff(body, base.records, current.records);
    for (const [id, rec] of current.entities) {
      const old = base.entities.get(id);
      if (old === undefined) {
        pushCreated(body.created, rec);
      } else if (old.type.index !== rec.type.index) {
        body.removed.push(id);
        pushCreated(body.created, rec);
      } else if (old !== rec) {
        pushChanged(body.changed, old, rec);
      }
    }
    for (const id of base.entities.keys()) {
      if (!current.entities.has(id)) body.removed.push(id);
    }
    return body;
  }

  const { before, isVisible, after } = scope;
  if ((after as ReadonlySet<number>) === before) throw new TypeError('scope.after must not be scope.before');
  after.clear();
  for (const rec of scope.candidates ?? current.records) {
    if (!isVisible(rec)) continue;
    const id = rec.id;
    after.add(id);
    const old = base.entities.get(id);
    if (!before.has(id) || old === undefined || old.type.index !== rec.type.index) {
      pushCreated(body.created, rec);
    } else if (old !== rec) {
      pushChanged(body.changed, old, rec);
    }
  }
  for (const id of before) {
    const rec = current.entities.get(id);
    // The last clause also covers an id the client has but the baseline lacks: replace it whole.
    if (rec === undefined || !after.has(id) || base.entities.get(id)?.type.index !== rec.type.index) {
      body.removed.push(id);
    }
  }
  return body;
}

/**
 * The unfiltered diff of two snapshots whose ids ascend, by walking both at once: the same body as
 * the lookup by id (removed ids of changed types first, in current's order, then the gone ones).
 */
function mergeDiff(
  body: DeltaBody,
  base: readonly EntityRecord[],
  current: readonly EntityRecord[],
): DeltaBody {
  const gone: number[] = [];
  let i = 0;
  for (const rec of current) {
    const id = rec.id;
    while (i < base.length && base[i]!.id < id) gone.push(base[i++]!.id);
    const old = i < base.length && base[i]!.id === id ? base[i++] : undefined;
    if (old === undefined) {
      pushCreated(body.created, rec);
    } else if (old.type.index !== rec.type.index) {
      body.removed.push(id);
      pushCreated(body.created, rec);
    } else if (old !== rec) {
      pushChanged(body.changed, old, rec);
    }
  }
  while (i < base.length) gone.push(base[i++]!.id);
  for (const id of gone) body.removed.push(id);
  return body;
}

/** Every (visible) entity of `current` in created layout, for a SNAPSHOT. */
export function fullEntities(current: Snapshot, scope?: Omit<ViewScope, 'before'>): WireValue[] {
  const out: WireValue[] = [];
  scope?.after.clear();
  for (const rec of scope?.candidates ?? current.records) {
    if (scope !== undefined) {
      if (!scope.isVisible(rec)) continue;
      scope.after.add(rec.id);
    }
    pushCreated(out, rec);
  }
  return out;
}

function pushCreated(out: WireValue[], rec: EntityRecord): void {
  out.push(rec.id, rec.type.index);
  const { values } = rec;
  for (let i = 0; i < values.length; i++) out.push(values[i]!);
}

function pushChanged(out: WireValue[], old: EntityRecord, rec: EntityRecord): void {
  const before = old.values;
  const now = rec.values;
  let mask = 0;
  // Stryker disable next-line EqualityOperator: equivalent, one more round compares undefined with undefined
  for (let i = 0; i < now.length; i++) {
    if (now[i] !== before[i]) mask |= 1 << i;
  }
  if (mask === 0) return;
  out.push(rec.id, mask);
  const { kinds, steps } = rec.type;
  // Stryker disable next-line EqualityOperator: equivalent, the mask has no bit past the last field
  for (let i = 0; i < now.length; i++) {
    if ((mask & (1 << i)) === 0) continue;
    // Differences of quantized positions are small: 1 to 3 bytes instead of up to 9.
    out.push(isIntegerField(kinds[i]!, steps[i]!) ? (now[i] as number) - (before[i] as number) : now[i]!);
  }
}

/** The body of a DELTA: created, changed and removed as three msgpack values back to back. */
export function packDeltaBody(body: DeltaBody): Uint8Array {
  // A 3-element array encodes as its 1-byte fixarray marker followed by exactly those three values.
  return encodeValue([body.created, body.changed, body.removed]).subarray(1);
}

/** The body of a SNAPSHOT: the created-layout entity list as one msgpack array. */
export function packSnapshotBody(entities: WireValue[]): Uint8Array {
  return encodeValue(entities);
}

/**
 * Reusable memory for outgoing frames. The server writes every client's frame into the same
 * buffer, one after the other, and the transport copies each on send, so a tick allocates no
 * ArrayBuffer per client. A frame written here is valid until the next one is.
 */
export class FrameBuffer {
  #bytes = new Uint8Array(2048);

  /** `length` bytes to write a frame into, valid until the next call. */
  take(length: number): Uint8Array {
    // Stryker disable next-line EqualityOperator: cost only, a buffer of exactly the length is replaced by a bigger one
    if (length > this.#bytes.length) this.#bytes = new Uint8Array(Math.max(length, this.#bytes.length * 2));
    return this.#bytes.subarray(0, length);
  }
}

/**
 * `[DELTA, tick, span, ackSeq, created, changed, removed]`: a shared body behind this client's
 * header. With `into`, the frame is written into that reusable buffer instead of new memory.
 */
export function deltaFrame(
  tick: number,
  span: number,
  ackSeq: number,
  body: Uint8Array,
  into?: FrameBuffer,
): Uint8Array {
  checkUint('tick', tick);
  checkUint('span', span);
  checkUint('ackSeq', ackSeq);
  const head = 2 + uintSize(tick) + uintSize(span) + uintSize(ackSeq);
  const frame = into ? into.take(head + body.length) : new Uint8Array(head + body.length);
  frame[0] = 0x97; // fixarray of 7
  frame[1] = MessageType.DELTA; // positive fixint
  writeUint(frame, writeUint(frame, writeUint(frame, 2, tick), span), ackSeq);
  frame.set(body, head);
  return frame;
}

/**
 * `[ROOM_DELTA, tick, span, acks, created, changed, removed]`: one frame for every client on the
 * baseline `tick - span`, published once per room. `acks[slot]` is how far the ackSeq of the client
 * in that slot moved since its previous state message; only the first `slots` entries are written.
 */
export function roomDeltaFrame(
  tick: number,
  span: number,
  acks: ArrayLike<number>,
  slots: number,
  body: Uint8Array,
  into?: FrameBuffer,
): Uint8Array {
  checkUint('tick', tick);
  checkUint('span', span);
  if (!(Number.isInteger(slots) && slots >= 0 && slots <= acks.length && slots < 0x10000))
    throw new RangeError(`slots must be an integer from 0 to ${Math.min(acks.length, 0xffff)}: ${slots}`);
  let head = 2 + uintSize(tick) + uintSize(span) + (slots < 16 ? 1 : 3);
  for (let i = 0; i < slots; i++) {
    const ack = acks[i]!;
    checkUint('ack', ack);
    head += uintSize(ack);
  }
  const frame = into ? into.take(head + body.length) : new Uint8Array(head + body.length);
  frame[0] = 0x97; // fixarray of 7
  frame[1] = MessageType.ROOM_DELTA; // positive fixint
  let pos = writeUint(frame, writeUint(frame, 2, tick), span);
  if (slots < 16) {
    frame[pos++] = 0x90 | slots; // fixarray
  } else {
    frame[pos] = 0xdc; // array 16
    frame[pos + 1] = slots >>> 8;
    frame[pos + 2] = slots;
    pos += 3;
  }
  // Stryker disable next-line EqualityOperator: equivalent, the extra write lands in the body, which is copied over it next
  for (let i = 0; i < slots; i++) pos = writeUint(frame, pos, acks[i]!);
  frame.set(body, head);
  return frame;
}

/** `[SNAPSHOT, tick, ackSeq, entities]`: a shared body behind this client's header. */
export function snapshotFrame(
  tick: number,
  ackSeq: number,
  body: Uint8Array,
  into?: FrameBuffer,
): Uint8Array {
  checkUint('tick', tick);
  checkUint('ackSeq', ackSeq);
  const head = 2 + uintSize(tick) + uintSize(ackSeq);
  const frame = into ? into.take(head + body.length) : new Uint8Array(head + body.length);
  frame[0] = 0x94; // fixarray of 4
  frame[1] = MessageType.SNAPSHOT; // positive fixint
  writeUint(frame, writeUint(frame, 2, tick), ackSeq);
  frame.set(body, head);
  return frame;
}

const TWO_32 = 2 ** 32;

function checkUint(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name} must be a non-negative safe integer: ${n}`);
}

/** Bytes of the smallest msgpack unsigned int holding n. */
function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < TWO_32 ? 5 : 9;
}

/** Write n as the smallest msgpack unsigned int at pos; returns the position after it. */
function writeUint(out: Uint8Array, pos: number, n: number): number {
  if (n < 0x80) {
    out[pos] = n;
    return pos + 1;
  }
  if (n < 0x100) {
    out[pos] = 0xcc;
    out[pos + 1] = n;
    return pos + 2;
  }
  if (n < 0x10000) {
    out[pos] = 0xcd;
    out[pos + 1] = n >>> 8;
    out[pos + 2] = n;
    return pos + 3;
  }
  if (n < TWO_32) {
    out[pos] = 0xce;
    writeUint32(out, pos + 1, n);
    return pos + 5;
  }
  out[pos] = 0xcf;
  writeUint32(out, pos + 1, Math.floor(n / TWO_32));
  writeUint32(out, pos + 5, n >>> 0);
  return pos + 9;
}

function writeUint32(out: Uint8Array, pos: number, n: number): void {
  // Uint8Array stores each value modulo 256, so no masking is needed.
  out[pos] = n >>> 24;
  out[pos + 1] = n >>> 16;
  out[pos + 2] = n >>> 8;
  out[pos + 3] = n;
}
