/**
 * The state-sync correctness property: for any shape, any sequence of world states and any delivery
 * schedule, a client mirror fed the real frames holds exactly the server's quantized state.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeMessage } from './codec.ts';
import { MessageType } from './codes.ts';
import { StateMirror } from './delta-apply.ts';
import {
  deltaFrame,
  diffSnapshots,
  fullEntities,
  packDeltaBody,
  packSnapshotBody,
  roomDeltaFrame,
  snapshotFrame,
} from './delta-encode.ts';
import { dequantize, type EntityRecord, quantize, type Snapshot, takeSnapshot } from './snapshot.ts';
import { applyStateMessage } from './state-message.ts';
import { type CompiledShape, compileShape, type FieldSpec, type StateShape } from './state-shape.ts';

const ID_POOL = [0, 1, 2, 3, 4, 127, 128, 70_000];
const MAX_TICKS = 25;

// ---- arbitraries -------------------------------------------------------------------------------

const fieldSpec: fc.Arbitrary<FieldSpec> = fc.oneof(
  fc.constantFrom(0.01, 0.1, 0.25, 1).map((quantize): FieldSpec => ({ type: 'number', quantize })),
  fc.constant<FieldSpec>({ type: 'number' }),
  fc.constant<FieldSpec>({ type: 'int' }),
  fc.constant<FieldSpec>({ type: 'bool' }),
  fc.constant<FieldSpec>({ type: 'string' }),
);

const stateShape: fc.Arbitrary<StateShape> = fc
  .array(fc.array(fieldSpec, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map((types) =>
    Object.fromEntries(
      types.map((fields, t) => [`t${t}`, Object.fromEntries(fields.map((f, i) => [`f${i}`, f]))]),
    ),
  );

const number = fc.oneof(
  fc.double(), // includes NaN, ±Infinity, -0 and huge values
  fc.integer({ min: -2000, max: 2000 }),
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.constantFrom(
    0,
    -0,
    0.005,
    -0.005,
    0.125,
    2 ** 51,
    -(2 ** 53),
    1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ),
);

/** One value per kind; the field's kind picks which is used. */
const raw = fc.record({
  n: number,
  b: fc.boolean(),
  s: fc.oneof(
    fc.string({ unit: 'grapheme' }),
    // Halves of '👋' in any order: pairs and lone surrogates (which UTF-8 cannot carry as they are).
    fc.string({ unit: fc.constantFrom('\uD83D', '\uDC4B', 'a', 'é'), maxLength: 4 }),
    fc.constant(''),
  ),
});
type Raw = typeof raw extends fc.Arbitrary<infer R> ? R : never;

const id = fc.constantFrom(...ID_POOL);
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), id, field: fc.nat(5), value: raw }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), id }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('spawn' as const),
      id,
      type: fc.nat(2),
      values: fc.array(raw, { minLength: 6, maxLength: 6 }),
    }),
  },
);
type Op = typeof op extends fc.Arbitrary<infer O> ? O : never;

/** Ops per tick: the world at tick i is the world at tick i - 1 with ops[i] applied. */
const history = fc.array(fc.array(op, { maxLength: 6 }), { minLength: 1, maxLength: MAX_TICKS });

const firstTick = fc.constantFrom(0, 100, 126, 250, 65_530, 2 ** 32 - 5);

/** Which ticks the skipping client gets (tick 0 always, as a snapshot). */
const delivered = fc.array(fc.boolean(), { minLength: MAX_TICKS, maxLength: MAX_TICKS });

/** Per tick, a bit per ID_POOL entry: whether that id is visible to the client. */
const visibility = fc.array(fc.nat(2 ** ID_POOL.length - 1), { minLength: MAX_TICKS, maxLength: MAX_TICKS });

// ---- the server side ---------------------------------------------------------------------------

type Live = { id: number; type: string; [field: string]: unknown };

/** What the world looked like at one tick: each entity's type and raw (unquantized) values. */
type Frozen = Map<number, { readonly type: string; readonly values: readonly unknown[] }>;

interface Server {
  readonly shape: CompiledShape;
  readonly snapshots: Snapshot[];
  readonly worlds: Frozen[];
  readonly ticks: number[];
}

function pick(kind: string, r: Raw): unknown {
  return kind === 'bool' ? r.b : kind === 'string' ? r.s : r.n;
}

function runServer(declared: StateShape, ops: Op[][], tick0: number): Server {
  const shape = compileShape(declared);
  const world = new Map<number, Live>();
  const server: Server = { shape, snapshots: [], worlds: [], ticks: [] };
  ops.forEach((tickOps, i) => {
    for (const o of tickOps) {
      if (o.op === 'remove') {
        world.delete(o.id);
      } else if (o.op === 'spawn') {
        const type = shape.types[o.type % shape.types.length]!;
        const e: Live = { id: o.id, type: type.name };
        type.fields.forEach((f, k) => {
          e[f] = pick(declared[type.name]![f]!.type, o.values[k]!);
        });
        world.set(o.id, e); // a new object, even for the same id and type
      } else {
        const e = world.get(o.id);
        if (e === undefined) continue;
        const spec = declared[e.type]!;
        const f = Object.keys(spec)[o.field % Object.keys(spec).length]!;
        e[f] = pick(spec[f]!.type, o.value); // mutated in place, as a game does
      }
    }
    const tick = tick0 + i;
    server.snapshots.push(takeSnapshot(shape, tick, world.values(), server.snapshots[i - 1] ?? null));
    server.worlds.push(
      new Map(
        [...world.values()].map((e) => [
          e.id,
          { type: e.type, values: shape.byName.get(e.type)!.fields.map((f) => e[f]) },
        ]),
      ),
    );
    server.ticks.push(tick);
  });
  return server;
}

// ---- the client side ---------------------------------------------------------------------------

type Action = 'snapshot' | 'delta' | 'skip';

interface Client {
  readonly mirror: StateMirror;
  readonly schedule: readonly Action[];
  /** index of the tick the client last received: its baseline */
  base: number;
  /** ids it holds (for scoped clients) */
  before: Set<number>;
}

function fail(message: string): never {
  throw new Error(message);
}

/** Decode a frame exactly as the SDK would and feed it to the mirror. */
function deliver(mirror: StateMirror, frame: Uint8Array, ackSeq: number): void {
  const msg = decodeMessage(frame);
  if (msg[0] === MessageType.SNAPSHOT) {
    if (msg.length !== 4 || msg[2] !== ackSeq) fail(`bad snapshot header ${JSON.stringify(msg.slice(0, 3))}`);
    mirror.applySnapshot(msg[1] as number, msg[3]);
  } else {
    if (msg[0] !== MessageType.DELTA || msg.length !== 7 || msg[3] !== ackSeq) fail('bad delta header');
    mirror.applyDelta(msg[1] as number, msg[2] as number, msg[4], msg[5], msg[6]);
  }
}

/** The mirror must equal the server's quantized world at tick index i (restricted to `visible`). */
function expectMirror(server: Server, i: number, mirror: StateMirror, visible?: ReadonlySet<number>): void {
  const world = server.worlds[i]!;
  const snapshot = server.snapshots[i]!;
  if (mirror.tick !== server.ticks[i]) fail(`mirror at tick ${mirror.tick}, server at ${server.ticks[i]}`);
  const want = [...world.keys()].filter((id) => visible === undefined || visible.has(id)).sort();
  const have = [...mirror.entities.keys()].sort();
  if (want.join() !== have.join()) fail(`tick ${i}: mirror has ids [${have}], server [${want}]`);
  for (const entityId of want) {
    const expected = world.get(entityId)!;
    const actual = mirror.entities.get(entityId)!;
    const type = server.shape.byName.get(expected.type)!;
    if (actual.type !== expected.type || actual.id !== entityId) fail(`entity ${entityId}: wrong type or id`);
    type.fields.forEach((f, k) => {
      const kind = type.kinds[k]!;
      const step = type.steps[k]!;
      const value = dequantize(kind, step, quantize(kind, step, expected.values[k]));
      if (!Object.is(actual[f], value)) {
        fail(`tick ${i} entity ${entityId}.${f}: mirror ${String(actual[f])}, server ${String(value)}`);
      }
    });
    const wire = mirror.wireValues(entityId)!;
    const rec = snapshot.entities.get(entityId)!;
    if (!rec.values.every((v, k) => Object.is(v, wire[k]))) fail(`entity ${entityId}: wire values differ`);
  }
}

function schedules(ticks: number, skips: boolean[], snapshotAt: number): Action[][] {
  const first = (a: Action[]): Action[] => ['snapshot', ...a.slice(1)];
  const all = Array.from({ length: ticks }, (): Action => 'delta');
  return [
    first(all),
    first(all.map((_, i) => (skips[i] ? 'delta' : 'skip'))),
    first(all.map((_, i) => (i === snapshotAt % ticks ? 'snapshot' : 'delta'))),
  ];
}

const ackSeqAt = (i: number): number => i * 4099; // crosses the 1-, 2-, 3- and 5-byte forms

describe('state sync property', () => {
  it('a mirror fed real frames always equals the quantized server state', () => {
    fc.assert(
      fc.property(
        stateShape,
        history,
        firstTick,
        delivered,
        fc.nat(),
        (declared, ops, tick0, skips, snapAt) => {
          const server = runServer(declared, ops, tick0);
          const clients: Client[] = schedules(ops.length, skips, snapAt).map((schedule) => ({
            mirror: new StateMirror(server.shape),
            schedule,
            base: -1,
            before: new Set(),
          }));
          for (let i = 0; i < ops.length; i++) {
            // Encode once per baseline, as the server does; later packs must not disturb earlier bodies.
            const bodies = new Map<number, Uint8Array>();
            const frames = clients.map((c) => {
              const action = c.schedule[i]!;
              if (action === 'skip') return null;
              if (action === 'snapshot') {
                return snapshotFrame(
                  server.ticks[i]!,
                  ackSeqAt(i),
                  packSnapshotBody(fullEntities(server.snapshots[i]!)),
                );
              }
              let body = bodies.get(c.base);
              if (body === undefined) {
                body = packDeltaBody(diffSnapshots(server.snapshots[c.base]!, server.snapshots[i]!));
                bodies.set(c.base, body);
              }
              return deltaFrame(server.ticks[i]!, i - c.base, ackSeqAt(i), body);
            });
            clients.forEach((c, k) => {
              const frame = frames[k];
              if (frame === null || frame === undefined) return;
              deliver(c.mirror, frame, ackSeqAt(i));
              c.base = i;
              expectMirror(server, i, c.mirror);
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with a view filter, the mirror equals exactly the visible part of the server state', () => {
    fc.assert(
      fc.property(
        stateShape,
        history,
        firstTick,
        delivered,
        fc.nat(),
        visibility,
        (declared, ops, tick0, skips, snapAt, bits) => {
          const server = runServer(declared, ops, tick0);
          const visibleAt = bits.map((b) => new Set(ID_POOL.filter((_, k) => (b & (1 << k)) !== 0)));
          const clients: Client[] = schedules(ops.length, skips, snapAt).map((schedule) => ({
            mirror: new StateMirror(server.shape),
            schedule,
            base: -1,
            before: new Set(),
          }));
          for (let i = 0; i < ops.length; i++) {
            const visible = visibleAt[i]!;
            const isVisible = (r: EntityRecord): boolean => visible.has(r.id);
            // On odd ticks only some records are offered, as an interest grid offers the cells
            // around a client: every visible one, plus some that the filter still turns down.
            const candidates =
              i % 2 === 1
                ? [...server.snapshots[i]!.entities.values()].filter(
                    (r) => visible.has(r.id) || r.id % 2 === 0,
                  )
                : undefined;
            for (const c of clients) {
              const action = c.schedule[i]!;
              if (action === 'skip') continue;
              const after = new Set<number>();
              const frame =
                action === 'snapshot'
                  ? snapshotFrame(
                      server.ticks[i]!,
                      ackSeqAt(i),
                      packSnapshotBody(
                        fullEntities(server.snapshots[i]!, {
                          isVisible,
                          after,
                          ...(candidates ? { candidates } : {}),
                        }),
                      ),
                    )
                  : deltaFrame(
                      server.ticks[i]!,
                      i - c.base,
                      ackSeqAt(i),
                      packDeltaBody(
                        diffSnapshots(server.snapshots[c.base]!, server.snapshots[i]!, {
                          before: c.before,
                          isVisible,
                          after,
                          ...(candidates ? { candidates } : {}),
                        }),
                      ),
                    );
              deliver(c.mirror, frame, ackSeqAt(i));
              c.base = i;
              c.before = after;
              expectMirror(server, i, c.mirror, visible);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('clients on the common baseline share one ROOM_DELTA and each reads its own ack from it', () => {
    // Each client's ack grows at its own pace, so an entry read from the wrong slot shows.
    const ackAt = (i: number, slot: number): number => i * 4099 + slot * 131 * i;
    fc.assert(
      fc.property(
        stateShape,
        history,
        firstTick,
        delivered,
        fc.nat(),
        fc.nat(40),
        (declared, ops, tick0, skips, snapAt, extraSlots) => {
          const server = runServer(declared, ops, tick0);
          const clients = schedules(ops.length, skips, snapAt).map((schedule, slot) => ({
            mirror: new StateMirror(server.shape),
            schedule,
            base: -1,
            slot,
            ack: 0,
          }));
          // Slots of seats that are not in this frame (other clients, empty seats) carry zeros.
          const slots = clients.length + extraSlots;
          for (let i = 0; i < ops.length; i++) {
            const acks = new Array<number>(slots).fill(0);
            const members: typeof clients = [];
            for (const c of clients) {
              const action = c.schedule[i]!;
              if (action === 'skip') continue;
              if (action === 'delta' && c.base === i - 1) {
                acks[c.slot] = ackAt(i, c.slot) - c.ack;
                members.push(c);
                continue;
              }
              const frame =
                action === 'snapshot'
                  ? snapshotFrame(
                      server.ticks[i]!,
                      ackAt(i, c.slot),
                      packSnapshotBody(fullEntities(server.snapshots[i]!)),
                    )
                  : deltaFrame(
                      server.ticks[i]!,
                      i - c.base,
                      ackAt(i, c.slot),
                      packDeltaBody(diffSnapshots(server.snapshots[c.base]!, server.snapshots[i]!)),
                    );
              const applied = applyStateMessage(c.mirror, decodeMessage(frame), c.ack, c.slot);
              if (applied.ackSeq !== ackAt(i, c.slot)) fail(`slot ${c.slot}: ack ${applied.ackSeq}`);
              c.ack = applied.ackSeq;
              c.base = i;
              expectMirror(server, i, c.mirror);
            }
            if (members.length === 0) continue;
            const body = packDeltaBody(diffSnapshots(server.snapshots[i - 1]!, server.snapshots[i]!));
            const frame = roomDeltaFrame(server.ticks[i]!, 1, acks, slots, body);
            for (const c of members) {
              const message = decodeMessage(frame);
              if (message[0] !== MessageType.ROOM_DELTA || message.length !== 7)
                fail('bad room delta header');
              const applied = applyStateMessage(c.mirror, message, c.ack, c.slot);
              if (applied.ackSeq !== ackAt(i, c.slot))
                fail(`slot ${c.slot}: ack ${applied.ackSeq} from the room frame`);
              c.ack = applied.ackSeq;
              c.base = i;
              expectMirror(server, i, c.mirror);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
