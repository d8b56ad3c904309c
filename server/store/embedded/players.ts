import nodeCrypto from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { LruMap } from '../../lru.ts';
import { checkNameSearch, checkText, foldName, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../input.ts';
import { clockTime } from '../period.ts';
import type { Player, PlayerStore } from '../types.ts';
import { transaction } from './sqlite.ts';

type Row = Record<string, unknown>;

/**
 * New player ids: UUIDv7 (Node 24.16 and later), else UUIDv4 on the older Node versions the project
 * still runs on, where sign-ups are correct but their inserts slower (see EmbeddedPlayers).
 */
const newPlayerId: () => string = nodeCrypto.randomUUIDv7 ?? nodeCrypto.randomUUID;

const toPlayer = (row: Row): Player =>
  Object.freeze({
    id: row.id as string,
    name: row.name as string,
    createdAt: row.created_at as number,
  });

/**
 * Players kept in memory for `get` (about 200 bytes each: 10 MB at this bound). Every
 * authenticated request looks its player up, and a SQLite read costs a statement with its file
 * locks; this store is the only writer of its database (one process), so each write below updates
 * the entry it changes and a held player is never stale.
 */
const CACHED_PLAYERS = 50_000;

/** A guest waiting for the next group commit, and its caller. */
interface PendingGuest {
  readonly player: Player;
  readonly stored: (player: Player) => void;
  readonly failed: (error: unknown) => void;
}

/**
 * Guest accounts in the `players` table. Sign-ups are group-committed: the guests created during
 * one turn of the event loop are inserted in one transaction (setImmediate runs after every socket
 * that was ready has been read), and each caller hears back only once its row is committed, so an
 * answered sign-up is stored. Ids are UUIDv7, ordered by creation time: each insert lands at the
 * right edge of the primary key instead of on a random page, so a commit writes a page or two to
 * the WAL instead of one per guest (random v4 ids cost 5 to 8 times as much per insert).
 */
export class EmbeddedPlayers implements PlayerStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  #pending: PendingGuest[] = [];
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #rename: StatementSync;
  readonly #byName: StatementSync;
  /** Players by id, written through by every write below: what `get` answers without SQLite. */
  readonly #cache = new LruMap<string, Player>(CACHED_PLAYERS);

  constructor(db: DatabaseSync, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare('INSERT INTO players (id, name, name_fold, created_at) VALUES (?, ?, ?, ?)');
    this.#get = db.prepare('SELECT id, name, created_at FROM players WHERE id = ?');
    this.#rename = db.prepare(
      'UPDATE players SET name = ?, name_fold = ? WHERE id = ? RETURNING id, name, created_at',
    );
    // A prefix is a range of the index: from the prefix up to the prefix followed by U+10FFFF,
    // above every character a name can continue with (text compares as UTF-8 bytes).
    this.#byName = db.prepare(
      `SELECT id, name, created_at FROM players WHERE name_fold >= ? AND name_fold < ?
       ORDER BY name_fold, id LIMIT ?`,
    );
  }

  async createGuest(name: string): Promise<Player> {
    const player = Object.freeze({
      id: newPlayerId(),
      name: checkText('name', name, MAX_NAME_LENGTH),
      createdAt: clockTime(this.#now),
    });
    return new Promise((stored, failed) => {
      if (this.#pending.push({ player, stored, failed }) === 1) setImmediate(() => this.flush());
    });
  }

  /** Commit the guests waiting for the next group commit now (the store does before it closes). */
  flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      transaction(this.#db, () => {
        for (const { player } of batch)
          this.#insert.run(player.id, player.name, foldName(player.name), player.createdAt);
      });
    } catch {
      // One bad row must not fail the others: each on its own, with its own answer.
      for (const guest of batch) this.#insertAlone(guest);
      return;
    }
    for (const { player, stored } of batch) {
      this.#cache.set(player.id, player);
      stored(player);
    }
  }

  #insertAlone({ player, stored, failed }: PendingGuest): void {
    try {
      this.#insert.run(player.id, player.name, foldName(player.name), player.createdAt);
      this.#cache.set(player.id, player);
      stored(player);
    } catch (error) {
      failed(error);
    }
  }

  async get(id: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const held = this.#cache.get(id);
    if (held) return held;
    const row = this.#get.get(id);
    if (!row) return undefined;
    const player = toPlayer(row);
    this.#cache.set(player.id, player);
    return player;
  }

  async rename(id: string, name: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    checkText('name', name, MAX_NAME_LENGTH);
    // Dropped first: should the write fail, the next read goes to the database.
    this.#cache.delete(id);
    const row = this.#rename.get(name, foldName(name), id);
    if (!row) return undefined;
    const player = toPlayer(row);
    this.#cache.set(player.id, player);
    return player;
  }

  async findByName(prefix: string, limit?: number): Promise<Player[]> {
    const search = checkNameSearch(prefix, limit);
    return this.#byName.all(search.fold, `${search.fold}\u{10FFFF}`, search.limit).map(toPlayer);
  }
}
