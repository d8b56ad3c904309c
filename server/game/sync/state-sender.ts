import { CloseCode } from '../../../shared/protocol/codes.ts';
import type { EntityRecord, Snapshot } from '../../../shared/protocol/snapshot.ts';
import type { StateShape } from '../../../shared/protocol/state-shape.ts';
import type { GameConfig } from '../../config.ts';
import type { RoomEntities } from '../entity-world.ts';
import type { HookGuard } from '../hook-guard.ts';
import type { GameMetrics } from '../metrics.ts';
import type { Player, Room } from '../room.ts';
import type { Seat } from '../seat.ts';
import type { StateSync } from './state-sync.ts';

type ViewFilter = NonNullable<Room['canSee']>;

/**
 * Sends each tick's state to a room's connected seats, with flow control: a client whose socket
 * buffer is backed up skips ticks (its next delta covers the gap), and one too far behind is
 * closed as a slow consumer while its seat is held for the grace period.
 */
export class StateSender {
  readonly #sync: StateSync;
  readonly #config: GameConfig;
  readonly #metrics: GameMetrics;
  readonly #now: () => number;
  readonly #entities: RoomEntities<StateShape>;
  readonly #hooks: HookGuard;
  readonly #room: Room;
  /** Created once: reads the room and player of the frame being encoded, so no closure per client. */
  readonly #isVisible = (record: EntityRecord): boolean => this.#visible(record);
  #filter: ViewFilter | undefined;
  #viewer: Player | undefined;

  constructor(
    sync: StateSync,
    config: GameConfig,
    metrics: GameMetrics,
    now: () => number,
    entities: RoomEntities<StateShape>,
    hooks: HookGuard,
    room: Room,
  ) {
    this.#sync = sync;
    this.#config = config;
    this.#metrics = metrics;
    this.#now = now;
    this.#entities = entities;
    this.#hooks = hooks;
    this.#room = room;
  }

  /** Encode `snapshot` for every connected seat and send it, unless the seat's socket is backed up. */
  send(snapshot: Snapshot, seats: Iterable<Seat>): void {
    this.#sync.begin(snapshot);
    const config = this.#config;
    const metrics = this.#metrics;
    // Read every tick, as a room may set or replace its filter while it runs.
    const filter = this.#room.canSee;
    this.#filter = filter;
    const isVisible = filter ? this.#isVisible : undefined;
    const time = this.#now();
    let bytes = 0;
    let deltas = 0;
    let fulls = 0;
    let skipped = 0;
    for (const seat of seats) {
      const socket = seat.socket;
      if (!socket) continue;
      const buffered = socket.bufferedAmount();
      if (buffered > config.slowClientBufferBytes) {
        // Skip this tick: the next frame's delta spans from the old baseline and covers the gap.
        skipped++;
        if (buffered > config.slowClientCloseBytes || time - seat.lastSentAt > config.slowClientTimeoutMs) {
          // Not a kick: the seat is held for the grace period so the client can reconnect.
          metrics.rejected.labels('slow_consumer').inc();
          socket.data.closingBy = 'slow';
          socket.close(CloseCode.SLOW_CONSUMER, 'client too slow to receive state');
        }
        continue;
      }
      this.#viewer = seat.player;
      const frame = this.#sync.frameFor(seat, seat.ackSeq, isVisible);
      // A frame the transport dropped never reached the client: its baseline is unknown now.
      if (!socket.send(frame.bytes)) seat.baselineTick = -1;
      seat.lastSentAt = time;
      bytes += frame.bytes.byteLength;
      if (frame.full) fulls++;
      else deltas++;
    }
    if (bytes) metrics.bytesSent.inc(bytes);
    if (deltas) metrics.framesSent.labels('delta').inc(deltas);
    if (fulls) metrics.framesSent.labels('snapshot').inc(fulls);
    if (skipped) metrics.skippedSends.inc(skipped);
  }

  /** The room's view filter for the current viewer, contained: a throwing canSee hides the entity. */
  #visible(record: EntityRecord): boolean {
    const entity = this.#entities.get(record.id);
    if (entity === undefined) return false;
    try {
      return this.#filter!.call(this.#room, this.#viewer!, entity);
    } catch (error) {
      this.#hooks.failed('canSee', error);
      return false;
    }
  }
}
