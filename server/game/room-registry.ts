import type { RoomReport } from '../store/rooms.ts';
import { RoomRuntime, type RoomRuntimeDeps, type SeatRefusal } from './room-runtime.ts';
import type { RoomType } from './room-type.ts';
import type { ScheduleEntry, TickScheduler } from './scheduler.ts';

/** A short public description of a room (for listings and the dev seat endpoint). */
export interface RoomSummary {
  readonly roomId: string;
  readonly mode: string;
  readonly players: number;
  readonly maxPlayers: number;
  readonly tick: number;
  readonly ended: boolean;
  /** When the room was created on this node (wall-clock ms). */
  readonly createdAt: number;
}

export interface RoomRegistryOptions {
  readonly types: ReadonlyMap<string, RoomType>;
  readonly scheduler: TickScheduler;
  readonly maxRooms: number;
  /** Everything a room needs except onDisposed, which the registry supplies. */
  readonly roomDeps: Omit<RoomRuntimeDeps, 'onDisposed'>;
}

/** The rooms of one game node: creates them on first seat, schedules their ticks, forgets them on dispose. */
export class RoomRegistry {
  readonly #options: RoomRegistryOptions;
  readonly #rooms = new Map<string, { runtime: RoomRuntime; entry: ScheduleEntry }>();
  #closed = false;
  /** Rooms an operator closed, until when (ms): a seat promised before must not bring one back. */
  readonly #closedByOperator = new Map<string, number>();
  /** Drained by an operator: rooms already here run on, no new room is created. */
  refuseNewRooms = false;

  constructor(options: RoomRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** The running room with this id, if any. */
  get(roomId: string): RoomRuntime | undefined {
    return this.#rooms.get(roomId)?.runtime;
  }

  /**
   * An operator closes a room: it is disposed with `code`, and for `holdMs` (the longest a seat
   * token lives) no seat re-creates a room with its id, so seats promised before cannot bring it back.
   */
  closeByOperator(room: RoomRuntime, code: number, reason: string, holdMs: number): void {
    const now = this.#options.roomDeps.now();
    for (const [id, until] of this.#closedByOperator) if (until <= now) this.#closedByOperator.delete(id);
    this.#closedByOperator.set(room.id, now + holdMs);
    room.dispose(code, reason);
  }

  /**
   * The room, created with `options` (and at most `maxPlayers` seats, capped by the mode's own
   * maximum) if this node does not have it yet.
   */
  getOrCreate(
    roomId: string,
    mode: string,
    options: Readonly<Record<string, unknown>>,
    maxPlayers?: number,
  ): RoomRuntime | SeatRefusal {
    if (this.#closed) return { status: 503, reason: 'node is shutting down' };
    const existing = this.#rooms.get(roomId)?.runtime;
    if (existing) {
      return existing.mode === mode
        ? existing
        : { status: 409, reason: `room ${roomId} is a ${existing.mode} room` };
    }
    if (this.refuseNewRooms) return { status: 503, reason: 'node is drained: it takes no new rooms' };
    if ((this.#closedByOperator.get(roomId) ?? 0) > this.#options.roomDeps.now()) {
      return { status: 410, reason: `room ${roomId} was closed by an operator` };
    }
    const type = this.#options.types.get(mode);
    if (!type) return { status: 404, reason: `unknown game mode "${mode}"` };
    if (this.#rooms.size >= this.#options.maxRooms) {
      return { status: 503, reason: `node is at its room limit (${this.#options.maxRooms})` };
    }
    let runtime: RoomRuntime;
    try {
      runtime = new RoomRuntime(
        roomId,
        type,
        options,
        {
          ...this.#options.roomDeps,
          onDisposed: (room) => this.#forget(room),
        },
        maxPlayers,
      );
    } catch (err) {
      // The game's constructor or onCreate threw: refuse the seat, keep the node.
      this.#options.roomDeps.metrics.hookErrors.labels('onCreate').inc();
      this.#options.roomDeps.log.error({ err, room: roomId, mode }, 'room failed to start');
      return { status: 500, reason: 'room failed to start' };
    }
    const entry = this.#options.scheduler.add(runtime, type.tickRate);
    this.#rooms.set(roomId, { runtime, entry });
    this.#options.roomDeps.metrics.rooms.set(this.#rooms.size);
    return runtime;
  }

  /**
   * A room of `mode` whose id starts with `prefix` and has a free seat, if any. The dev seat
   * endpoint fills only its own rooms this way, never the lobby's (private or matchmade).
   */
  findJoinable(mode: string, prefix: string): RoomRuntime | undefined {
    for (const { runtime } of this.#rooms.values()) {
      if (!runtime.id.startsWith(prefix) || runtime.mode !== mode || runtime.ended) continue;
      if (runtime.seats.size < runtime.maxPlayers) return runtime;
    }
    return undefined;
  }

  /** One summary per running room, for GET /rooms and the seated-players gauge. */
  summaries(): RoomSummary[] {
    return [...this.#rooms.values()].map(({ runtime }) => ({
      roomId: runtime.id,
      mode: runtime.mode,
      players: runtime.seats.size,
      maxPlayers: runtime.maxPlayers,
      tick: runtime.tickNumber,
      ended: runtime.ended,
      createdAt: runtime.createdAt,
    }));
  }

  /** Who sits in each room, for the room directory's heartbeat. */
  occupancy(): RoomReport[] {
    return [...this.#rooms.values()].map(({ runtime }) => ({
      roomId: runtime.id,
      players: [...runtime.seats.keys()],
      ended: runtime.ended,
    }));
  }

  /** Dispose every room with `code`/`reason`; no room is created after this. */
  disposeAll(code: number, reason: string): void {
    this.#closed = true; // joins still being admitted must not create rooms after this
    for (const { runtime } of [...this.#rooms.values()]) runtime.dispose(code, reason);
  }

  #forget(room: RoomRuntime): void {
    const record = this.#rooms.get(room.id);
    if (record?.runtime !== room) return;
    this.#options.scheduler.remove(record.entry);
    this.#rooms.delete(room.id);
    this.#options.roomDeps.metrics.rooms.set(this.#rooms.size);
  }
}
