/**
 * The game node's operator routes, for the lobby's admin API (never for players): the node's
 * state and tick timings, one room's live entities and players with their round-trip times, and
 * the actions (kick a player, dispose a room, drain the node). Every route needs the admin key as
 * `Authorization: Bearer <key>`; ids travel in the query string. Each action is logged with the
 * operator the lobby names in `X-Tickforge-Operator`.
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/codes.ts';
import { bearerKeyCheck } from '../bearer.ts';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem.ts';
import type { RoomRegistry } from './room-registry.ts';
import type { RoomRuntime } from './room-runtime.ts';
import type { SeatSocket } from './seat.ts';
import { MAX_SEAT_TTL_SECONDS } from './seat-token.ts';
import type { TickTimings, TickWindow } from './tick-window.ts';
import type { HttpRequest, HttpResponse, Transport } from './transport/types.ts';

/** What GET /admin/status answers. */
export interface NodeAdminStatus {
  readonly nodeId: string;
  readonly url: string;
  /** `draining`: an operator drained it (no new rooms) or it is shutting down. */
  readonly state: 'live' | 'draining';
  readonly rooms: number;
  readonly players: number;
  readonly connections: number;
  readonly maxRooms: number;
  readonly tick: TickTimings;
  readonly slippedTicks: number;
  readonly overruns: number;
  readonly uptimeSeconds: number;
}

/** One player of a room as GET /admin/room shows it. */
export interface NodeAdminPlayer {
  readonly playerId: string;
  readonly name: string;
  readonly connected: boolean;
  /** Round trip of a WebSocket ping just now (or the last one answered), ms; absent if none answered. */
  readonly rttMs?: number;
  readonly seatId: string;
}

/** What GET /admin/room answers. */
export interface NodeAdminRoom {
  readonly roomId: string;
  readonly mode: string;
  readonly tick: number;
  readonly createdAt: number;
  readonly maxPlayers: number;
  readonly ended: boolean;
  readonly players: readonly NodeAdminPlayer[];
  readonly entityCount: number;
  readonly entities: readonly Record<string, unknown>[];
}

export interface NodeAdminDeps {
  readonly adminKeys: readonly string[];
  readonly nodeId: string;
  readonly url: () => string;
  readonly registry: RoomRegistry;
  readonly ticks: TickWindow;
  readonly log: Logger;
  readonly now: () => number;
  readonly connections: () => number;
  readonly maxRooms: number;
  readonly draining: () => boolean;
  /** Stop taking new rooms; rooms already here play on. */
  readonly drain: () => void;
  /** Take new rooms again after a drain; false while the node shuts down (that cannot be undone). */
  readonly undrain: () => boolean;
}

/** A lobby's request id, as the lobby accepts one (observe.ts): short and plain. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Entities shown per room at most. */
const MAX_ENTITIES = 500;
/** How long room detail waits for pongs before answering with what it has. */
const RTT_WAIT_MS = 1000;

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
const problemAnswer = (status: number, kind: string, title: string, detail: string): HttpResponse => ({
  status,
  headers: {
    'content-type': PROBLEM_CONTENT_TYPE,
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  },
  body: JSON.stringify(problem(status, kind, title, detail)),
});

/** Round trips of WebSocket pings: the game node calls `pong` from its transport handler. */
export class RoundTrips {
  readonly #sent = new WeakMap<SeatSocket, number>();
  readonly #rtt = new WeakMap<SeatSocket, number>();
  readonly #waiting = new Set<() => void>();

  /** Ping every socket; resolves when all answered or after `waitMs`. */
  measure(sockets: readonly SeatSocket[], waitMs: number): Promise<void> {
    const pinged = sockets.filter((socket) => socket.ping);
    const started = performance.now();
    for (const socket of pinged) {
      this.#sent.set(socket, started);
      socket.ping?.();
    }
    return new Promise((resolve) => {
      const check = () => {
        if (pinged.every((socket) => !this.#sent.has(socket))) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(check);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.#waiting.add(check);
      check();
    });
  }

  pong(socket: SeatSocket): void {
    const sent = this.#sent.get(socket);
    if (sent === undefined) return; // a keep-alive ping's pong
    this.#sent.delete(socket);
    this.#rtt.set(socket, performance.now() - sent);
    for (const check of [...this.#waiting]) check();
  }

  rttOf(socket: SeatSocket): number | undefined {
    const rtt = this.#rtt.get(socket);
    return rtt === undefined ? undefined : Math.round(rtt * 10) / 10;
  }
}

/** Register the /admin/* routes on the node's transport. */
export function mountNodeAdmin(transport: Transport, deps: NodeAdminDeps, trips: RoundTrips): void {
  const admin = bearerKeyCheck(deps.adminKeys);
  const guarded =
    (handler: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>) => (request: HttpRequest) =>
      admin(request.headers.authorization)
        ? handler(request)
        : problemAnswer(
            401,
            'unauthorized',
            'Unauthorized',
            'This route needs the admin key (Authorization: Bearer <key>).',
          );
  const startedAt = deps.now();
  const operatorOf = (request: HttpRequest) =>
    (request.headers['x-tickforge-operator'] ?? 'unknown').slice(0, 64);
  /** Who did it, and the lobby request it came from (its X-Request-Id, when sane), for the log. */
  const actor = (request: HttpRequest) => {
    const reqId = request.headers['x-request-id'];
    return {
      operator: operatorOf(request),
      ...(reqId !== undefined && SANE_REQUEST_ID.test(reqId) ? { reqId } : {}),
    };
  };
  const roomOf = (request: HttpRequest): RoomRuntime | HttpResponse => {
    const roomId = request.query.get('roomId') ?? '';
    const room = deps.registry.get(roomId);
    return room ?? problemAnswer(404, 'room-not-found', 'Not found', 'No such room on this node.');
  };

  transport.route(
    'GET',
    '/admin/status',
    guarded(() => {
      let players = 0;
      for (const room of deps.registry.summaries()) players += room.players;
      const status: NodeAdminStatus = {
        nodeId: deps.nodeId,
        url: deps.url(),
        state: deps.draining() ? 'draining' : 'live',
        rooms: deps.registry.size,
        players,
        connections: deps.connections(),
        maxRooms: deps.maxRooms,
        tick: deps.ticks.timings(),
        slippedTicks: deps.ticks.slipped,
        overruns: deps.ticks.overruns,
        uptimeSeconds: Math.round((deps.now() - startedAt) / 1000),
      };
      return json(200, status);
    }),
  );

  transport.route(
    'GET',
    '/admin/room',
    guarded(async (request) => {
      const room = roomOf(request);
      if (!('id' in room)) return room;
      const sockets = [...room.seats.values()].flatMap((seat) => (seat.socket ? [seat.socket] : []));
      await trips.measure(sockets, RTT_WAIT_MS);
      const { count, entities } = room.inspectEntities(MAX_ENTITIES);
      const detail: NodeAdminRoom = {
        roomId: room.id,
        mode: room.mode,
        tick: room.tickNumber,
        createdAt: room.createdAt,
        maxPlayers: room.maxPlayers,
        ended: room.ended,
        players: [...room.seats.values()].map((seat) => {
          const rtt = seat.socket ? trips.rttOf(seat.socket) : undefined;
          return {
            playerId: seat.player.id,
            name: seat.player.name,
            connected: seat.socket !== undefined,
            ...(rtt === undefined ? {} : { rttMs: rtt }),
            seatId: seat.seatId,
          };
        }),
        entityCount: count,
        entities,
      };
      return json(200, detail);
    }),
  );

  transport.route(
    'POST',
    '/admin/kick',
    guarded((request) => {
      const room = roomOf(request);
      if (!('id' in room)) return room;
      const playerId = request.query.get('playerId') ?? '';
      const seatId = room.seats.get(playerId)?.seatId;
      if (!room.kick(playerId)) {
        return problemAnswer(404, 'player-not-found', 'Not found', 'No such player in this room.');
      }
      deps.log.info(
        { ...actor(request), action: 'kick', roomId: room.id, playerId, seatId },
        'admin: player kicked',
      );
      return json(200, { kicked: playerId, roomId: room.id, closeCode: CloseCode.KICKED });
    }),
  );

  transport.route(
    'POST',
    '/admin/dispose',
    guarded((request) => {
      const room = roomOf(request);
      if (!('id' in room)) return room;
      deps.registry.closeByOperator(
        room,
        CloseCode.ROOM_CLOSED,
        'closed by an operator',
        MAX_SEAT_TTL_SECONDS * 1000,
      );
      deps.log.info({ ...actor(request), action: 'dispose', roomId: room.id }, 'admin: room disposed');
      return json(200, { disposed: room.id, closeCode: CloseCode.ROOM_CLOSED });
    }),
  );

  transport.route(
    'POST',
    '/admin/drain',
    guarded((request) => {
      deps.drain();
      deps.log.info({ ...actor(request), action: 'drain', nodeId: deps.nodeId }, 'admin: node drained');
      return json(200, { nodeId: deps.nodeId, state: 'draining' });
    }),
  );

  transport.route(
    'POST',
    '/admin/undrain',
    guarded((request) => {
      if (!deps.undrain()) {
        return problemAnswer(
          409,
          'node-stopping',
          'Conflict',
          'The node is shutting down; it cannot take rooms again.',
        );
      }
      deps.log.info({ ...actor(request), action: 'undrain', nodeId: deps.nodeId }, 'admin: node undrained');
      return json(200, { nodeId: deps.nodeId, state: 'live' });
    }),
  );
}
