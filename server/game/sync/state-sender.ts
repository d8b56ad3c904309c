import { CloseCode } from '../../../shared/protocol/codes.ts';
import type { EntityRecord, Snapshot } from '../../../shared/protocol/snapshot.ts';
import type { StateShape } from '../../../shared/protocol/state-shape.ts';
import type { GameConfig } from '../../config.ts';
import type { RoomEntities } from '../entity-world.ts';
import type { HookGuard } from '../hook-guard.ts';
import type { GameMetrics } from '../metrics.ts';
import type { Player, Room } from '../room.ts';
import type { Seat } from '../seat.ts';
import { InterestGrid } from './interest-grid.ts';
import type { StateSync } from './state-sync.ts';

type ViewFilter = NonNullable<Room['canSee']>;
type ViewOf = NonNullable<Room['viewOf']>;

/** Where a room's ROOM_DELTA goes: the transport's publish to the room's state topic. */
export interface RoomFrameTopic {
  readonly name: string;
  publish(bytes: Uint8Array): void;
  /** One more than the highest seat slot in use: the ack table's length. */
  slots(): number;
}

/**
 * Sends each tick's state to a room's connected seats, with flow control: a client whose socket
 * buffer is backed up skips ticks (its next delta covers the gap), and one too far behind is
 * closed as a slow consumer while its seat is held for the grace period.
 *
 * The common case goes out once per room: v2 clients that got last tick's state are subscribed to
 * the room's state topic and get one ROOM_DELTA, published once, whose ack table carries each one's
 * ack. Everyone else (a join or reconnect, a client that skipped ticks, a v1 client, any client of
 * a room with a view filter) gets a frame of its own.
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
  readonly #topic: RoomFrameTopic;
  /** Ack table of the tick being sent, by seat slot; grown as rooms seat more players. */
  #acks = new Uint32Array(16);
  #filter: ViewFilter | undefined;
  #viewer: Player | undefined;
  readonly #grid = new InterestGrid();
  /** The records around the viewer, refilled per viewer (a room with viewOf). */
  // Stryker disable next-line ArrayDeclaration: equivalent, InterestGrid.query empties it before filling it
  readonly #candidates: EntityRecord[] = [];
  /** Candidates already passed the area test: only canSee remains. */
  readonly #canSee = (record: EntityRecord): boolean => this.#filter === undefined || this.#visible(record);
  readonly #frames;

  constructor(
    sync: StateSync,
    config: GameConfig,
    metrics: GameMetrics,
    now: () => number,
    entities: RoomEntities<StateShape>,
    hooks: HookGuard,
    room: Room,
    topic: RoomFrameTopic,
  ) {
    this.#topic = topic;
    this.#frames = {
      delta: metrics.framesSent.labels('delta'),
      snapshot: metrics.framesSent.labels('snapshot'),
    };
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
    const sync = this.#sync;
    sync.begin(snapshot);
    const config = this.#config;
    const metrics = this.#metrics;
    const topic = this.#topic;
    // Read every tick, as a room may set or replace its filter while it runs.
    const filter = this.#room.canSee;
    this.#filter = filter;
    const viewOf = this.#room.viewOf;
    const isVisible = viewOf ? this.#canSee : filter ? this.#isVisible : undefined;
    // With a filter every client's state differs: no shared frame.
    const common = isVisible ? -1 : sync.commonBaseline;
    // Stryker disable next-line ConditionalExpression: cost only, without a common baseline nobody joins the room frame
    const slots = common >= 0 ? topic.slots() : 0;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: cost only, any table of >= slots entries is right
    if (slots > this.#acks.length) this.#acks = new Uint32Array(Math.max(slots, this.#acks.length * 2));
    const acks = this.#acks;
    acks.fill(0, 0, slots);
    const tick = snapshot.tick;
    const time = this.#now();
    let bytes = 0;
    let deltas = 0;
    let fulls = 0;
    let skipped = 0;
    let members = 0;
    for (const seat of seats) {
      const socket = seat.socket;
      if (!socket) continue;
      const buffered = socket.bufferedAmount();
      if (buffered > config.slowClientBufferBytes) {
        // Skip this tick: the next frame's delta spans from the old baseline and covers the gap.
        skipped++;
        if (seat.inRoomFrame) this.#leaveRoomFrame(seat, socket);
        if (buffered > config.slowClientCloseBytes || time - seat.lastSentAt > config.slowClientTimeoutMs) {
          // Not a kick: the seat is held for the grace period so the client can reconnect.
          metrics.rejected.labels('slow_consumer').inc();
          socket.data.closingBy = 'slow';
          socket.close(CloseCode.SLOW_CONSUMER, 'client too slow to receive state');
        }
        continue;
      }
      seat.lastSentAt = time;
      if (seat.baselineTick === common && common >= 0 && socket.data.roomFrames === true) {
        // The common case: this client's state is the room's one frame, published after the loop.
        if (!seat.inRoomFrame) {
          socket.subscribe(topic.name);
          seat.inRoomFrame = true;
        }
        acks[seat.slot] = seat.ackSeq - seat.sentAck;
        seat.sentAck = seat.ackSeq;
        seat.baselineTick = tick;
        members++;
        continue;
      }
      if (seat.inRoomFrame) this.#leaveRoomFrame(seat, socket);
      this.#viewer = seat.player;
      const candidates = viewOf ? this.#around(viewOf, seat.player, snapshot) : undefined;
      const frame = sync.frameFor(seat, seat.ackSeq, isVisible, candidates);
      seat.sentAck = seat.ackSeq;
      // A frame the transport dropped never reached the client: its baseline is unknown now.
      if (!socket.send(frame.bytes)) seat.baselineTick = -1;
      bytes += frame.bytes.byteLength;
      if (frame.full) fulls++;
      else deltas++;
    }
    if (members > 0) {
      const frame = sync.roomFrame(acks, slots);
      topic.publish(frame);
      bytes += frame.byteLength * members;
      deltas += members;
    }
    // Stryker disable next-line ConditionalExpression: equivalent, inc(0) leaves a counter as it is
    if (bytes) metrics.bytesSent.inc(bytes);
    // Stryker disable next-line ConditionalExpression: equivalent, inc(0) leaves a counter as it is
    if (deltas) this.#frames.delta.inc(deltas);
    // Stryker disable next-line ConditionalExpression: equivalent, inc(0) leaves a counter as it is
    if (fulls) this.#frames.snapshot.inc(fulls);
    // Stryker disable next-line ConditionalExpression: equivalent, inc(0) leaves a counter as it is
    if (skipped) metrics.skippedSends.inc(skipped);
  }

  /** The client falls off the common baseline: its state goes out on its own until it is back. */
  #leaveRoomFrame(seat: Seat, socket: NonNullable<Seat['socket']>): void {
    socket.unsubscribe(this.#topic.name);
    seat.inRoomFrame = false;
  }

  /** The records within the player's view area, from the grid; undefined (everything) without one. */
  #around(viewOf: ViewOf, player: Player, snapshot: Snapshot): readonly EntityRecord[] | undefined {
    let area: ReturnType<ViewOf>;
    try {
      area = viewOf.call(this.#room, player);
    } catch (error) {
      this.#hooks.failed('viewOf', error);
      area = undefined;
    }
    if (area === undefined || !(area.radius > 0)) return undefined;
    // The first area's radius sizes the cells: a view then spans at most 3 x 3 of them.
    // Stryker disable next-line ConditionalExpression: cost only, the grid answers the same for any cell size
    this.#grid.index(snapshot, this.#grid.cellSize || area.radius);
    this.#grid.query(area, this.#candidates);
    return this.#candidates;
  }

  /** The room's view filter for the current viewer, contained: a throwing canSee hides the entity. */
  #visible(record: EntityRecord): boolean {
    const entity = this.#entities.get(record.id);
    // Stryker disable next-line ConditionalExpression: equivalent here, records and entities come from the same tick (no hook runs between)
    if (entity === undefined) return false;
    try {
      return this.#filter!.call(this.#room, this.#viewer!, entity);
    } catch (error) {
      this.#hooks.failed('canSee', error);
      return false;
    }
  }
}
