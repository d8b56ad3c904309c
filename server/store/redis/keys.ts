/**
 * The one place that names Redis keys (docs/ARCHITECTURE.md has the full table). Every key starts
 * with `{<prefix>:`, so one prefix is one namespace (`SCAN MATCH {tickforge:*`). The text in braces
 * is the Redis Cluster hash tag: each area whose scripts span several keys (leaderboards, the room
 * directory, tickets) shares one tag and so one slot, which Redis Cluster requires of a multi-key
 * script; players are one key each and spread over the cluster. Per-room and per-node keys of the
 * directory are found inside its scripts, so those scripts derive them from `directory.base`
 * (scripts/includes/directory.lua) and they keep the directory's tag.
 */
import { InvalidArgumentError } from '../errors.ts';

/** 1-64 characters, no braces (a brace would move the hash tag), no spaces. */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** The key layout this build reads and writes; stored at `layout` and checked at open. */
export const KEY_LAYOUT_VERSION = 1;

/** Key names of one store namespace. */
export class RedisKeys {
  readonly prefix: string;
  /** The layout version marker (a string key). */
  readonly layout: string;
  /** Board id -> its sort order, pinned while the board holds records. */
  readonly boards: string;
  /** The directory's fixed keys, in the order its scripts declare them, and its per-entity base. */
  readonly directory: {
    readonly keys: readonly [nodes: string, nodeExpiry: string, codes: string, promised: string];
    readonly base: string;
  };
  /** The ticket keys, in the order the ticket scripts declare them. */
  readonly tickets: readonly [
    tickets: string,
    parties: string,
    finals: string,
    searching: string,
    live: string,
    finished: string,
    sequence: string,
  ];
  /** Matchmaking queue leases (hash queue -> 'token until holder'), in the tickets' slot. */
  readonly leases: string;
  /**
   * The names index (sorted set, every score 0, members `<folded name>\0<player id>\0<nonce>` read
   * by ZRANGE BYLEX): its own tag, apart from the players it indexes (players.ts says how the two
   * are kept in step without a cross-slot transaction).
   */
  readonly playerNames: string;
  /** Set once the players of earlier builds are in the names index (players.ts, indexEarlierPlayers). */
  readonly playerNamesIndexed: string;
  /** The pub/sub channel a ticket's change is published on (a channel, not a key). */
  readonly ticketChanges: string;
  readonly #leaderboards: string;

  constructor(prefix: string) {
    if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
      throw new InvalidArgumentError('prefix', `must match ${PREFIX}, got ${JSON.stringify(prefix)}`);
    }
    this.prefix = prefix;
    this.layout = `{${prefix}:meta}:layout`;
    this.#leaderboards = `{${prefix}:lb}:`;
    this.boards = `${this.#leaderboards}boards`;
    const directory = `{${prefix}:dir}:`;
    this.directory = {
      keys: [`${directory}nodes`, `${directory}node-expiry`, `${directory}codes`, `${directory}promised`],
      base: directory,
    };
    const tickets = `{${prefix}:tk}:`;
    this.tickets = [
      `${tickets}tickets`,
      `${tickets}parties`,
      `${tickets}finals`,
      `${tickets}searching`,
      `${tickets}live`,
      `${tickets}finished`,
      `${tickets}sequence`,
    ];
    this.leases = `${tickets}leases`;
    this.ticketChanges = `${tickets}changes`;
    this.playerNames = `{${prefix}:players}:names`;
    this.playerNamesIndexed = `{${prefix}:players}:names-indexed`;
  }

  /**
   * A request budget of one client or player (rate-limiter-flexible's counter): its own tag, so
   * budgets, the busiest keys of all, spread over a cluster.
   */
  budget(scope: string, key: string): string {
    return `{${this.prefix}:rl:${scope}:${key}}`;
  }

  /** A guest account (hash): its own tag, so players spread over a cluster. */
  player(playerId: string): string {
    return `{${this.prefix}:player:${playerId}}`;
  }

  /** A board's records of every period (hash `<period>:<playerId>` -> record). */
  records(boardId: string): string {
    return `${this.#leaderboards}records:${boardId}`;
  }

  /** A board's submission keys (hash key -> `<period>:<playerId>` of the record it went to). */
  claims(boardId: string): string {
    return `${this.#leaderboards}claims:${boardId}`;
  }

  /** One period of a board in ranking order (sorted set, members ordered by their bytes). */
  ranking(boardId: string, period: string): string {
    return `${this.#leaderboards}ranking:${boardId}:${period}`;
  }
}
