/**
 * The room directory in process memory: right for one machine, where the lobby and the game node
 * share a process. Records are replaced, never mutated, so a value handed out stays as it was.
 */
import {
  type LiveNode,
  type NewRoom,
  type NodeStatus,
  occupancy,
  type ReserveRefusal,
  type RoomDirectory,
  type RoomRecord,
  type RoomReport,
} from '../rooms.ts';

interface NodeEntry {
  readonly status: LiveNode;
  readonly expiresAt: number;
}

/** A RoomDirectory in a Map; `now` is the injected wall clock. */
export class MemoryRoomDirectory implements RoomDirectory {
  readonly #now: () => number;
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #rooms = new Map<string, RoomRecord>();
  /** Rooms the node has reported at least once: a missing one is then gone for good. */
  readonly #reported = new Set<string>();
  readonly #codes = new Map<string, string>();

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
        const reservations = Object.fromEntries(
          Object.entries(room.reservations).filter(([id, until]) => until > now && !seated.includes(id)),
        );
        this.#rooms.set(room.roomId, { ...room, seated, reservations, ended: room.ended || report.ended });
      } else if (this.#reported.has(room.roomId) || occupancy(room, now) === 0) {
        this.#remove(room);
      }
    }
  }

  async liveNodes(): Promise<LiveNode[]> {
    const now = this.#now();
    const live: LiveNode[] = [];
    for (const [id, entry] of this.#nodes) {
      if (entry.expiresAt > now) live.push(entry.status);
      else this.#nodes.delete(id);
    }
    return live;
  }

  async create(room: NewRoom): Promise<RoomRecord | false> {
    if (this.#rooms.has(room.roomId)) return false;
    if (room.code !== undefined && this.#live(this.#codes.get(room.code))) return false;
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
      if (!this.#nodeAlive(room.nodeId)) continue;
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
    const room = this.#live(roomId);
    if (!room) return 'unknown';
    if (room.ended) return 'ended';
    const known = room.seated.includes(playerId) || playerId in room.reservations;
    if (!known && occupancy(room, this.#now()) >= room.maxPlayers) return 'full';
    const updated = { ...room, reservations: { ...room.reservations, [playerId]: expiresAt } };
    this.#rooms.set(roomId, updated);
    return updated;
  }

  /** The room if it exists and its node is alive; a room of a dead node is forgotten. */
  #live(roomId: string | undefined): RoomRecord | undefined {
    const room = roomId === undefined ? undefined : this.#rooms.get(roomId);
    if (!room) return undefined;
    if (this.#nodeAlive(room.nodeId)) return room;
    this.#remove(room);
    return undefined;
  }

  #nodeAlive(nodeId: string): boolean {
    const entry = this.#nodes.get(nodeId);
    return entry !== undefined && entry.expiresAt > this.#now();
  }

  #remove(room: RoomRecord): void {
    this.#rooms.delete(room.roomId);
    this.#reported.delete(room.roomId);
    if (room.code !== undefined && this.#codes.get(room.code) === room.roomId) this.#codes.delete(room.code);
  }
}
