/**
 * The node's match outbox: finished matches' reports, durable on the node's data dir before any
 * player hears MATCH_END, until the lobby acknowledges them. Its own node:sqlite file
 * (`match-outbox.sqlite`), with synchronous=FULL so a committed report survives SIGKILL and power
 * loss as far as SQLite promises. Reports the lobby will never take move to a dead-letter table,
 * kept for an operator. Only what a caller asks for is read into memory; the file may grow.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { IN_MEMORY, type Migration, migrate, transaction } from '../store/embedded/sqlite.ts';
import type { MatchReport } from './room.ts';

/** The outbox file inside the node's data dir. */
export const OUTBOX_FILE = 'match-outbox.sqlite';

/** A report waiting for delivery; `id` orders reports by when their match ended. */
export interface PendingReport {
  readonly id: number;
  readonly report: MatchReport;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'match outbox',
    // match_id is unique: recording the same match twice keeps one row (delivery is idempotent
    // at the lobby anyway, per match and player).
    sql: `CREATE TABLE pending_reports (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      match_id TEXT NOT NULL UNIQUE,
      report TEXT NOT NULL,
      recorded_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      match_id TEXT NOT NULL,
      report TEXT NOT NULL,
      reason TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,
      failed_at INTEGER NOT NULL
    ) STRICT;`,
  },
];

/** Durable storage of match reports on their way to the lobby. */
export class MatchOutbox {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #insert: StatementSync;
  readonly #oldest: StatementSync;
  readonly #delete: StatementSync;
  readonly #bury: StatementSync;
  #pending: number;
  #deadLetters: number;

  /** Open (creating if needed) the outbox in `dataDir`, or in memory for `:memory:`. */
  static open(dataDir: string, now: () => number = Date.now): MatchOutbox {
    let location = IN_MEMORY;
    if (dataDir !== IN_MEMORY) {
      mkdirSync(dataDir, { recursive: true });
      location = join(dataDir, OUTBOX_FILE);
    }
    const db = new DatabaseSync(location, { timeout: 5_000 });
    try {
      db.exec('PRAGMA journal_mode = WAL');
      // FULL: every commit is on disk (fsync) before add() returns, not just in the WAL buffer.
      db.exec('PRAGMA synchronous = FULL');
      migrate(db, MIGRATIONS, now);
      return new MatchOutbox(db, now);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: DatabaseSync, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      'INSERT INTO pending_reports (match_id, report, recorded_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.#oldest = db.prepare('SELECT id, report FROM pending_reports ORDER BY id LIMIT ?');
    this.#delete = db.prepare(
      'DELETE FROM pending_reports WHERE id = ? RETURNING match_id, report, recorded_at',
    );
    this.#bury = db.prepare(
      'INSERT INTO dead_letters (match_id, report, reason, recorded_at, failed_at) VALUES (?, ?, ?, ?, ?)',
    );
    const counts = db
      .prepare(
        'SELECT (SELECT COUNT(*) FROM pending_reports) AS pending, (SELECT COUNT(*) FROM dead_letters) AS dead',
      )
      .get()!;
    this.#pending = Number(counts.pending);
    this.#deadLetters = Number(counts.dead);
  }

  /** Reports waiting for delivery. */
  get pending(): number {
    return this.#pending;
  }

  /** Reports kept in the dead-letter table. */
  get deadLetters(): number {
    return this.#deadLetters;
  }

  /** Store a report durably; when this returns, a crash can no longer lose it. */
  add(report: MatchReport): void {
    const text = JSON.stringify(report);
    if (this.#insert.run(report.matchId, text, this.#now()).changes > 0) this.#pending++;
  }

  /** Up to `limit` waiting reports, oldest first. */
  oldest(limit: number): PendingReport[] {
    return this.#oldest.all(limit).map((row) => ({
      id: Number(row.id),
      report: JSON.parse(row.report as string) as MatchReport,
    }));
  }

  /** The lobby acknowledged report `id`: forget it. */
  delivered(id: number): void {
    if (this.#delete.get(id)) this.#pending--;
  }

  /** The lobby will never take report `id`: move it to the dead-letter table with the reason. */
  refused(id: number, reason: string): void {
    const moved = transaction(this.#db, () => {
      const row = this.#delete.get(id);
      if (!row) return false;
      this.#bury.run(
        row.match_id as string,
        row.report as string,
        reason,
        row.recorded_at as number,
        this.#now(),
      );
      return true;
    });
    if (!moved) return;
    this.#pending--;
    this.#deadLetters++;
  }

  /** Keep a report that can never be delivered (it fails the report schema) for an operator. */
  bury(report: MatchReport, reason: string): void {
    const at = this.#now();
    this.#bury.run(String(report.matchId), JSON.stringify(report) ?? 'null', reason, at, at);
    this.#deadLetters++;
  }

  /** The dead-letter table, oldest first (for operators and tests). */
  deadLetterRows(limit = 100): { matchId: string; reason: string; report: string }[] {
    return this.#db
      .prepare('SELECT match_id, reason, report FROM dead_letters ORDER BY id LIMIT ?')
      .all(limit)
      .map((row) => ({
        matchId: row.match_id as string,
        reason: row.reason as string,
        report: row.report as string,
      }));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
