/**
 * The room directory: which game nodes are alive and how loaded they are, which rooms the lobby
 * created on them, and the seats it has promised in each. Game nodes keep it current with a
 * heartbeat; the lobby reads it to list rooms, pick a node and refuse a full room before minting
 * a seat. Async and value-based so an in-memory and a Redis implementation share one contract.
 */

/**
 * How long a node whose heartbeat expired is remembered, with its rooms, before it is forgotten
 * (ms). Meanwhile the node is not live and its rooms are out of every listing, lookup and
 * reservation; a beat within this time (after a store outage or a stall longer than its TTL) brings
 * back the rooms it still reports. The Redis store's scripts hold the same figure (directory.lua).
 */
export const DEAD_NODE_FORGET_MS = 10 * 60_000;

/** A game node's self-description, sent with every heartbeat. */
export interface NodeStatus {
  readonly nodeId: string;
  /** The ws(s) URL clients connect to. */
  readonly url: string;
  /** Seated players across its rooms. */
  readonly players: number;
  readonly rooms: number;
  /** The node refuses rooms beyond this. */
  readonly maxRooms: number;
  /**
   * Where the lobby reaches the node's operator routes (/admin/*): an http(s) base URL
   * (TICKFORGE_INTERNAL_URL). Absent from nodes of earlier builds.
   */
  readonly adminUrl?: string;
  /** The node's heartbeat interval (ms); it leaves the directory after three missed beats. */
  readonly heartbeatMs?: number;
}

/** A node that sent a heartbeat within its TTL. */
export interface LiveNode extends NodeStatus {
  /** When its last heartbeat arrived (wall-clock ms). */
  readonly seenAt: number;
}

/** What a node says of one of its rooms. */
export interface RoomReport {
  readonly roomId: string;
  /** Ids of the players holding a seat (connected or inside their reconnect grace). */
  readonly players: readonly string[];
  /** The match is over: no new seats. */
  readonly ended: boolean;
}

/** Listed (`public`), or reachable only by id or join code (`private`). */
export const ROOM_VISIBILITIES = ['public', 'private'] as const;
export type RoomVisibility = (typeof ROOM_VISIBILITIES)[number];

/** Who asked for a room: the player and the client address the request came from. */
export interface RoomCreator {
  readonly playerId: string;
  /** The client's IP as the lobby sees it (the proxy's word for it when trusted). */
  readonly address: string;
}

/**
 * Caps on the live rooms one creator may hold at once; a missing cap is not checked. A room counts
 * against its creator until it has ended or is gone (see `RoomDirectory.create`).
 */
export interface CreatorLimits {
  readonly perPlayer?: number;
  readonly perAddress?: number;
}

/** A room as the lobby creates it. */
export interface NewRoom {
  readonly roomId: string;
  readonly mode: string;
  readonly nodeId: string;
  readonly visibility: RoomVisibility;
  /** Join code of a private room; unique among live rooms. */
  readonly code: string | undefined;
  readonly maxPlayers: number;
  /** Free-form, public labels shown in listings. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Room options handed to the game when the first seat creates the room. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The player who asked for it; none for a room the matchmaker made. */
  readonly createdBy: RoomCreator | undefined;
  /**
   * Keep the room at least this long (wall-clock ms) even if its node never reports it: when the
   * seat token its creator is about to get expires.
   */
  readonly heldUntil: number;
}

/** A room in the directory. */
export interface RoomRecord extends NewRoom {
  readonly createdAt: number;
  /** Seated player ids, as the node last reported them. */
  readonly seated: readonly string[];
  /** Seats promised but not (yet) seen taken: player id -> when the seat token expires. */
  readonly reservations: Readonly<Record<string, number>>;
  readonly ended: boolean;
}

/**
 * Why a room was not recorded: its id or join code is taken, its creator (the player, or the
 * client address) already holds as many live rooms as `CreatorLimits` allows, or its node already
 * has as many rooms as its `maxRooms`, counting those made since its last heartbeat.
 */
export type CreateRefusal = 'taken' | 'player-limit' | 'address-limit' | 'node-full';

/** Players a room holds or has promised a seat to (each player once). */
export function occupancy(room: RoomRecord, now: number): number {
  let count = room.seated.length;
  for (const [playerId, expiresAt] of Object.entries(room.reservations)) {
    if (expiresAt > now && !room.seated.includes(playerId)) count++;
  }
  return count;
}

/** Why a seat could not be reserved. */
export type ReserveRefusal = 'unknown' | 'ended' | 'full';

/** The directory of nodes and rooms. */
export interface RoomDirectory {
  /**
   * A node's heartbeat: (re)registers it for `ttlMs` and replaces what is known of its rooms'
   * occupancy. A room of this node missing from `rooms` is gone once its `heldUntil` has passed;
   * until then a player may still arrive with a seat token and make it again on the node.
   */
  heartbeat(node: NodeStatus, rooms: readonly RoomReport[], ttlMs: number): Promise<void>;
  /**
   * Nodes whose heartbeat is within its TTL. `rooms` is at least the rooms recorded here for the
   * node, so rooms made since its last heartbeat count against its limit.
   */
  liveNodes(): Promise<LiveNode[]>;
  /**
   * Record a room, atomically against its id, its join code, its creator's `limits` and its live
   * node's room limit (so lobbies creating rooms at once never overfill a node; nothing is written
   * on a refusal). Its creator's live rooms are those it created that have not ended and
   * are not gone: the node still has it, or a seat token minted for it may still be used (until
   * `heldUntil`), so a room is never forgotten while a token could still open it on its node.
   */
  create(room: NewRoom, limits?: CreatorLimits): Promise<RoomRecord | CreateRefusal>;
  /**
   * A live room by id or by join code. Rooms of dead nodes are gone, and so is a room its node does
   * not report once its `heldUntil` has passed (nobody came). A lookup never forgets such a room,
   * only the node's next heartbeat does: its creator may have connected just before the hold ran
   * out, and a heartbeat that reports the room makes it findable again.
   */
  find(by: { readonly roomId: string } | { readonly code: string }): Promise<RoomRecord | undefined>;
  /** Public rooms of a mode that have not ended, the fullest that still has room first. */
  listPublic(mode: string, limit: number): Promise<RoomRecord[]>;
  /**
   * Promise `playerId` a seat until `expiresAt`, atomically against the room's capacity, and hold
   * the room at least that long. A player who already holds or was promised a seat gets it again
   * (the new seat token replaces the old). A player is promised one seat at a time: a promise
   * elsewhere is given back (its seat is free again; its room is still held until its token expires).
   */
  reserve(roomId: string, playerId: string, expiresAt: number): Promise<RoomRecord | ReserveRefusal>;
  /**
   * `reserve` for several players at once, all or none: 'full' (nothing promised) unless the room
   * has a seat for each of them that does not hold one already. A match holds its seats this way.
   */
  reserveAll(
    roomId: string,
    playerIds: readonly string[],
    expiresAt: number,
  ): Promise<RoomRecord | ReserveRefusal>;
}
