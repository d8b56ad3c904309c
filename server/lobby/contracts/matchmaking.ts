/** Contracts of matchmaking: queue a ticket, read it, cancel it, or watch it as Server-Sent Events. */
import { Type } from '@sinclair/typebox';
import { MODE_NAME } from '../../validation.ts';
import { defineRoute, problemAnswer } from '../contract.ts';
import { SeatReservationSchema } from './seats.ts';

/** Body of POST /v1/matchmaking/tickets. */
export const CreateTicketRequest = Type.Object(
  {
    mode: Type.String({ pattern: MODE_NAME, description: 'Game mode, e.g. arena' }),
    region: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]{1,32}$',
        description: 'Matches form within a region (default `default`)',
      }),
    ),
    rating: Type.Optional(
      Type.Number({ minimum: -1e6, maximum: 1e6, description: 'Skill rating; omit to match anyone' }),
    ),
    party: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
        maxItems: 15,
        uniqueItems: true,
        description:
          "Party tokens of the players who play with you (each from that player's POST /v1/matchmaking/party-tokens naming you); the party is never split",
      }),
    ),
  },
  { title: 'CreateTicketRequest', additionalProperties: false },
);

/** Body of POST /v1/matchmaking/party-tokens. */
export const PartyTokenRequest = Type.Object(
  { leaderId: Type.String({ minLength: 1, maxLength: 128, description: 'The player whose party you join' }) },
  { title: 'PartyTokenRequest', additionalProperties: false },
);

/** A member's consent to play in a leader's party. */
export const PartyTokenResponse = Type.Object(
  {
    partyToken: Type.String({ description: "Give it to the leader, who lists it in the ticket's `party`" }),
    expiresAt: Type.Integer({ description: 'Wall-clock ms (UTC); five minutes' }),
  },
  { title: 'PartyToken', additionalProperties: false },
);

/** A matchmaking ticket as its party members see it. */
export const TicketSchema = Type.Object(
  {
    ticketId: Type.String(),
    status: Type.Union(
      [
        Type.Literal('searching'),
        Type.Literal('matched'),
        Type.Literal('expired'),
        Type.Literal('cancelled'),
      ],
      { description: '`searching` until it is matched, expires or is cancelled; the other three are final' },
    ),
    mode: Type.String(),
    region: Type.String(),
    players: Type.Array(Type.String(), { description: 'The party, creator first' }),
    rating: Type.Optional(Type.Number()),
    createdAt: Type.Integer({ description: 'Wall-clock ms (UTC)' }),
    expiresAt: Type.Integer({ description: 'When a searching ticket expires, wall-clock ms (UTC)' }),
    matchId: Type.Optional(Type.String()),
    roomId: Type.Optional(Type.String()),
    reservation: Type.Optional(SeatReservationSchema),
  },
  { title: 'Ticket', additionalProperties: false },
);

/** Path of the ticket routes. */
export const TicketParams = Type.Object(
  { ticketId: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) },
  { additionalProperties: false },
);

const ticketNotFound = problemAnswer('No such ticket, or not yours');

/** Routes of the matchmaking resource. */
export const matchmakingRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/v1/matchmaking/tickets',
    operationId: 'createTicket',
    summary: 'Queue for a match (alone or as a party)',
    tag: 'matchmaking',
    auth: true,
    request: { body: CreateTicketRequest },
    responses: {
      201: { description: 'The ticket, searching', schema: TicketSchema },
      409: problemAnswer('A party member already holds a searching ticket'),
    },
  }),
  partyToken: defineRoute({
    method: 'post',
    path: '/v1/matchmaking/party-tokens',
    operationId: 'createPartyToken',
    summary: "Agree to play in another player's party: a token for their ticket",
    tag: 'matchmaking',
    auth: true,
    request: { body: PartyTokenRequest },
    responses: { 201: { description: 'The party token', schema: PartyTokenResponse } },
  }),
  get: defineRoute({
    method: 'get',
    path: '/v1/matchmaking/tickets/:ticketId',
    operationId: 'getTicket',
    summary: "A ticket's status; once matched it carries your seat reservation",
    tag: 'matchmaking',
    auth: true,
    request: { params: TicketParams },
    responses: { 200: { description: 'The ticket', schema: TicketSchema }, 404: ticketNotFound },
  }),
  cancel: defineRoute({
    method: 'delete',
    path: '/v1/matchmaking/tickets/:ticketId',
    operationId: 'cancelTicket',
    summary: 'Leave the queue (cancelling twice is fine)',
    tag: 'matchmaking',
    auth: true,
    request: { params: TicketParams },
    responses: {
      200: { description: 'The ticket, cancelled', schema: TicketSchema },
      404: ticketNotFound,
      409: problemAnswer('The ticket was already matched or expired'),
    },
  }),
  events: defineRoute({
    method: 'get',
    path: '/v1/matchmaking/tickets/:ticketId/events',
    operationId: 'watchTicket',
    summary:
      'Server-Sent Events: `event: ticket` with the Ticket JSON now and on every change; ends after a final status',
    tag: 'matchmaking',
    auth: true,
    request: { params: TicketParams },
    responses: {
      200: { description: 'An event stream of Ticket objects', contentType: 'text/event-stream' },
      404: ticketNotFound,
    },
  }),
};
