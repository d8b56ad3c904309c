import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { CloseCode, ErrorCode, MessageType } from '../../shared/protocol/codes.ts';
import type { Snapshot } from '../../shared/protocol/snapshot.ts';
import { takeSnapshot } from '../../shared/protocol/snapshot.ts';
import type { Entity, StateShape } from '../../shared/protocol/state-shape.ts';
import type { GameConfig } from '../config.ts';
import { RoomEntities } from './entity-world.ts';
import { HookGuard } from './hook-guard.ts';
import { InputQueue } from './input-queue.ts';
import type { GameMetrics } from './metrics.ts';
import type { MatchReport, MatchResult, Room, RoomContext } from './room.ts';
import type { RoomType } from './room-type.ts';
import type { TickTask } from './scheduler.ts';
import type { Seat, SeatSocket } from './seat.ts';
import type { SeatClaims } from './seat-token.ts';
import { RoomSeats } from './seats.ts';
import { SnapshotHistory } from './sync/snapshot-history.ts';
import { StateSender } from './sync/state-sender.ts';
import { StateSync } from './sync/state-sync.ts';

/** What a room runtime needs from its node. */
export interface RoomRuntimeDeps {
  readonly config: GameConfig;
  readonly metrics: GameMetrics;
  readonly log: Logger;
  /** Wall-clock milliseconds. */
  readonly now: () => number;
  readonly publish: (topic: string, bytes: Uint8Array) => void;
  /** Make a finished match's report durable (MatchResults.record); resolves once it is, never rejects. */
  readonly recordMatch: (report: MatchReport) => Promise<void>;
  readonly onDisposed: (room: RoomRuntime) => void;
}

/** Why a seat could not be reserved; `status` is the HTTP status of the refused upgrade. */
export interface SeatRefusal {
  readonly status: number;
  readonly reason: string;
}

/** Consecutive failing updates after which a room is closed rather than left broken. */
const MAX_CONSECUTIVE_UPDATE_FAILURES = 20;

/**
 * Runs one room: queued inputs -> update -> snapshot -> per-client state frames, every tick.
 * Connects seats to the room's game hooks; seat timers live in RoomSeats, the input checks and
 * queue in InputQueue, flow control in StateSender and hook containment in HookGuard.
 */
export class RoomRuntime implements TickTask {
  readonly id: string;
  readonly type: RoomType;
  readonly options: Readonly<Record<string, unknown>>;
  /** Seats by player id. */
  readonly seats: Map<string, Seat>;
  readonly #roomSeats: RoomSeats;
  readonly #deps: RoomRuntimeDeps;
  readonly #entities: RoomEntities<StateShape>;
  readonly #room: Room;
  readonly #hooks: HookGuard;
  readonly #sender: StateSender;
  readonly #inputs: InputQueue;
  readonly #topic: string;
  readonly #phase;
  readonly #maxPlayers: number;
  /** When the room was created on this node (wall-clock ms). */
  readonly createdAt: number;
  #tick = 0;
  #latest: Snapshot | null = null;
  #updateFailures = 0;
  #ended = false;
  #disposed = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    id: string,
    type: RoomType,
    options: Readonly<Record<string, unknown>>,
    deps: RoomRuntimeDeps,
    maxPlayers = type.definition.maxPlayers,
  ) {
    this.id = id;
    this.createdAt = deps.now();
    this.#maxPlayers = Math.max(1, Math.min(maxPlayers, type.definition.maxPlayers));
    this.type = type;
    this.options = options;
    this.#deps = deps;
    this.#topic = `room/${id}`;
    this.#roomSeats = new RoomSeats(deps.config, deps.now, {
      left: (seat, consented) =>
        this.#hooks.run('onLeave', () => this.#room.onLeave?.(seat.player, consented)),
      empty: () => this.dispose(CloseCode.ROOM_CLOSED, 'room empty'),
    });
    this.seats = this.#roomSeats.byPlayer;
    this.#entities = new RoomEntities(type.definition.state);
    this.#hooks = new HookGuard(deps.metrics, deps.log, id, type.definition.mode);
    const phase = deps.metrics.tickPhase;
    this.#phase = {
      input: phase.labels('input'),
      update: phase.labels('update'),
      snapshot: phase.labels('snapshot'),
      send: phase.labels('send'),
    };
    const context: RoomContext<StateShape> = {
      roomId: id,
      mode: type.definition.mode,
      tickRate: type.tickRate,
      entities: this.#entities,
      players: this.#roomSeats.players,
      tick: () => this.#tick,
      now: deps.now,
      broadcast: (event, payload) =>
        this.broadcast(encodeMessage([MessageType.EVENT, event, payload ?? null])),
      send: (player, event, payload) =>
        this.seats.get(player.id)?.socket?.send(encodeMessage([MessageType.EVENT, event, payload ?? null])),
      endMatch: (results) => this.#endMatch(results),
    };
    // The definition's types were erased to share a list; the shape and input schema it was
    // compiled from are the ones this context and validator enforce.
    const RoomClass = type.definition.room as unknown as new (context: RoomContext<StateShape>) => Room;
    this.#room = new RoomClass(context);
    // A room that cannot create itself is not started (the registry refuses the seat with 500).
    this.#room.onCreate?.(options);
    this.#inputs = new InputQueue(type.validateInput, deps.config, deps.metrics, this.#hooks, this.#room);
    const sync = new StateSync(new SnapshotHistory(deps.config.snapshotHistoryTicks));
    const stateTopic = `state/${id}`;
    const roomSeats = this.#roomSeats;
    this.#sender = new StateSender(
      sync,
      deps.config,
      deps.metrics,
      deps.now,
      this.#entities,
      this.#hooks,
      this.#room,
      {
        name: stateTopic,
        publish: (bytes) => deps.publish(stateTopic, bytes),
        slots: () => roomSeats.slotCount,
      },
    );
  }

  /** The game mode this room runs (its definition's `mode`). */
  get mode(): string {
    return this.type.definition.mode;
  }

  /** The current tick number; 0 before the first tick. */
  get tickNumber(): number {
    return this.#tick;
  }

  /** The match has ended: inputs are refused and new seats are not given out. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The room is closed: its sockets are closed and its seats released. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Seats the room can hold at once. */
  get maxPlayers(): number {
    return this.#maxPlayers;
  }

  /** Hold a seat for a verified seat token, before the socket opens. */
  reserve(claims: SeatClaims): Seat | SeatRefusal {
    if (this.#disposed) return { status: 410, reason: 'room is closed' };
    if (this.#ended) return { status: 410, reason: 'match is over' };
    const existing = this.seats.get(claims.playerId);
    if (existing) return existing; // a fresh seat for a player already seated: the new socket replaces the old
    if (this.seats.size >= this.maxPlayers)
      return { status: 409, reason: `room is full (${this.maxPlayers} players)` };
    return this.#roomSeats.take(claims.playerId, claims.name);
  }

  /** The seat a reconnect token names, if it is still held. */
  heldSeat(playerId: string, sessionId: string): Seat | undefined {
    const seat = this.seats.get(playerId);
    return seat?.sessionId === sessionId && !this.#disposed ? seat : undefined;
  }

  /** A socket opened for a seat: welcome it; its next state frame is a full snapshot. */
  attach(seat: Seat, socket: SeatSocket): void {
    if (this.#disposed || this.seats.get(seat.player.id) !== seat) {
      socket.data.closingBy = 'server';
      socket.close(CloseCode.ROOM_CLOSED, 'room is closed');
      return;
    }
    const previous = seat.socket;
    // Take the seat first: transports may run the old socket's close handler synchronously, and
    // detach() must see that socket as replaced, not as the seat's connection dropping.
    seat.socket = socket;
    if (previous) {
      previous.data.closingBy = 'replaced';
      previous.close(CloseCode.REPLACED, 'replaced by a newer connection');
    }
    seat.clearTimer();
    seat.baselineTick = -1;
    seat.visible = undefined;
    seat.inRoomFrame = false; // a new socket subscribes to nothing yet
    seat.lastSentAt = this.#deps.now();
    socket.subscribe(this.#topic);
    socket.send(
      encodeMessage([
        MessageType.WELCOME,
        seat.player.id,
        this.id,
        socket.data.reconnectToken,
        this.type.tickRate,
        this.#tick,
        this.type.wireShape,
        this.mode,
        seat.lastSeq,
        seat.slot,
      ]),
    );
    if (!seat.joined) {
      this.#roomSeats.join(seat);
      this.#hooks.run('onJoin', () => this.#room.onJoin?.(seat.player));
    } else if (!previous) {
      this.#hooks.run('onRejoin', () => this.#room.onRejoin?.(seat.player));
    }
  }

  /** A seat's socket closed. A consented leave releases the seat; anything else starts the grace period. */
  detach(seat: Seat, socket: SeatSocket, code: number): void {
    if (seat.socket !== socket) return; // an older, replaced connection
    seat.socket = undefined;
    // Only the client's own choice counts as consent: LEAVE, or a close it started with 1000.
    const by = socket.data.closingBy;
    const consented = by === 'leave' || (by === undefined && code === CloseCode.NORMAL);
    if (consented || this.#ended || this.#disposed || by === 'server') {
      this.#roomSeats.release(seat, consented);
      return;
    }
    // Inputs still queued were sent before the drop; applying them later would undo what onDrop
    // decides (arena stops the player). They count as handled, so acks and a reconnect agree.
    seat.inputs.length = 0;
    seat.ackSeq = seat.lastSeq;
    this.#hooks.run('onDrop', () => this.#room.onDrop?.(seat.player));
    this.#roomSeats.hold(seat);
  }

  /**
   * Queue one input for the next tick. Returns the error to send back, or undefined when queued.
   * The input has been decoded but not validated; InputQueue checks it.
   */
  queueInput(seat: Seat, seq: number, input: unknown): { code: string; message: string } | undefined {
    if (this.#ended) return { code: ErrorCode.MATCH_OVER, message: 'the match is over' };
    return this.#inputs.push(seat, seq, input);
  }

  /** Send a pre-encoded message to every connected player. */
  broadcast(bytes: Uint8Array): void {
    this.#deps.publish(this.#topic, bytes);
  }

  /** One fixed step: inputs -> update -> snapshot -> send, each phase timed. */
  tick(tick: number, dt: number): void {
    if (this.#disposed) return;
    this.#tick = tick;
    const t0 = performance.now();
    if (!this.#ended) this.#inputs.apply(this.seats.values());
    const t1 = performance.now();
    if (!this.#ended) this.#update(dt);
    const t2 = performance.now();
    let t3 = t2;
    try {
      // A room can put entities the shape does not declare; that must not take the node down.
      const snapshot = takeSnapshot(this.type.shape, tick, this.#entities.values(), this.#latest);
      this.#latest = snapshot;
      t3 = performance.now();
      this.#sender.send(snapshot, this.seats.values());
    } catch (error) {
      this.#hooks.failed('sync', error);
      this.#countFailure();
    }
    const t4 = performance.now();
    this.#phase.input.observe((t1 - t0) / 1000);
    this.#phase.update.observe((t2 - t1) / 1000);
    this.#phase.snapshot.observe((t3 - t2) / 1000);
    this.#phase.send.observe((t4 - t3) / 1000);
  }

  /** Live entities for an operator: the first `limit` in spawn order (copies), and how many there are. */
  inspectEntities(limit: number): { readonly count: number; readonly entities: readonly Entity[] } {
    const entities: Entity[] = [];
    for (const entity of this.#entities.values()) {
      if (entities.length >= limit) break;
      entities.push({ ...entity });
    }
    return { count: this.#entities.size, entities };
  }

  /**
   * An operator removes the player: the socket (if any) closes with KICKED and the seat is released
   * at once, without a grace period, so the reconnect token stops working. False if no such seat.
   */
  kick(playerId: string, reason = 'kicked by an operator'): boolean {
    const seat = this.seats.get(playerId);
    if (!seat) return false;
    const socket = seat.socket;
    if (socket) {
      socket.data.closingBy = 'server';
      socket.close(CloseCode.KICKED, reason); // detach() releases the seat here
    }
    if (this.seats.get(playerId) === seat) this.#roomSeats.release(seat, false);
    return true;
  }

  /** Close every socket with `code` and release the room. Idempotent. */
  dispose(code: number = CloseCode.ROOM_CLOSED, reason = 'room closed'): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#roomSeats.close();
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    // Every seat is released (onLeave, not consented) before onDispose, connected or in grace.
    for (const seat of [...this.seats.values()]) {
      const socket = seat.socket;
      if (socket) {
        socket.data.closingBy = 'server';
        socket.close(code, reason); // transports run detach() -> release() right here
      }
      this.#roomSeats.release(seat, false);
    }
    this.#hooks.run('onDispose', () => this.#room.onDispose?.());
    this.#deps.onDisposed(this);
  }

  #update(dt: number): void {
    if (this.#hooks.run('update', () => this.#room.update(dt))) this.#updateFailures = 0;
    else this.#countFailure();
  }

  /** A tick phase failed; a room that fails tick after tick is closed rather than left broken. */
  #countFailure(): void {
    if (++this.#updateFailures >= MAX_CONSECUTIVE_UPDATE_FAILURES && !this.#disposed) {
      this.#deps.log.error({ room: this.id }, 'room keeps failing; closing the room');
      this.dispose(CloseCode.INTERNAL_ERROR, 'room failed');
    }
  }

  #endMatch(results: readonly MatchResult[]): void {
    if (this.#ended || this.#disposed) return;
    this.#ended = true;
    const report: MatchReport = {
      // Unique across room instances: room ids can be reused, and sinks dedupe on matchId.
      matchId: randomUUID(),
      roomId: this.id,
      mode: this.mode,
      endedAt: this.#deps.now(),
      results: results.map((r) => ({ ...r })),
    };
    // Durable first: players hear MATCH_END only once the report is on disk, so a crash from then
    // on cannot lose it. The write runs off the tick; meanwhile the room takes no more inputs.
    this.#deps
      .recordMatch(report)
      .then(() => this.#announce(report))
      .catch((error: unknown) => this.#deps.log.error({ err: error, room: this.id }, 'match end failed'));
  }

  /** Tell players the match is over, then close the room after the mode's grace. */
  #announce(report: MatchReport): void {
    if (this.#disposed) return; // closed meanwhile: the report is kept and delivered all the same
    this.broadcast(encodeMessage([MessageType.MATCH_END, report]));
    const after = this.type.definition.closeAfterMatchMs ?? 5_000;
    this.#closeTimer = setTimeout(() => this.dispose(CloseCode.NORMAL, 'match over'), after);
  }
}
