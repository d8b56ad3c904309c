/** Contracts of guest sign-in and the current player. */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../contract.ts';

/**
 * A display name: 1-24 characters of letters, digits, space, `_`, `-`, `.`, with no leading or
 * trailing space. Refused rather than silently trimmed, so the stored name is the one sent.
 */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 24,
  pattern: '^[\\p{L}\\p{N}_.-](?:[\\p{L}\\p{N} _.-]*[\\p{L}\\p{N}_.-])?$',
  description: '1-24 letters, digits, spaces, _ - . ; no leading or trailing space',
});

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
