import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { checkText, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../input.ts';
import { clockTime } from '../period.ts';
import type { Player, PlayerStore } from '../types.ts';

type Row = Record<string, unknown>;

const toPlayer = (row: Row): Player => ({
  id: row.id as string,
  name: row.name as string,
  createdAt: row.created_at as number,
});

/** Guest accounts in the `players` table. */
export class EmbeddedPlayers implements PlayerStore {
  readonly #now: () => number;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #rename: StatementSync;

  constructor(db: DatabaseSync, now: () => number) {
    this.#now = now;
    this.#insert = db.prepare('INSERT INTO players (id, name, created_at) VALUES (?, ?, ?)');
    this.#get = db.prepare('SELECT id, name, created_at FROM players WHERE id = ?');
    this.#rename = db.prepare('UPDATE players SET name = ? WHERE id = ? RETURNING id, name, created_at');
  }

  async createGuest(name: string): Promise<Player> {
    const player = {
      id: randomUUID(),
      name: checkText('name', name, MAX_NAME_LENGTH),
      createdAt: clockTime(this.#now),
    };
    this.#insert.run(player.id, player.name, player.createdAt);
    return player;
  }

  async get(id: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const row = this.#get.get(id);
    return row ? toPlayer(row) : undefined;
  }

  async rename(id: string, name: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const row = this.#rename.get(checkText('name', name, MAX_NAME_LENGTH), id);
    return row ? toPlayer(row) : undefined;
  }
}
