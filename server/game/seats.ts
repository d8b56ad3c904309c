import { randomUUID } from 'node:crypto';
import type { GameConfig } from '../config.ts';
import { InputRate } from './input-rate.ts';
import type { Player } from './room.ts';
import { Seat } from './seat.ts';

/** How long a reserved seat waits for its WebSocket to open. */
const FIRST_CONNECT_TIMEOUT_MS = 15_000;

/** What a room hears from its seats' lifecycle. */
export interface SeatEvents {
  /** A joined seat was released; `consented` when the player chose to leave. */
  left(seat: Seat, consented: boolean): void;
  /** The room has had no seats for its empty-room wait. */
  empty(): void;
}

/**
 * A room's seats and their timers: the wait for a reserved seat's first connection, the reconnect
 * grace period of a dropped one, and the empty-room timer once the last seat is released.
 *
 * An empty room waits as long as it was in use, up to the empty-room TTL: a room nobody ever
 * joined goes as soon as its last reserved seat lapses, and one whose players left after a moment
 * goes after that moment, so creating rooms and leaving them at once cannot pile them up.
 */
export class RoomSeats {
  /** Seats by player id. */
  readonly byPlayer = new Map<string, Seat>();
  /** The seated players, as the room's context exposes them. */
  readonly players = new Map<string, Player>();
  /** Seats by ack-table slot; a released seat's slot is given to the next one. */
  readonly #slots: (Seat | undefined)[] = [];
  readonly #config: GameConfig;
  readonly #now: () => number;
  readonly #events: SeatEvents;
  #closed = false;
  #emptyTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the first seat joined (its first socket opened); undefined while nobody has. */
  #inUseSince: number | undefined;

  constructor(config: GameConfig, now: () => number, events: SeatEvents) {
    this.#config = config;
    this.#now = now;
    this.#events = events;
  }

  /** Seat a player; the seat is released if its first socket does not open in time. */
  take(playerId: string, name: string): Seat {
    const config = this.#config;
    const now = this.#now;
    const rate = new InputRate(config.maxInputsPerSecond, Math.max(config.maxInputsPerTick * 2, 8), now());
    let slot = this.#slots.indexOf(undefined);
    if (slot < 0) slot = this.#slots.length;
    const seat = new Seat(playerId, name, randomUUID(), rate, now(), slot);
    this.#slots[slot] = seat;
    this.byPlayer.set(seat.player.id, seat);
    this.players.set(seat.player.id, seat.player);
    this.#cancelEmptyTimer();
    seat.timer = setTimeout(() => {
      if (!seat.socket && !seat.joined) this.release(seat, false);
    }, FIRST_CONNECT_TIMEOUT_MS);
    return seat;
  }

  /** The seat's first socket opened: it counts as joined from now on. */
  join(seat: Seat): void {
    seat.joined = true;
    this.#inUseSince ??= this.#now();
  }

  /** Hold a dropped seat for the reconnect grace period; inputs queued before the drop are discarded. */
  hold(seat: Seat): void {
    seat.inputs.length = 0;
    seat.timer = setTimeout(() => this.release(seat, false), this.#config.reconnectGraceMs);
  }

  /** Give up a seat. A no-op for a seat already released or replaced. */
  release(seat: Seat, consented: boolean): void {
    seat.clearTimer();
    if (this.byPlayer.get(seat.player.id) !== seat) return;
    this.byPlayer.delete(seat.player.id);
    this.players.delete(seat.player.id);
    this.#slots[seat.slot] = undefined;
    if (seat.joined) this.#events.left(seat, consented);
    if (this.byPlayer.size === 0 && !this.#closed) this.#startEmptyTimer();
  }

  /** One more than the highest slot in use: the length of a ROOM_DELTA's ack table. */
  get slotCount(): number {
    let n = this.#slots.length;
    while (n > 0 && this.#slots[n - 1] === undefined) n--;
    return n;
  }

  /** The room is closing: no empty-room timer from now on. */
  close(): void {
    this.#closed = true;
    this.#cancelEmptyTimer();
  }

  #startEmptyTimer(): void {
    this.#cancelEmptyTimer();
    const inUse = this.#inUseSince === undefined ? 0 : this.#now() - this.#inUseSince;
    const wait = Math.max(0, Math.min(this.#config.emptyRoomTtlMs, inUse));
    this.#emptyTimer = setTimeout(() => this.#events.empty(), wait);
  }

  #cancelEmptyTimer(): void {
    if (this.#emptyTimer) clearTimeout(this.#emptyTimer);
    this.#emptyTimer = undefined;
  }
}
