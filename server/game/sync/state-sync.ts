import {
  deltaFrame,
  diffSnapshots,
  FrameBuffer,
  fullEntities,
  packDeltaBody,
  packSnapshotBody,
  roomDeltaFrame,
  snapshotFrame,
} from '../../../shared/protocol/delta-encode.ts';
import type { EntityRecord, Snapshot } from '../../../shared/protocol/snapshot.ts';
import type { SnapshotHistory } from './snapshot-history.ts';

/** What the sync layer knows about one client: the state it last sent to it. */
export interface ClientBaseline {
  /** Tick of the last state frame sent; -1 when the client needs a full snapshot. */
  baselineTick: number;
  /** Entity ids the client had at its baseline; only kept for rooms with a view filter. */
  visible: Set<number> | undefined;
  /** The set `visible` was before, reused for the next tick's view (cleared before use). */
  spareVisible?: Set<number> | undefined;
}

/** One encoded state frame for one client. */
export interface StateFrame {
  readonly bytes: Uint8Array;
  readonly full: boolean;
}

/**
 * Encodes a room's state for its clients, once per tick. Clients on the same baseline share one
 * encoded body (encode once per room per baseline, not once per client); each frame only adds a
 * few header bytes carrying that client's own ack. A client whose baseline left the history, or
 * who just joined or reconnected, gets a full snapshot.
 */
export class StateSync {
  readonly #history: SnapshotHistory;
  readonly #bodies = new Map<number, Uint8Array>();
  readonly #out = new FrameBuffer();
  #current: Snapshot | undefined;
  #previousTick = -1;

  constructor(history: SnapshotHistory) {
    this.#history = history;
  }

  /** Start a new tick's sends; drops last tick's encoded bodies. */
  begin(current: Snapshot): void {
    this.#previousTick = this.#current?.tick ?? -1;
    this.#current = current;
    this.#bodies.clear();
    this.#history.push(current);
  }

  /**
   * The tick of the previous begin() while its snapshot is still in the history, else -1: the
   * common baseline of the clients that got last tick's state, which a ROOM_DELTA is encoded from.
   */
  get commonBaseline(): number {
    const tick = this.#previousTick;
    return tick >= 0 && this.#history.get(tick) !== undefined ? tick : -1;
  }

  /**
   * The ROOM_DELTA from `commonBaseline` to this tick, carrying `acks[0..slots)`. Shares its body
   * with the DELTAs of v1 clients on that baseline; valid until the next frame is asked for.
   */
  roomFrame(acks: ArrayLike<number>, slots: number): Uint8Array {
    const current = this.#current;
    const baseTick = this.commonBaseline;
    const base = baseTick >= 0 ? this.#history.get(baseTick) : undefined;
    if (!current || !base) throw new Error('StateSync.roomFrame without a common baseline');
    const body = this.#deltaBody(base, current);
    return roomDeltaFrame(current.tick, current.tick - base.tick, acks, slots, body, this.#out);
  }

  /** Distinct bodies encoded this tick (for tests and metrics). */
  get encodedBodies(): number {
    return this.#bodies.size;
  }

  /**
   * The frame for a client, advancing its baseline to this tick. With `isVisible` (a room with a
   * view filter) the frame is encoded for this client alone, from `candidates` when given (the
   * records around it on the interest grid) rather than from every record of the room. The bytes are only valid until the
   * next call: send them (transports copy) before asking for another frame.
   */
  frameFor(
    client: ClientBaseline,
    ackSeq: number,
    isVisible?: (record: EntityRecord) => boolean,
    candidates?: readonly EntityRecord[],
  ): StateFrame {
    const current = this.#current;
    if (!current) throw new Error('StateSync.frameFor before begin');
    const base = client.baselineTick >= 0 ? this.#history.get(client.baselineTick) : undefined;
    const tick = current.tick;
    client.baselineTick = tick;
    if (isVisible) {
      // Two sets per client, alternated: what it had at its baseline, and what it gets now.
      const before = client.visible;
      const after = client.spareVisible ?? new Set<number>();
      client.spareVisible = before;
      client.visible = after;
      if (base && before) {
        const scope = candidates ? { before, isVisible, after, candidates } : { before, isVisible, after };
        const body = packDeltaBody(diffSnapshots(base, current, scope));
        return { bytes: deltaFrame(tick, tick - base.tick, ackSeq, body, this.#out), full: false };
      }
      const body = packSnapshotBody(
        fullEntities(current, candidates ? { isVisible, after, candidates } : { isVisible, after }),
      );
      return { bytes: snapshotFrame(tick, ackSeq, body, this.#out), full: true };
    }
    client.visible = undefined;
    client.spareVisible = undefined;
    if (base) {
      const body = this.#deltaBody(base, current);
      return { bytes: deltaFrame(tick, tick - base.tick, ackSeq, body, this.#out), full: false };
    }
    let body = this.#bodies.get(-1);
    if (!body) {
      body = packSnapshotBody(fullEntities(current));
      this.#bodies.set(-1, body);
    }
    return { bytes: snapshotFrame(tick, ackSeq, body, this.#out), full: true };
  }

  /** The delta body from `base` to `current`, encoded once per tick and baseline. */
  #deltaBody(base: Snapshot, current: Snapshot): Uint8Array {
    let body = this.#bodies.get(base.tick);
    if (!body) {
      body = packDeltaBody(diffSnapshots(base, current));
      this.#bodies.set(base.tick, body);
    }
    return body;
  }
}
