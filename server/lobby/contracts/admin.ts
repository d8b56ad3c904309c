/**
 * Contracts of the operators' admin API under /v1/admin: the cluster's nodes, rooms and queues,
 * one room's live state read from its game node, the actions (kick, dispose, drain), leaderboards
 * and players. Every route needs the admin key (`Authorization: Bearer <key>`) or an admin console
 * session; a player token or the server key is refused (403), no credential at all too (401).
 */
import { Type } from '@sinclair/typebox';
import { PlayerId, RecordName } from '../../../shared/protocol/schemas/names.ts';
import { defineRoute, problemAnswer, type RouteResponse } from '../contract.ts';
import { BoardParams, BoardPlayerParams, LeaderboardRecord, TopQuery, TopResponse } from './leaderboards.ts';
import { RoomId } from './seats.ts';

const NodeId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Game node id' });

const TickTimings = Type.Object(
  {
    count: Type.Integer({ description: 'Ticks in the window (the most recent 2048)' }),
    p50Ms: Type.Number(),
    p99Ms: Type.Number(),
    maxMs: Type.Number(),
  },
  { title: 'TickTimings', additionalProperties: false },
);

/** A game node as the admin API shows it. */
export const AdminNode = Type.Object(
  {
    nodeId: Type.String(),
    url: Type.String({ description: 'WebSocket URL players connect to' }),
    state: Type.Union([Type.Literal('live'), Type.Literal('draining'), Type.Literal('silent')], {
      description: '`silent`: its heartbeat is late or its admin endpoint does not answer',
    }),
    players: Type.Integer(),
    rooms: Type.Integer(),
    maxRooms: Type.Integer({ description: 'As last announced; 0 once drained' }),
    seenAt: Type.Integer({ description: 'Last heartbeat, wall-clock ms (UTC)' }),
    connections: Type.Optional(Type.Integer()),
    tick: Type.Optional(TickTimings),
    slippedTicks: Type.Optional(Type.Integer()),
    overruns: Type.Optional(Type.Integer()),
    uptimeSeconds: Type.Optional(Type.Integer()),
  },
  { title: 'AdminNode', additionalProperties: false },
);

/** A room in a node's list. */
export const AdminRoom = Type.Object(
  {
    roomId: Type.String(),
    nodeId: Type.String(),
    mode: Type.String(),
    players: Type.Integer(),
    maxPlayers: Type.Integer(),
    tick: Type.Integer(),
    ended: Type.Boolean(),
    ageSeconds: Type.Integer(),
  },
  { title: 'AdminRoom', additionalProperties: false },
);

const AdminPlayerInRoom = Type.Object(
  {
    playerId: Type.String(),
    name: Type.String(),
    connected: Type.Boolean(),
    rttMs: Type.Optional(Type.Number({ description: 'Round trip of a WebSocket ping just now, ms' })),
    seatId: Type.String(),
  },
  { title: 'AdminRoomPlayer', additionalProperties: false },
);

/** One room, live from its node. */
export const AdminRoomDetail = Type.Object(
  {
    roomId: Type.String(),
    nodeId: Type.String(),
    mode: Type.String(),
    tick: Type.Integer(),
    createdAt: Type.Integer(),
    maxPlayers: Type.Integer(),
    ended: Type.Boolean(),
    visibility: Type.Optional(Type.String()),
    players: Type.Array(AdminPlayerInRoom),
    entityCount: Type.Integer(),
    entities: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
      description: 'Live entities, at most 500, in spawn order',
    }),
  },
  { title: 'AdminRoomDetail', additionalProperties: false },
);

const AdminQueue = Type.Object(
  {
    mode: Type.String(),
    region: Type.String(),
    tickets: Type.Integer(),
    players: Type.Integer(),
    oldestWaitSeconds: Type.Number(),
  },
  { title: 'AdminQueue', additionalProperties: false },
);

const AdminBoard = Type.Object(
  {
    boardId: Type.String(),
    mode: Type.String(),
    sort: Type.String(),
    operator: Type.String(),
    reset: Type.String(),
  },
  { title: 'AdminBoard', additionalProperties: false },
);

const AdminPlayer = Type.Object(
  {
    playerId: Type.String(),
    name: Type.String(),
    createdAt: Type.Integer(),
    records: Type.Array(
      Type.Object({ boardId: Type.String(), period: Type.String(), record: LeaderboardRecord }),
      { description: "The player's record on each board this period (boards without one are left out)" },
    ),
  },
  { title: 'AdminPlayer', additionalProperties: false },
);

/** What an action did. */
export const AdminActionResult = Type.Object(
  {
    action: Type.String(),
    target: Type.String(),
    closeCode: Type.Optional(
      Type.Integer({ description: 'The close code the players got (docs/PROTOCOL.md)' }),
    ),
  },
  { title: 'AdminActionResult', additionalProperties: false },
);

export const NodeParams = Type.Object({ nodeId: NodeId }, { additionalProperties: false });
export const RoomParams = Type.Object({ roomId: RoomId }, { additionalProperties: false });
export const KickRequest = Type.Object({ playerId: PlayerId }, { additionalProperties: false });
/** Query of the player search: a name prefix, matched ignoring case. */
export const PlayerSearchQuery = Type.Object(
  {
    name: { ...RecordName, description: 'The start of the name, any case (1-64 characters)' },
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9]|1[0-9]|20)$', description: 'Integer from 1 to 20 (default 20)' }),
    ),
  },
  { additionalProperties: false },
);
const AdminPlayerMatch = Type.Object(
  { playerId: Type.String(), name: Type.String(), createdAt: Type.Integer() },
  { title: 'AdminPlayerMatch', additionalProperties: false },
);

export const RoomsQuery = Type.Object({ nodeId: Type.Optional(NodeId) }, { additionalProperties: false });

const refused: Readonly<Record<number, RouteResponse>> = {
  401: problemAnswer('No admin key or console session'),
  403: problemAnswer('A player token or the server key: not an operator'),
};
const nodeDown = problemAnswer('The game node did not answer');

/** The admin routes, all with the admin key. */
export const adminRoutes = {
  session: defineRoute({
    method: 'get',
    path: '/v1/admin/session',
    operationId: 'adminGetSession',
    summary:
      'The admin console session: who is signed in, and the CSRF token its changes carry in X-Tickforge-CSRF',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    responses: {
      200: {
        description: 'The session',
        schema: Type.Object(
          { operator: Type.String(), csrf: Type.String(), expiresAt: Type.Integer() },
          { title: 'AdminSession', additionalProperties: false },
        ),
      },
      ...refused,
    },
  }),
  nodes: defineRoute({
    method: 'get',
    path: '/v1/admin/nodes',
    operationId: 'adminListNodes',
    summary: 'Game nodes of the cluster with load, tick timings and state (live, draining, silent)',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    responses: {
      200: { description: 'Nodes', schema: Type.Object({ nodes: Type.Array(AdminNode) }) },
      ...refused,
    },
  }),
  rooms: defineRoute({
    method: 'get',
    path: '/v1/admin/rooms',
    operationId: 'adminListRooms',
    summary: "Rooms on every live node (or one node's), with mode, players and age",
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { query: RoomsQuery },
    responses: {
      200: { description: 'Rooms', schema: Type.Object({ rooms: Type.Array(AdminRoom) }) },
      ...refused,
    },
  }),
  room: defineRoute({
    method: 'get',
    path: '/v1/admin/rooms/:roomId',
    operationId: 'adminGetRoom',
    summary: 'One room, read live from its node: entities, and players with their round-trip times',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: RoomParams },
    responses: {
      200: { description: 'The room', schema: AdminRoomDetail },
      ...refused,
      404: problemAnswer('No live node has the room'),
      502: nodeDown,
    },
  }),
  kick: defineRoute({
    method: 'post',
    path: '/v1/admin/rooms/:roomId/kick',
    operationId: 'adminKickPlayer',
    summary: 'Remove a player from a room: the socket closes with 4012 KICKED and the seat is released',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: RoomParams, body: KickRequest },
    responses: {
      200: { description: 'Kicked', schema: AdminActionResult },
      ...refused,
      404: problemAnswer('No such room, or no such player in it'),
      502: nodeDown,
    },
  }),
  dispose: defineRoute({
    method: 'post',
    path: '/v1/admin/rooms/:roomId/dispose',
    operationId: 'adminDisposeRoom',
    summary: 'Close a room: every player gets 4011 ROOM_CLOSED',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: RoomParams },
    responses: {
      200: { description: 'Disposed', schema: AdminActionResult },
      ...refused,
      404: problemAnswer('No such room'),
      502: nodeDown,
    },
  }),
  drain: defineRoute({
    method: 'post',
    path: '/v1/admin/nodes/:nodeId/drain',
    operationId: 'adminDrainNode',
    summary: 'Drain a node: it takes no new rooms; the rooms on it play to their end',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: NodeParams },
    responses: {
      200: { description: 'Draining', schema: AdminActionResult },
      ...refused,
      404: problemAnswer('No such live node'),
      502: nodeDown,
    },
  }),
  undrain: defineRoute({
    method: 'post',
    path: '/v1/admin/nodes/:nodeId/undrain',
    operationId: 'adminUndrainNode',
    summary: 'Undo a drain: the node takes new rooms again',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: NodeParams },
    responses: {
      200: { description: 'Live again', schema: AdminActionResult },
      ...refused,
      404: problemAnswer('No such live node'),
      409: problemAnswer('The node is shutting down, which cannot be undone'),
      502: nodeDown,
    },
  }),
  queues: defineRoute({
    method: 'get',
    path: '/v1/admin/matchmaking/queues',
    operationId: 'adminListQueues',
    summary: 'Matchmaking queues per mode and region: searching tickets, players, oldest wait',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    responses: {
      200: { description: 'Queues', schema: Type.Object({ queues: Type.Array(AdminQueue) }) },
      ...refused,
    },
  }),
  boards: defineRoute({
    method: 'get',
    path: '/v1/admin/leaderboards',
    operationId: 'adminListBoards',
    summary: 'The configured leaderboards',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    responses: {
      200: { description: 'Boards', schema: Type.Object({ boards: Type.Array(AdminBoard) }) },
      ...refused,
    },
  }),
  board: defineRoute({
    method: 'get',
    path: '/v1/admin/leaderboards/:boardId',
    operationId: 'adminBrowseBoard',
    summary: "Browse a board's current period, best first, with cursors",
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: BoardParams, query: TopQuery },
    responses: {
      200: { description: 'A page', schema: TopResponse },
      ...refused,
      400: problemAnswer('A bad limit or cursor'),
      404: problemAnswer('No such board'),
    },
  }),
  removeRecord: defineRoute({
    method: 'delete',
    path: '/v1/admin/leaderboards/:boardId/records/:playerId',
    operationId: 'adminRemoveRecord',
    summary: "Delete a player's record of the board's current period (its match keys stay used)",
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: BoardPlayerParams },
    responses: {
      200: { description: 'Removed', schema: AdminActionResult },
      ...refused,
      404: problemAnswer('No such board, or no record of the player this period'),
    },
  }),
  resetBoard: defineRoute({
    method: 'post',
    path: '/v1/admin/leaderboards/:boardId/reset',
    operationId: 'adminResetBoardPeriod',
    summary: "Start a board's current period over: every record of it is deleted (earlier periods stay)",
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: BoardParams },
    responses: {
      200: {
        description: 'Reset',
        schema: Type.Object(
          { action: Type.String(), target: Type.String(), removed: Type.Integer() },
          { title: 'AdminResetResult', additionalProperties: false },
        ),
      },
      ...refused,
      404: problemAnswer('No such board'),
    },
  }),
  players: defineRoute({
    method: 'get',
    path: '/v1/admin/players',
    operationId: 'adminFindPlayers',
    summary:
      'Players whose name starts with `name`, ignoring case: at most 20 (`limit`), exact matches first, then by name and id',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { query: PlayerSearchQuery },
    responses: {
      200: {
        description: 'Matching players (open one by id for their records)',
        schema: Type.Object({ players: Type.Array(AdminPlayerMatch) }),
      },
      ...refused,
      400: problemAnswer('No name, or a bad limit'),
    },
  }),
  player: defineRoute({
    method: 'get',
    path: '/v1/admin/players/:playerId',
    operationId: 'adminGetPlayer',
    summary: 'A player by id, with their record on every board',
    tag: 'admin',
    auth: false,
    key: 'adminKey',
    request: { params: Type.Object({ playerId: PlayerId }, { additionalProperties: false }) },
    responses: {
      200: { description: 'The player', schema: AdminPlayer },
      ...refused,
      404: problemAnswer('No such player'),
    },
  }),
};
