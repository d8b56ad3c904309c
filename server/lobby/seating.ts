/**
 * Seats: the lobby's half of admitting a player. It picks the least-loaded live game node for a
 * new room, records the room in the directory, promises a seat there (refusing a full or ended
 * room) and mints the single-use seat token that node accepts on the WebSocket upgrade.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { SeatTokens } from '../game/seat-token.ts';
import type {
  CreatorLimits,
  LiveNode,
  RoomCreator,
  RoomDirectory,
  RoomRecord,
  RoomVisibility,
} from '../store/rooms.ts';
import type { SeatReservationSchema } from './contracts/seats.ts';
import { ConflictError, GoneError, NoCapacityError, NotFoundError, RoomLimitError } from './errors.ts';
import type { LobbyModes } from './modes.ts';
import { requestContext } from './ops/request-context.ts';

/** What a client needs to take its seat: connect to `${url}?seat=${seat}` before `expiresAt`. */
export type SeatReservation = Static<typeof SeatReservationSchema>;

/** A room to create. */
export interface RoomRequest {
  readonly mode: string;
  readonly visibility: RoomVisibility;
  readonly maxPlayers: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** The player asking (and from where), whose live rooms are capped; none for matchmade rooms. */
  readonly createdBy?: RoomCreator;
}

/** Live rooms one player, and one client address, may have created at once (0: no cap). */
export interface RoomLimits {
  readonly perPlayer: number;
  readonly perAddress: number;
}

/** Who sits down. */
export interface SeatedPlayer {
  readonly id: string;
  readonly name: string;
}

export interface SeatingOptions {
  readonly rooms: RoomDirectory;
  readonly tokens: SeatTokens;
  readonly modes: LobbyModes;
  readonly now: () => number;
  /** Lifetime of a seat token, in seconds (at most 300). */
  readonly seatTtlSeconds: number;
  /** Caps on the live rooms of one creator (default: none). */
  readonly roomLimits?: RoomLimits;
  /** Where each promised seat is logged, with its id (the game node logs the same id). */
  readonly log?: Logger;
}

/** Join codes avoid look-alike characters (0/O, 1/I/L) so they can be read out loud. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_PATTERN = `^[${CODE_ALPHABET}]{6}$`;
const CODE_ATTEMPTS = 8;

/** Creates rooms on game nodes and hands out seats in them. */
export class Seating {
  readonly #options: SeatingOptions;
  readonly #limits: CreatorLimits;

  constructor(options: SeatingOptions) {
    this.#options = options;
    const { perPlayer = 0, perAddress = 0 } = options.roomLimits ?? {};
    this.#limits = {
      ...(perPlayer > 0 ? { perPlayer } : {}),
      ...(perAddress > 0 ? { perAddress } : {}),
    };
  }

  /**
   * Create a room on the least-loaded live node. Private rooms get a fresh join code unless
   * `joinCode` is false (matchmade rooms: only their players may sit). A room with a creator is
   * refused (RoomLimitError) when that player or its address already holds as many live rooms as
   * the limits allow.
   */
  async createRoom(request: RoomRequest, joinCode = true): Promise<RoomRecord> {
    let node = await this.#pickNode();
    const { createdBy, ...room } = request;
    const options = this.#options.modes.get(request.mode)?.roomOptions ?? {};
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const created = await this.#options.rooms.create(
        {
          ...room,
          roomId: randomUUID(),
          nodeId: node.nodeId,
          code: request.visibility === 'private' && joinCode ? newJoinCode() : undefined,
          options,
          createdBy,
          // Held for the seat its creator (or the matchmaker's first player) is promised next.
          heldUntil: this.#seatExpiry(),
        },
        this.#limits,
      );
      if (created === 'player-limit' || created === 'address-limit') {
        throw new RoomLimitError(created === 'player-limit' ? 'player' : 'address', this.#limits);
      }
      // Other lobbies filled that node since it was picked: pick again (none left: NoCapacityError).
      if (created === 'node-full') node = await this.#pickNode();
      else if (created !== 'taken') return created;
    }
    throw new Error(`no free room id, join code or node after ${CODE_ATTEMPTS} attempts`);
  }

  /**
   * Promise the player a seat in the room for one seat-token lifetime, without minting a token
   * (matchmaking holds its players' seats this way until each reads the match).
   */
  hold(roomId: string, playerId: string): Promise<number> {
    return this.holdAll(roomId, [playerId]);
  }

  /** `hold` for a match's players at once, all or none (one step on the store). */
  async holdAll(roomId: string, playerIds: readonly string[]): Promise<number> {
    const expiresAt = this.#seatExpiry();
    const reserved = await this.#options.rooms.reserveAll(roomId, playerIds, expiresAt);
    if (reserved === 'unknown') throw new NotFoundError('room-not-found', 'The room is gone.');
    if (reserved === 'ended') throw new GoneError('room-ended', 'The match in this room is over.');
    if (reserved === 'full') throw new ConflictError('room-full', 'The room is full.');
    return expiresAt;
  }

  /** Promise the player a seat in the room and mint its token. */
  async seat(room: RoomRecord, player: SeatedPlayer): Promise<SeatReservation> {
    const { rooms, tokens, seatTtlSeconds } = this.#options;
    const expiresAt = await this.hold(room.roomId, player.id);
    const node = (await rooms.liveNodes()).find((n) => n.nodeId === room.nodeId);
    if (!node) throw new NotFoundError('room-not-found', 'The game node of this room is gone.');
    const seatId = randomUUID();
    const seat = await tokens.mintSeat(
      {
        seatId,
        playerId: player.id,
        name: player.name,
        roomId: room.roomId,
        mode: room.mode,
        nodeId: room.nodeId,
        options: room.options,
        maxPlayers: room.maxPlayers,
      },
      seatTtlSeconds,
    );
    const reservation = {
      url: node.url,
      seat,
      roomId: room.roomId,
      playerId: player.id,
      mode: room.mode,
      nodeId: room.nodeId,
      expiresAt,
      seatId,
    };
    this.#options.log?.info(
      { ...requestContext(), seatId, playerId: player.id, roomId: room.roomId, nodeId: room.nodeId },
      'seat promised',
    );
    return reservation;
  }

  /** When a seat token minted now expires (its `exp` is in whole seconds). */
  #seatExpiry(): number {
    return (Math.floor(this.#options.now() / 1000) + this.#options.seatTtlSeconds) * 1000;
  }

  async #pickNode(): Promise<LiveNode> {
    const nodes = (await this.#options.rooms.liveNodes()).filter((n) => n.rooms < n.maxRooms);
    if (nodes.length === 0)
      throw new NoCapacityError('No game node can take a room right now; retry shortly.');
    return nodes.reduce((best, n) =>
      n.players < best.players || (n.players === best.players && n.rooms < best.rooms) ? n : best,
    );
  }
}

function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
