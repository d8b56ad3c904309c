/**
 * POST /dev/seats: mint a seat token without a lobby, for local development, bots and benchmarks.
 * Served only when TICKFORGE_DEV_SEATS=true, and confined to its own world: every room it seats in
 * and every player id it hands out starts with `dev-`, which lobby rooms (UUIDs) and lobby players
 * never do, so a dev seat cannot enter a lobby room or take over a lobby player's seat, and the
 * results of dev rooms are never lobby matches. JSON bodies only, so a web page cannot post to it.
 */
import { randomUUID } from 'node:crypto';
import { DEV_ROOM_PREFIX as DEV_PREFIX } from '../../shared/protocol/schemas/match-report.ts';
import { DisplayName } from '../../shared/protocol/schemas/names.ts';
import type { GameConfig } from '../config.ts';
import { type FieldProblem, fieldProblems, PROBLEM_CONTENT_TYPE, problem } from '../problem.ts';
import { ajv, isJsonContentType, MODE_NAME } from '../validation.ts';
import type { RoomRegistry } from './room-registry.ts';
import type { SeatTokens } from './seat-token.ts';
import type { HttpHandler, HttpResponse } from './transport/types.ts';

/** Body of POST /dev/seats; every field is optional. */
export interface DevSeatRequest {
  /** Game mode; default `arena`. */
  mode?: string;
  /** Join this dev room (`dev-...`, created on first join); default: a dev room of the mode with a free seat, or a new one. */
  roomId?: string;
  /** Display name, by the lobby's rule for guest names; default `player-xxxx`. */
  name?: string;
  /** Player id (`dev-...`); default `dev-<uuid>`. Reusing one takes over that dev player's seat. */
  playerId?: string;
  /** Room options, used if this seat creates the room (e.g. arena's `matchSeconds`, `seed`). */
  options?: Record<string, unknown>;
}

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

const refuse = (status: number, kind: string, title: string, detail: string, errors?: FieldProblem[]) =>
  ({
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem(status, kind, title, detail, errors)),
  }) satisfies HttpResponse;

const badRequest = (detail: string, errors?: FieldProblem[]) =>
  refuse(400, 'validation', 'Invalid request body', detail, errors);

/** Ids outside the dev world, named by field. */
function foreignIds(body: DevSeatRequest): FieldProblem[] {
  const message = `must start with "${DEV_PREFIX}": dev seats only deal in their own rooms and players`;
  return (['roomId', 'playerId'] as const)
    .filter((field) => body[field] !== undefined && !body[field].startsWith(DEV_PREFIX))
    .map((field) => ({ field: `/${field}`, message }));
}

/** The handler for POST /dev/seats. */
export function devSeatHandler(deps: {
  readonly config: GameConfig;
  readonly tokens: SeatTokens;
  readonly registry: RoomRegistry;
  readonly url: () => string;
}): HttpHandler {
  return async (request) => {
    if (!isJsonContentType(request.headers['content-type'])) {
      return refuse(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        'Send the body as application/json.',
      );
    }
    let body: unknown = {};
    if (request.body.byteLength > 0) {
      try {
        body = JSON.parse(new TextDecoder().decode(request.body));
      } catch {
        return badRequest('body is not valid JSON', [{ field: '/', message: 'is not valid JSON' }]);
      }
    }
    if (!validate(body)) return badRequest('body does not match the schema', fieldProblems(validate.errors));
    const foreign = foreignIds(body);
    if (foreign.length > 0) return badRequest('dev seats are confined to dev- rooms and players', foreign);
    const mode = body.mode ?? 'arena';
    const roomId =
      body.roomId ?? deps.registry.findJoinable(mode, DEV_PREFIX)?.id ?? `${DEV_PREFIX}${randomUUID()}`;
    const playerId = body.playerId ?? `${DEV_PREFIX}${randomUUID()}`;
    const name = body.name ?? `player-${playerId.slice(DEV_PREFIX.length, DEV_PREFIX.length + 4)}`;
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
