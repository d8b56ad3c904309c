import type { Snapshot } from '../../../shared/protocol/snapshot.ts';

/**
 * The last N snapshots of a room, by tick. A client whose baseline is older than the oldest kept
 * snapshot gets a full snapshot instead of a delta.
 */
export class SnapshotHistory {
  readonly #ring: (Snapshot | undefined)[];

  constructor(capacity: number) {
    this.#ring = new Array(capacity);
  }

  /** Keep `snapshot`, forgetting the one `capacity` ticks older. */
  push(snapshot: Snapshot): void {
    this.#ring[snapshot.tick % this.#ring.length] = snapshot;
  }

  /** The snapshot of `tick`, if it is still kept. */
  get(tick: number): Snapshot | undefined {
    const snapshot = this.#ring[tick % this.#ring.length];
    return snapshot?.tick === tick ? snapshot : undefined;
  }
}
