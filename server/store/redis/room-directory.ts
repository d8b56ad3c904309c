/**
 * The room directory on Redis: nodes with a heartbeat expiry (by the injected clock, never a Redis
 * TTL), their rooms, join codes and promised seats. Every operation is one script over the directory's
 * hash tag (scripts/includes/directory.lua lists its keys): the directory is small, and a heartbeat,
 * a reservation or a room creation each read and write across nodes, rooms, codes and promises at
 * once, so the whole directory lives in one cluster slot.
 */

import { NodeIdTakenError } from '../errors.ts';
import type {
  CreateRefusal,
  CreatorLimits,
  LiveNode,
  NewRoom,
  NodeStatus,
  ReserveRefusal,
  RoomDirectory,
  RoomRecord,
  RoomReport,
} from '../rooms.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisScripts, ScriptName } from './scripts.ts';

/** What the lobby gave `create`, as stored in the room's `record` field. */
type StoredRoom = NewRoom & { readonly createdAt: number };

/**
 * `[record JSON, ended flag, seated ids, promised seats as player, expiry, ..., held until]`
 * (roomView in Lua).
 */
type RoomView = [string, string, string[], string[], string];

function toRoom(view: RoomView): RoomRecord {
  const [json, ended, seated, held, heldUntil] = view;
  const stored = JSON.parse(json) as StoredRoom;
  const reservations: Record<string, number> = {};
  // Stryker disable next-line EqualityOperator: equivalent, the pairs list has an even length
  for (let i = 0; i + 1 < held.length; i += 2) reservations[held[i]!] = Number(held[i + 1]);
  return {
    ...stored,
    // JSON has no undefined: a room without a join code or a creator comes back without the field.
    code: stored.code ?? undefined,
    createdBy: stored.createdBy ?? undefined,
    // A seat promised since creation holds the room longer than the lobby first asked.
    heldUntil: Number(heldUntil),
    seated,
    reservations,
    ended: ended === '1',
  };
}

const CREATE_REFUSALS = new Set<unknown>([
  'taken',
  'player-limit',
  'address-limit',
  'node-full',
] satisfies CreateRefusal[]);

function isRefusal(reply: unknown): reply is CreateRefusal {
  return CREATE_REFUSALS.has(reply);
}

/** The RoomDirectory on Redis; `now` is the injected wall clock. */
export class RedisRoomDirectory implements RoomDirectory {
  readonly #scripts: RedisScripts;
  readonly #keys: RedisKeys;
  readonly #now: () => number;

  constructor(scripts: RedisScripts, keys: RedisKeys, now: () => number) {
    this.#scripts = scripts;
    this.#keys = keys;
    this.#now = now;
  }

  async heartbeat(node: NodeStatus, rooms: readonly RoomReport[], ttlMs: number): Promise<void> {
    const now = this.#now();
    const status: LiveNode = { ...node, seenAt: now };
    const reports = rooms.flatMap((report) => [
      report.roomId,
      // Stryker disable next-line StringLiteral: equivalent, heartbeat-4.lua reads only '1' as ended
      report.ended ? '1' : '0',
      report.players.length,
      ...report.players,
    ]);
    const reply = await this.#run('heartbeat-4', [
      now,
      node.nodeId,
      JSON.stringify(status),
      now + ttlMs,
      node.url,
      ...reports,
    ]);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, heartbeat-4.lua replies 1 or {'taken', holder}
    if (Array.isArray(reply) && reply[0] === 'taken')
      throw new NodeIdTakenError(node.nodeId, String(reply[1]));
  }

  async liveNodes(): Promise<LiveNode[]> {
    const nodes = (await this.#run('live-nodes-4', [this.#now()])) as [string, number][];
    return nodes.map(([json, recorded]) => {
      const status = JSON.parse(json) as LiveNode;
      // Rooms made here that the node has not reported yet still count against its room limit.
      return { ...status, rooms: Math.max(status.rooms, recorded) };
    });
  }

  async create(room: NewRoom, limits: CreatorLimits = {}): Promise<RoomRecord | CreateRefusal> {
    const createdAt = this.#now();
    const stored: StoredRoom = { ...room, createdAt };
    const reply = await this.#run('create-room-4', [
      createdAt,
      room.roomId,
      room.nodeId,
      room.mode,
      // Stryker disable next-line StringLiteral: equivalent, create-room.lua reads only '1' as public
      room.visibility === 'public' ? '1' : '0',
      room.code ?? '',
      room.maxPlayers,
      createdAt,
      JSON.stringify(stored),
      room.heldUntil,
      room.createdBy?.playerId ?? '',
      // Stryker disable next-line StringLiteral: equivalent, create-room.lua reads the address only with a creator
      room.createdBy?.address ?? '',
      limits.perPlayer ?? '',
      limits.perAddress ?? '',
    ]);
    if (isRefusal(reply)) return reply;
    // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: unreachable guard, create-room-4.lua replies 1 or a refusal
    if (reply !== 1) throw new Error(`create-room-4 replied ${JSON.stringify(reply)}`);
    return { ...room, createdAt, seated: [], reservations: {}, ended: false };
  }

  async find(by: { readonly roomId: string } | { readonly code: string }): Promise<RoomRecord | undefined> {
    // Stryker disable next-line StringLiteral: equivalent, find-room-4.lua looks up by code only on 'code'
    const [kind, value] = 'roomId' in by ? ['id', by.roomId] : ['code', by.code];
    const view = (await this.#run('find-room-4', [this.#now(), kind, value])) as RoomView | null;
    return view === null ? undefined : toRoom(view);
  }

  async listPublic(mode: string, limit: number): Promise<RoomRecord[]> {
    const views = (await this.#run('list-public-4', [this.#now(), mode, limit])) as RoomView[];
    return views.map(toRoom);
  }

  reserve(roomId: string, playerId: string, expiresAt: number): Promise<RoomRecord | ReserveRefusal> {
    return this.reserveAll(roomId, [playerId], expiresAt);
  }

  async reserveAll(
    roomId: string,
    playerIds: readonly string[],
    expiresAt: number,
  ): Promise<RoomRecord | ReserveRefusal> {
    const reply = (await this.#run('reserve-seats-4', [this.#now(), roomId, expiresAt, ...playerIds])) as
      | RoomView
      | ReserveRefusal;
    return typeof reply === 'string' ? reply : toRoom(reply);
  }

  /** Directory scripts all declare its four fixed keys and take its key base first. */
  #run(name: ScriptName, args: readonly (string | number)[]): Promise<unknown> {
    return this.#scripts.run(name, this.#keys.directory.keys, [this.#keys.directory.base, ...args]);
  }
}
