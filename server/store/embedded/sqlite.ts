/**
 * Opening the embedded database: one node:sqlite file under the data dir (or `:memory:`), in WAL
 * mode so reads never wait for a writer, with a busy timeout so a short-lived reader of the file
 * (a backup, `sqlite3` at a shell) waits for a lock instead of failing, and a versioned migration
 * log. One process owns the file: the embedded store holds players and leaderboards in memory
 * beside it, so writes from anywhere else are not seen until it restarts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SchemaTooNewError } from '../errors.ts';
import { foldName } from '../input.ts';

/** The SQL function migrations fold names with (foldName), registered on every connection. */
export const FOLD_FUNCTION = 'tickforge_fold_name';

/** The database file inside the data dir. */
export const DATABASE_FILE = 'tickforge.sqlite';
/** The data dir value that keeps everything in memory (tests, throwaway nodes). */
export const IN_MEMORY = ':memory:';
const BUSY_TIMEOUT_MS = 5_000;

/** One schema change. Versions only grow; an applied migration is never edited, only followed. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Open (creating if needed) the database in `dataDir` and bring its schema up to date. */
export function openDatabase(
  dataDir: string,
  migrations: readonly Migration[],
  now: () => number,
): DatabaseSync {
  let location = IN_MEMORY;
  if (dataDir !== IN_MEMORY) {
    mkdirSync(dataDir, { recursive: true });
    location = join(dataDir, DATABASE_FILE);
  }
  const db = new DatabaseSync(location, { timeout: BUSY_TIMEOUT_MS });
  try {
    // An in-memory database answers 'memory' here; that is fine.
    db.exec('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the file; a power cut may lose only the last commits.
    db.exec('PRAGMA synchronous = NORMAL');
    db.function(FOLD_FUNCTION, { deterministic: true }, (name) => foldName(String(name)));
    migrate(db, migrations, now);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Apply every migration newer than the database's version, all in one write transaction. */
export function migrate(db: DatabaseSync, migrations: readonly Migration[], now: () => number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  // Read the version inside the write lock: two processes starting together migrate once.
  transaction(db, () => {
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
    const current = Number(row?.version ?? 0);
    if (current > known) throw new SchemaTooNewError(current, known);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now());
    }
  });
}

/** Run `work` in a write transaction (taken up front, so read-modify-write cannot interleave). */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
