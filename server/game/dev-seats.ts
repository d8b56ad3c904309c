/**
 * POST /dev/seats: mint a seat token without a lobby, for local development, bots and benchmarks.
 * Enabled by TICKFORGE_DEV_SEATS (on by default unless NODE_ENV=production). Never expose it on a
 * public node: anyone who can reach it can take a seat as anyone.
 */
import { randomUUID } from 'node:crypto';
import { DisplayName } from '../../shared/protocol/schemas/names.ts';
import type { GameConfig } from '../config.ts';
import { fieldProblems, PROBLEM_CONTENT_TYPE, problem } from '../problem.ts';
import { ajv, MODE_NAME } from '../validation.ts';
import type { RoomRegistry } from './room-registry.ts';
import type { SeatTokens } from './seat-token.ts';
import type { HttpHandler, HttpResponse } from './transport/types.ts';

/** Body of POST /dev/seats; every field is optional. */
export interface DevSeatRequest {
  /** Game mode; default `arena`. */
  mode?: string;
  /** Join this room (created on first join); default: a dev room (`dev-...`) of the mode with a free seat, or a new one. */
  roomId?: string;
  /** Display name, by the lobby's rule for guest names; default `player-xxxx`. */
  name?: string;
  /** Player id; default a random one. Reusing an id takes over that player's seat. */
  playerId?: string;
  /** Room options, used if this seat creates the room (e.g. arena's `matchSeconds`, `seed`). */
  options?: Record<string, unknown>;
}

/** Rooms the endpoint makes itself; without a roomId it only ever fills one of these. */
const DEV_ROOM_PREFIX = 'dev-';

const validate = ajv.compile<DevSeatRequest>({
  type: 'object',
  properties: {
    mode: { type: 'string', pattern: MODE_NAME },
    roomId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    name: DisplayName,
    playerId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    options: { type: 'object', maxProperties: 16, required: [] },
  },
  additionalProperties: false,
});

const badRequest = (detail: string, errors?: ReturnType<typeof fieldProblems>): HttpResponse => ({
  status: 400,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  body: JSON.stringify(problem(400, 'validation', 'Invalid request body', detail, errors)),
});

/** The handler for POST /dev/seats. */
export function devSeatHandler(deps: {
  readonly config: GameConfig;
  readonly tokens: SeatTokens;
  readonly registry: RoomRegistry;
  readonly url: () => string;
}): HttpHandler {
  return async (request) => {
    let body: unknown = {};
    if (request.body.byteLength > 0) {
      try {
        body = JSON.parse(new TextDecoder().decode(request.body));
      } catch {
        return badRequest('body is not valid JSON');
      }
    }
    if (!validate(body)) return badRequest('body does not match the schema', fieldProblems(validate.errors));
    const mode = body.mode ?? 'arena';
    const roomId =
      body.roomId ??
      deps.registry.findJoinable(mode, DEV_ROOM_PREFIX)?.id ??
      `${DEV_ROOM_PREFIX}${randomUUID()}`;
    const playerId = body.playerId ?? randomUUID();
    const name = body.name ?? `player-${playerId.slice(0, 4)}`;
    const seat = await deps.tokens.mintSeat({
      playerId,
      name,
      roomId,
      mode,
      nodeId: deps.config.nodeId,
      options: body.options ?? {},
    });
    return {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: deps.url(), seat, roomId, playerId, name, mode }),
    };
  };
}
