/**
 * The embedded schema, as an append-only list of migrations (see sqlite.ts). To change the schema,
 * add a migration with the next version; never edit one that has shipped.
 */
import { FOLD_FUNCTION, type Migration } from './sqlite.ts';

/** Every migration this build knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'players',
    sql: `CREATE TABLE players (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 2,
    name: 'leaderboards',
    // rank_score is the score negated on desc boards, so "better" is always "smaller" and one
    // ascending index serves top-N, cursors and rank (COUNT of rows before a sort key) on every
    // board. The index holds the primary key's columns too, so counting never touches the table.
    sql: `CREATE TABLE leaderboard_boards (
      id TEXT PRIMARY KEY,
      sort TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE leaderboard_records (
      board TEXT NOT NULL,
      period TEXT NOT NULL,
      player_id TEXT NOT NULL,
      name TEXT NOT NULL,
      score REAL NOT NULL,
      rank_score REAL NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (board, period, player_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX leaderboard_records_rank
      ON leaderboard_records (board, period, rank_score, updated_at, player_id);
    CREATE TABLE leaderboard_submissions (
      board TEXT NOT NULL,
      key TEXT NOT NULL,
      period TEXT NOT NULL,
      player_id TEXT NOT NULL,
      submitted_at INTEGER NOT NULL,
      PRIMARY KEY (board, key)
    ) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 3,
    name: 'player names, searchable',
    // name_fold is the name as searches compare it (foldName: Unicode lower case, which SQLite's own
    // lower() is not), filled for the players of earlier versions here and kept by every write.
    sql: `ALTER TABLE players ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
    UPDATE players SET name_fold = ${FOLD_FUNCTION}(name);
    CREATE INDEX players_name_fold ON players (name_fold, id);`,
  },
];
