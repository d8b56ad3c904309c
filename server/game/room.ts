/**
 * The public Room API: what a game author writes. Subclass Room, declare the state shape and the
 * input schema in a RoomDefinition, and the framework does the networking, the tick, snapshots,
 * deltas, reconnection and limits. See server/games/arena for a complete example.
 */
import type { JSONSchemaType } from 'ajv';
import type { Entity, EntityFields, StateShape } from '../../shared/protocol/state-shape.ts';
import type { ViewArea } from './sync/interest-grid.ts';

export type { ViewArea } from './sync/interest-grid.ts';

/** A seated player, as rooms see it. Keep per-player game data in the room, keyed by `id`. */
export interface Player {
  /** Stable id from the seat token (the lobby's player id). */
  readonly id: string;
  readonly name: string;
  /** False while the connection is lost and the seat is held for the reconnect grace period. */
  readonly connected: boolean;
}

/** One player's line in a finished match; this is what leaderboards receive. */
export interface MatchResult {
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
  /** Optional extra numbers (kills, orbs...). */
  readonly stats?: Readonly<Record<string, number>>;
}

/** A finished match as reported by the game node. `matchId` makes reports idempotent. */
export interface MatchReport {
  readonly matchId: string;
  readonly roomId: string;
  readonly mode: string;
  readonly endedAt: number;
  readonly results: readonly MatchResult[];
}

/** The entities of a room: spawn, find, remove. Entities are plain objects you mutate directly. */
export interface EntityWorld<S extends StateShape> {
  /** Create an entity; it reaches clients with the next tick's state. */
  spawn<T extends keyof S & string>(type: T, fields: EntityFields<S[T]>): Entity<S[T], T>;
  /** Remove an entity (a no-op if it is already gone). */
  remove(entity: { readonly id: number }): void;
  get(id: number): Entity | undefined;
  /** All live entities of one type. */
  ofType<T extends keyof S & string>(type: T): IterableIterator<Entity<S[T], T>>;
  readonly size: number;
}

/** What the framework hands a room: its world and the ways to talk to players. */
export interface RoomContext<S extends StateShape> {
  readonly roomId: string;
  readonly mode: string;
  readonly tickRate: number;
  readonly entities: EntityWorld<S>;
  readonly players: ReadonlyMap<string, Player>;
  /** The tick being simulated (1, 2, ...). */
  tick(): number;
  /** Wall-clock milliseconds (injectable in tests). */
  now(): number;
  broadcast(event: string, payload?: unknown): void;
  send(player: Player, event: string, payload?: unknown): void;
  endMatch(results: readonly MatchResult[]): void;
}

/**
 * Base class of every game room. The framework constructs it with its context; override the hooks
 * you need. Every hook runs inside the framework's error containment: a throw is logged and counted,
 * and never reaches other rooms.
 */
export abstract class Room<S extends StateShape = StateShape, I = unknown> {
  /** Live entities; the framework snapshots them after every update. */
  readonly entities: EntityWorld<S>;
  /** Seated players, including those inside their reconnect grace period. */
  readonly players: ReadonlyMap<string, Player>;
  readonly roomId: string;
  readonly mode: string;
  readonly tickRate: number;
  readonly #context: RoomContext<S>;

  constructor(context: RoomContext<S>) {
    this.#context = context;
    this.entities = context.entities;
    this.players = context.players;
    this.roomId = context.roomId;
    this.mode = context.mode;
    this.tickRate = context.tickRate;
  }

  /** The tick being simulated. */
  get tick(): number {
    return this.#context.tick();
  }

  /** Wall-clock milliseconds from the framework's clock. */
  now(): number {
    return this.#context.now();
  }

  /** Send an event to every connected player. */
  broadcast(event: string, payload?: unknown): void {
    this.#context.broadcast(event, payload);
  }

  /** Send an event to one player. */
  send(player: Player, event: string, payload?: unknown): void {
    this.#context.send(player, event, payload);
  }

  /** End the match: players get MATCH_END with the results, which are reported to leaderboards. */
  endMatch(results: readonly MatchResult[]): void {
    this.#context.endMatch(results);
  }

  /** Once, before the first tick. `options` come from the seat that created the room. */
  onCreate?(options: Readonly<Record<string, unknown>>): void;
  /** A player took a seat and connected for the first time. */
  onJoin?(player: Player): void;
  /** One validated input from a player, applied at the start of a tick in arrival order. */
  abstract onInput(player: Player, input: I): void;
  /** Advance the simulation by one fixed step of `dt` seconds. */
  abstract update(dt: number): void;
  /** The player's connection dropped; the seat is held for the reconnect grace period. */
  onDrop?(player: Player): void;
  /** The player reconnected within the grace period. */
  onRejoin?(player: Player): void;
  /** The seat is released: the player left (`consented`) or the grace period ran out. */
  onLeave?(player: Player, consented: boolean): void;
  /** The room is going away. */
  onDispose?(): void;
  /**
   * Interest management: return false to keep an entity out of this player's state. When defined,
   * state is encoded per player instead of once per baseline, so only use it where worlds are big.
   */
  canSee?(player: Player, entity: Entity): boolean;
  /**
   * Interest management by distance, for big worlds: the circle this player sees (or undefined to
   * see everything). Entities whose type has numeric `x` and `y` fields are seen inside the circle
   * only; entities without them are seen by everyone. The framework indexes positions on a grid
   * once per tick, so a player's cost follows what it sees rather than the size of the world;
   * `canSee`, when also defined, is asked only about the entities inside the circle.
   */
  viewOf?(player: Player): ViewArea | undefined;
}

/** How the framework builds and limits one kind of room (a game mode). */
export interface RoomDefinition<S extends StateShape = StateShape, I = unknown> {
  /** The mode name seat tokens refer to, e.g. `arena`. */
  readonly mode: string;
  /** Entity types and their fields; the wire format follows this order. */
  readonly state: S;
  /** JSON Schema of one input; validated (unknown fields rejected) before onInput sees it. */
  readonly input: JSONSchemaType<I>;
  readonly room: new (context: RoomContext<S>) => Room<S, I>;
  /** Ticks per second; defaults to the node's TICKFORGE_TICK_RATE. */
  readonly tickRate?: number;
  readonly maxPlayers: number;
  /** How long players keep their sockets after MATCH_END before the room closes. Default 5000. */
  readonly closeAfterMatchMs?: number;
  /** How the lobby's matchmaking fills rooms of this mode (matches are at most `maxPlayers`). */
  readonly matchmaking?: {
    /** Fewest players a match may start with once the wait is over (default 2, at most maxPlayers). */
    readonly minPlayers?: number;
    /** How long the oldest ticket waits for a full match before one starts with fewer (default 10 s). */
    readonly fillWaitMs?: number;
  };
}

/**
 * A room definition with its types erased, so definitions of different games fit in one list.
 * The framework only calls the room through its hooks after validating inputs with `input`.
 */
export interface AnyRoomDefinition extends Omit<RoomDefinition, 'input' | 'room'> {
  readonly input: object;
  readonly room: new (context: never) => Room<StateShape, never>;
}

/** Declare a room type with full type inference from its state shape and input schema. */
export function defineRoom<const S extends StateShape, I>(
  definition: RoomDefinition<S, I>,
): RoomDefinition<S, I> {
  return definition;
}
