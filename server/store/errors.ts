/**
 * Typed store errors. `code` is machine-readable and stable; the lobby maps codes to problem+json
 * in one place (unknown_board -> 404, invalid_argument / invalid_cursor -> 400, unavailable -> 503,
 * the rest -> 500).
 */

export type StoreErrorCode =
  | 'unknown_board'
  | 'invalid_argument'
  | 'invalid_cursor'
  | 'invalid_board_config'
  | 'schema_too_new'
  | 'unavailable'
  | 'node_id_taken';

/** Base class of every error a store throws on purpose. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A board id that is not configured. Nothing was read or written. */
export class UnknownBoardError extends StoreError {
  override readonly name = 'UnknownBoardError';
  readonly boardId: string;
  constructor(boardId: string) {
    super('unknown_board', `unknown leaderboard ${JSON.stringify(boardId.slice(0, 80))}`);
    this.boardId = boardId;
  }
}

/** An argument out of range (NaN score, limit 0 or 10^9, empty id). Nothing was written. */
export class InvalidArgumentError extends StoreError {
  override readonly name = 'InvalidArgumentError';
  /** Which argument, e.g. `score`, `limit`. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super('invalid_argument', `${argument} ${message}`);
    this.argument = argument;
  }
}

/** A page cursor that this store did not issue for this board. */
export class InvalidCursorError extends StoreError {
  override readonly name = 'InvalidCursorError';
  constructor(message = 'cursor is not valid for this leaderboard') {
    super('invalid_cursor', message);
  }
}

/** Board configuration that cannot be used (bad id, duplicate, or a sort flip over stored records). */
export class BoardConfigError extends StoreError {
  override readonly name = 'BoardConfigError';
  constructor(message: string) {
    super('invalid_board_config', message);
  }
}

/** The data was written by a newer Tickforge (a later schema version); refuse rather than guess. */
export class SchemaTooNewError extends StoreError {
  override readonly name = 'SchemaTooNewError';
  constructor(found: number, known: number) {
    super('schema_too_new', `store schema version ${found} is newer than this build knows (${known})`);
  }
}

/**
 * The store cannot be reached right now (Redis down, restarting or loading), so whether the operation
 * took effect is unknown; trying again later may succeed. The lobby answers 503 with a Retry-After.
 */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  constructor(cause: unknown) {
    super('unavailable', 'the store is unavailable');
    this.cause = cause;
  }
}

/**
 * A heartbeat under a node id that another live node holds (another public URL): two processes were
 * given one TICKFORGE_NODE_ID. Nothing was written: the live node keeps its registration and rooms.
 */
export class NodeIdTakenError extends StoreError {
  override readonly name = 'NodeIdTakenError';
  readonly nodeId: string;
  /** The URL of the live node that holds the id. */
  readonly heldBy: string;
  constructor(nodeId: string, heldBy: string) {
    super(
      'node_id_taken',
      `node id ${JSON.stringify(nodeId.slice(0, 80))} is held by a live node at ${heldBy.slice(0, 200)}: give each game node its own TICKFORGE_NODE_ID (or leave it unset)`,
    );
    this.nodeId = nodeId;
    this.heldBy = heldBy;
  }
}
