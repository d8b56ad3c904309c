/** Contracts of guest sign-in and the current player. */
import { Type } from '@sinclair/typebox';
import { DisplayName } from '../../../shared/protocol/schemas/names.ts';
import { defineRoute } from '../contract.ts';

/** Body of POST /v1/auth/guest. */
export const GuestRequest = Type.Object(
  { name: DisplayName },
  { title: 'GuestRequest', additionalProperties: false },
);

/** A new guest and its access token. */
export const GuestResponse = Type.Object(
  {
    playerId: Type.String(),
    name: Type.String(),
    accessToken: Type.String({ description: 'HS256 JWT; send as Authorization: Bearer <token>' }),
    expiresAt: Type.Integer({ description: 'Wall-clock milliseconds (UTC)' }),
  },
  { title: 'GuestResponse', additionalProperties: false },
);

/** The authenticated player. */
export const MeResponse = Type.Object(
  {
    playerId: Type.String(),
    name: Type.String(),
    createdAt: Type.Integer({ description: 'Wall-clock milliseconds (UTC)' }),
  },
  { title: 'Me', additionalProperties: false },
);

/** Routes of the auth resource. */
export const authRoutes = {
  guest: defineRoute({
    method: 'post',
    path: '/v1/auth/guest',
    operationId: 'createGuest',
    summary: 'Create a guest player and get an access token',
    tag: 'auth',
    auth: false,
    request: { body: GuestRequest },
    responses: { 201: { description: 'Guest created', schema: GuestResponse } },
  }),
  me: defineRoute({
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    summary: 'The player the access token belongs to',
    tag: 'auth',
    auth: true,
    responses: { 200: { description: 'The current player', schema: MeResponse } },
  }),
};
