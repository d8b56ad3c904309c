/** Contracts of the rooms: list public rooms, create one, take a seat by room id or join code. */
import { Type } from '@sinclair/typebox';
import { MODE_NAME } from '../../validation.ts';
import { defineRoute, problemAnswer } from '../contract.ts';
import { JOIN_CODE_PATTERN } from '../seating.ts';
import { RoomId, SeatReservationSchema } from './seats.ts';

const Mode = Type.String({ pattern: MODE_NAME, description: 'Game mode, e.g. arena' });
const JoinCode = Type.String({ pattern: JOIN_CODE_PATTERN, description: 'Six-character join code' });

/** Public labels of a room: at most 8 short string values. */
export const RoomMetadata = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$' }),
  Type.String({ maxLength: 64 }),
  { maxProperties: 8, description: 'Up to 8 labels; keys 1-32 of A-Z a-z 0-9 _ . -, values up to 64 chars' },
);

/** A room as clients see it. */
export const RoomInfoSchema = Type.Object(
  {
    roomId: Type.String(),
    mode: Type.String(),
    visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
    code: Type.Optional(Type.String({ description: 'Join code of a private room (its members only)' })),
    players: Type.Integer({ description: 'Seated or on their way' }),
    maxPlayers: Type.Integer(),
    metadata: RoomMetadata,
    createdAt: Type.Integer({ description: 'Wall-clock ms (UTC)' }),
  },
  { title: 'RoomInfo', additionalProperties: false },
);

/** Query of GET /v1/rooms. */
export const ListRoomsQuery = Type.Object(
  {
    mode: Mode,
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|100)$', description: 'Integer from 1 to 100 (default 20)' }),
    ),
  },
  { additionalProperties: false },
);

/** Body of POST /v1/rooms. */
export const CreateRoomRequest = Type.Object(
  {
    mode: Mode,
    visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
    maxPlayers: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1024, description: "At most the mode's maximum (its default)" }),
    ),
    metadata: Type.Optional(RoomMetadata),
  },
  { title: 'CreateRoomRequest', additionalProperties: false },
);

/** A room and the caller's seat in it. */
export const RoomSeatResponse = Type.Object(
  { room: RoomInfoSchema, reservation: SeatReservationSchema },
  { title: 'RoomSeat', additionalProperties: false },
);

/** Public rooms of a mode. */
export const RoomListResponse = Type.Object(
  { rooms: Type.Array(RoomInfoSchema) },
  { title: 'RoomList', additionalProperties: false },
);

/** Routes of the rooms resource. */
export const roomRoutes = {
  list: defineRoute({
    method: 'get',
    path: '/v1/rooms',
    operationId: 'listRooms',
    summary: 'Public rooms of a mode that are open, with a free seat first',
    tag: 'rooms',
    auth: true,
    request: { query: ListRoomsQuery },
    responses: { 200: { description: 'The rooms', schema: RoomListResponse } },
  }),
  create: defineRoute({
    method: 'post',
    path: '/v1/rooms',
    operationId: 'createRoom',
    summary: 'Create a room (public, or private with a join code) and take the first seat',
    tag: 'rooms',
    auth: true,
    request: { body: CreateRoomRequest },
    responses: {
      201: { description: 'The room and your seat', schema: RoomSeatResponse },
      409: problemAnswer(
        'You (player-room-limit) or your address (ip-room-limit) already have as many live rooms as allowed',
      ),
      503: problemAnswer('No game node can take a room now'),
    },
  }),
  join: defineRoute({
    method: 'post',
    path: '/v1/rooms/:roomId/seats',
    operationId: 'joinRoom',
    summary: 'Take a seat in a room by its id',
    tag: 'rooms',
    auth: true,
    request: { params: Type.Object({ roomId: RoomId }, { additionalProperties: false }) },
    responses: {
      201: { description: 'The room and your seat', schema: RoomSeatResponse },
      404: problemAnswer('No such room'),
      409: problemAnswer('The room is full'),
      410: problemAnswer('The match in the room is over'),
    },
  }),
  joinByCode: defineRoute({
    method: 'post',
    path: '/v1/room-codes/:code/seats',
    operationId: 'joinRoomByCode',
    summary: 'Take a seat in a (private) room by its join code',
    tag: 'rooms',
    auth: true,
    request: { params: Type.Object({ code: JoinCode }, { additionalProperties: false }) },
    responses: {
      201: { description: 'The room and your seat', schema: RoomSeatResponse },
      404: problemAnswer('No room has this code'),
      409: problemAnswer('The room is full'),
      410: problemAnswer('The match in the room is over'),
    },
  }),
};
