import {
  deltaFrame,
  diffSnapshots,
  FrameBuffer,
  fullEntities,
  packDeltaBody,
  packSnapshotBody,
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

  constructor(history: SnapshotHistory) {
    this.#history = history;
  }

  /** Start a new tick's sends; drops last tick's encoded bodies. */
  begin(current: Snapshot): void {
    this.#current = current;
    this.#bodies.clear();
    this.#history.push(current);
  }

  /** Distinct bodies encoded this tick (for tests and metrics). */
  get encodedBodies(): number {
    return this.#bodies.size;
  }

  /**
   * The frame for a client, advancing its baseline to this tick. With `isVisible` (a room with a
   * view filter) the frame is encoded for this client alone. The bytes are only valid until the
   * next call: send them (transports copy) before asking for another frame.
   */
  frameFor(
    client: ClientBaseline,
    ackSeq: number,
    isVisible?: (record: EntityRecord) => boolean,
  ): StateFrame {
    const current = this.#current;
    if (!current) throw new Error('StateSync.frameFor before begin');
    const base = client.baselineTick >= 0 ? this.#history.get(client.baselineTick) : undefined;
    const tick = current.tick;
    client.baselineTick = tick;
    if (isVisible) {
      const after = new Set<number>();
      const before = client.visible;
      client.visible = after;
      if (base && before) {
        const body = packDeltaBody(diffSnapshots(base, current, { before, isVisible, after }));
        return { bytes: deltaFrame(tick, tick - base.tick, ackSeq, body, this.#out), full: false };
      }
      const body = packSnapshotBody(fullEntities(current, { isVisible, after }));
      return { bytes: snapshotFrame(tick, ackSeq, body, this.#out), full: true };
    }
    client.visible = undefined;
    if (base) {
      let body = this.#bodies.get(base.tick);
      if (!body) {
        body = packDeltaBody(diffSnapshots(base, current));
        this.#bodies.set(base.tick, body);
      }
      return { bytes: deltaFrame(tick, tick - base.tick, ackSeq, body, this.#out), full: false };
    }
    let body = this.#bodies.get(-1);
    if (!body) {
      body = packSnapshotBody(fullEntities(current));
      this.#bodies.set(-1, body);
    }
    return { bytes: snapshotFrame(tick, ackSeq, body, this.#out), full: true };
  }
}
