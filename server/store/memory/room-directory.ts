/**
 * The room directory in process memory: right for one machine, where the lobby and the game node
 * share a process. Records are replaced, never mutated, so a value handed out stays as it was.
 */
import {
  type CreateRefusal,
  type CreatorLimits,
  DEAD_NODE_FORGET_MS,
  type LiveNode,
  type NewRoom,
  type NodeStatus,
  occupancy,
  type ReserveRefusal,
  type RoomCreator,
  type RoomDirectory,
  type RoomRecord,
  type RoomReport,
} from '../rooms.ts';

/** Promises whose token has not expired. */
function live(reservations: Readonly<Record<string, number>>, now: number): Record<string, number> {
  return Object.fromEntries(Object.entries(reservations).filter(([, until]) => until > now));
}

interface NodeEntry {
  readonly status: LiveNode;
  readonly expiresAt: number;
}

/** A RoomDirectory in a Map; `now` is the injected wall clock. */
export class MemoryRoomDirectory implements RoomDirectory {
  readonly #now: () => number;
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #rooms = new Map<string, RoomRecord>();
  /** Rooms their node reported in its last heartbeat: they exist there, held or not. */
  readonly #reported = new Set<string>();
  readonly #codes = new Map<string, string>();
  /** The room each player was last promised a seat in. */
  readonly #promised = new Map<string, string>();

  constructor(now: () => number) {
    this.#now = now;
  }

  async heartbeat(node: NodeStatus, rooms: readonly RoomReport[], ttlMs: number): Promise<void> {
    const now = this.#now();
    this.#nodes.set(node.nodeId, { status: { ...node, seenAt: now }, expiresAt: now + ttlMs });
    const reports = new Map(rooms.map((report) => [report.roomId, report]));
    for (const room of [...this.#rooms.values()]) {
      if (room.nodeId !== node.nodeId) continue;
      const report = reports.get(room.roomId);
      if (report) {
        this.#reported.add(room.roomId);
        const seated = [...report.players];
        // A promise is kept once the player is seated; the rest wait for their token to expire.
        const reservations = live(room.reservations, now);
        for (const id of seated) delete reservations[id];
        for (const id of Object.keys(room.reservations)) {
          if (!(id in reservations) && this.#promised.get(id) === room.roomId) this.#promised.delete(id);
        }
        this.#rooms.set(room.roomId, { ...room, seated, reservations, ended: room.ended || report.ended });
      } else if (room.heldUntil > now) {
        // Gone from the node (or not made there yet), but a seat token for it may still be used:
        // that player's connection makes it again on the node, so it stays findable and counted.
        this.#reported.delete(room.roomId);
        this.#rooms.set(room.roomId, { ...room, seated: [] });
      } else {
        this.#remove(room);
      }
    }
  }

  async liveNodes(): Promise<LiveNode[]> {
    const now = this.#now();
    const alive: LiveNode[] = [];
    // Rooms made here that the node has not reported yet still count against its room limit.
    const recorded = new Map<string, number>();
    for (const room of this.#rooms.values()) {
      if (this.#present(room, now)) recorded.set(room.nodeId, (recorded.get(room.nodeId) ?? 0) + 1);
    }
    for (const [id, entry] of this.#nodes) {
      if (entry.expiresAt > now) {
        alive.push({ ...entry.status, rooms: Math.max(entry.status.rooms, recorded.get(id) ?? 0) });
        continue;
      }
      // Dead but remembered: a beat after an outage or a stall brings its rooms back.
      if (entry.expiresAt > now - DEAD_NODE_FORGET_MS) continue;
      this.#nodes.delete(id);
      // Its rooms are gone with it, looked up or not.
      for (const room of [...this.#rooms.values()]) if (room.nodeId === id) this.#remove(room);
    }
    return alive;
  }

  async create(room: NewRoom, limits: CreatorLimits = {}): Promise<RoomRecord | CreateRefusal> {
    if (this.#live(room.roomId)) return 'taken';
    if (room.code !== undefined && this.#live(this.#codes.get(room.code))) return 'taken';
    const refusal = room.createdBy && this.#overLimit(room.createdBy, limits);
    if (refusal) return refusal;
    if (this.#nodeFull(room.nodeId)) return 'node-full';
    const record: RoomRecord = {
      ...room,
      createdAt: this.#now(),
      seated: [],
      reservations: {},
      ended: false,
    };
    this.#rooms.set(room.roomId, record);
    if (room.code !== undefined) this.#codes.set(room.code, room.roomId);
    return record;
  }

  async find(by: { readonly roomId: string } | { readonly code: string }): Promise<RoomRecord | undefined> {
    return this.#live('roomId' in by ? by.roomId : this.#codes.get(by.code));
  }

  async listPublic(mode: string, limit: number): Promise<RoomRecord[]> {
    const now = this.#now();
    const open: { room: RoomRecord; taken: number }[] = [];
    for (const room of this.#rooms.values()) {
      if (room.mode !== mode || room.visibility !== 'public' || room.ended) continue;
      if (!this.#present(room, now)) continue;
      open.push({ room, taken: occupancy(room, now) });
    }
    const free = (entry: { room: RoomRecord; taken: number }) => entry.taken < entry.room.maxPlayers;
    open.sort(
      (a, b) =>
        Number(free(b)) - Number(free(a)) ||
        b.taken - a.taken ||
        a.room.createdAt - b.room.createdAt ||
        (a.room.roomId < b.room.roomId ? -1 : 1),
    );
    return open.slice(0, limit).map((entry) => entry.room);
  }

  async reserve(roomId: string, playerId: string, expiresAt: number): Promise<RoomRecord | ReserveRefusal> {
    return this.reserveAll(roomId, [playerId], expiresAt);
  }

  async reserveAll(
    roomId: string,
    playerIds: readonly string[],
    expiresAt: number,
  ): Promise<RoomRecord | ReserveRefusal> {
    const room = this.#live(roomId);
    if (!room) return 'unknown';
    if (room.ended) return 'ended';
    const now = this.#now();
    const players = [...new Set(playerIds)];
    const newcomers = players.filter(
      (id) => !room.seated.includes(id) && !((room.reservations[id] ?? 0) > now),
    ).length;
    if (newcomers > 0 && occupancy(room, now) + newcomers > room.maxPlayers) return 'full';
    for (const playerId of players) {
      // One promise per player: a seat promised elsewhere and not taken is given back.
      const elsewhere = this.#promised.get(playerId);
      if (elsewhere !== undefined && elsewhere !== roomId) this.#unpromise(elsewhere, playerId);
      this.#promised.set(playerId, roomId);
    }
    const updated = {
      ...room,
      reservations: {
        ...live(room.reservations, now),
        ...Object.fromEntries(players.map((id) => [id, expiresAt])),
      },
      heldUntil: Math.max(room.heldUntil, expiresAt),
    };
    this.#rooms.set(roomId, updated);
    return updated;
  }

  /**
   * The room if it is present. A room of a node dead for DEAD_NODE_FORGET_MS is forgotten; one of a
   * node dead for less (it may beat again after an outage or a stall), or whose hold ran out, is only
   * hidden: its creator may have connected just before the token expired, and only the node's next
   * heartbeat says whether the room is there (then it is present again) or not (then it is forgotten).
   */
  #live(roomId: string | undefined): RoomRecord | undefined {
    const room = roomId === undefined ? undefined : this.#rooms.get(roomId);
    if (!room) return undefined;
    if (this.#present(room, this.#now())) return room;
    if (this.#nodeForgotten(room.nodeId)) this.#remove(room);
    return undefined;
  }

  /** Its node is alive, and it has the room or a seat token may still make it there. */
  #present(room: RoomRecord, now: number): boolean {
    return this.#nodeAlive(room.nodeId) && (this.#reported.has(room.roomId) || room.heldUntil > now);
  }

  /** The creator's cap it has reached, counting its present rooms that have not ended. */
  #overLimit(by: RoomCreator, limits: CreatorLimits): CreateRefusal | undefined {
    const now = this.#now();
    let player = 0;
    let address = 0;
    for (const room of this.#rooms.values()) {
      if (!room.createdBy || room.ended || !this.#present(room, now)) continue;
      if (room.createdBy.playerId === by.playerId) player++;
      if (room.createdBy.address === by.address) address++;
    }
    if (limits.perPlayer !== undefined && player >= limits.perPlayer) return 'player-limit';
    if (limits.perAddress !== undefined && address >= limits.perAddress) return 'address-limit';
    return undefined;
  }

  /** The node is alive and holds its `maxRooms`, as it reported or as recorded here since. */
  #nodeFull(nodeId: string): boolean {
    const entry = this.#nodes.get(nodeId);
    const now = this.#now();
    if (!entry || entry.expiresAt <= now) return false;
    let recorded = 0;
    for (const room of this.#rooms.values())
      if (room.nodeId === nodeId && this.#present(room, now)) recorded++;
    return Math.max(entry.status.rooms, recorded) >= entry.status.maxRooms;
  }

  #unpromise(roomId: string, playerId: string): void {
    const room = this.#rooms.get(roomId);
    if (!room || !(playerId in room.reservations)) return;
    const { [playerId]: _dropped, ...rest } = room.reservations;
    this.#rooms.set(roomId, { ...room, reservations: rest });
  }

  /** Its heartbeat expired longer than DEAD_NODE_FORGET_MS ago (or it never beat). */
  #nodeForgotten(nodeId: string): boolean {
    const entry = this.#nodes.get(nodeId);
    return entry === undefined || entry.expiresAt <= this.#now() - DEAD_NODE_FORGET_MS;
  }

  #nodeAlive(nodeId: string): boolean {
    const entry = this.#nodes.get(nodeId);
    return entry !== undefined && entry.expiresAt > this.#now();
  }

  #remove(room: RoomRecord): void {
    this.#rooms.delete(room.roomId);
    for (const playerId of Object.keys(room.reservations)) {
      if (this.#promised.get(playerId) === room.roomId) this.#promised.delete(playerId);
    }
    this.#reported.delete(room.roomId);
    if (room.code !== undefined && this.#codes.get(room.code) === room.roomId) this.#codes.delete(room.code);
  }
}
