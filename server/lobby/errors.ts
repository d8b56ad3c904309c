/**
 * Typed lobby errors. Each carries its HTTP status and a stable problem `kind`; problem.ts turns
 * them (and store errors) into problem+json in one place, so handlers only ever `throw`.
 */
import type { FieldProblem } from '../problem.ts';

/** Base class of every error the lobby throws on purpose. */
export class LobbyError extends Error {
  override readonly name: string = 'LobbyError';
  readonly status: number;
  /** Stable, machine-readable: the last segment of the problem `type` URI. */
  readonly kind: string;
  readonly title: string;
  readonly errors: readonly FieldProblem[];
  constructor(
    status: number,
    kind: string,
    title: string,
    detail?: string,
    errors: readonly FieldProblem[] = [],
  ) {
    super(detail ?? title);
    this.status = status;
    this.kind = kind;
    this.title = title;
    this.errors = errors;
  }
}

/** The request (body, query or path) does not match its schema; `errors` names the fields. */
export class ValidationError extends LobbyError {
  override readonly name = 'ValidationError';
  constructor(errors: readonly FieldProblem[], detail = 'The request does not match its schema.') {
    super(400, 'validation', 'Invalid request', detail, errors);
  }
}

/** The body is not JSON at all. */
export class MalformedJsonError extends LobbyError {
  override readonly name = 'MalformedJsonError';
  constructor() {
    super(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.', [
      { field: '/', message: 'is not valid JSON' },
    ]);
  }
}

/** A JSON route was sent some other content type. */
export class UnsupportedMediaTypeError extends LobbyError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor() {
    super(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.');
  }
}

/** Missing, malformed, expired or forged credentials, or a player that no longer exists. */
export class UnauthorizedError extends LobbyError {
  override readonly name = 'UnauthorizedError';
  constructor(detail: string) {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

/** Valid credentials that may not use the route (e.g. a player token on a leaderboard write). */
export class ForbiddenError extends LobbyError {
  override readonly name = 'ForbiddenError';
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/** A resource the request names does not exist (`kind` says which: room-not-found, ticket-not-found...). */
export class NotFoundError extends LobbyError {
  override readonly name = 'NotFoundError';
  constructor(kind: string, detail: string) {
    super(404, kind, 'Not found', detail);
  }
}

/** The request conflicts with the current state (a full room, a second live ticket...). */
export class ConflictError extends LobbyError {
  override readonly name = 'ConflictError';
  constructor(kind: string, detail: string, errors: readonly FieldProblem[] = []) {
    super(409, kind, 'Conflict', detail, errors);
  }
}

/**
 * A room was refused because its creator already holds as many live rooms as allowed: the player
 * (`player-room-limit`, TICKFORGE_MAX_ROOMS_PER_PLAYER) or its client address (`ip-room-limit`,
 * TICKFORGE_MAX_ROOMS_PER_IP). A room stops counting once its match ends or it is gone.
 */
export class RoomLimitError extends LobbyError {
  override readonly name = 'RoomLimitError';
  constructor(by: 'player' | 'address', limits: { perPlayer?: number; perAddress?: number }) {
    const detail =
      by === 'player'
        ? `You already have ${limits.perPlayer} live rooms, the most one player may have; leave one or let its match end first.`
        : `Your address already has ${limits.perAddress} live rooms, the most one address may have; leave one or let its match end first.`;
    super(409, by === 'player' ? 'player-room-limit' : 'ip-room-limit', 'Too many rooms', detail);
  }
}

/** The resource existed and is over for good (an ended match). */
export class GoneError extends LobbyError {
  override readonly name = 'GoneError';
  constructor(kind: string, detail: string) {
    super(410, kind, 'Gone', detail);
  }
}

/** No game node can take the room right now; worth retrying. */
export class NoCapacityError extends LobbyError {
  override readonly name = 'NoCapacityError';
  constructor(detail: string) {
    super(503, 'no-game-node', 'Service unavailable', detail);
  }
}

/** Too many requests from one client; `retryAfterSeconds` becomes the Retry-After header. */
export class RateLimitedError extends LobbyError {
  override readonly name = 'RateLimitedError';
  readonly retryAfterSeconds: number;
  /** Which budget ran out (`ip`, `player`, `guest`, `ticket-streams`): the metrics' label. */
  readonly budget: string;
  constructor(retryAfterSeconds: number, detail: string, budget = 'other') {
    super(429, 'rate-limited', 'Too many requests', detail);
    this.retryAfterSeconds = retryAfterSeconds;
    this.budget = budget;
  }
}
