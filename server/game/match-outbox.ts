/**
 * The node's match outbox: finished matches' reports, durable on the node's data dir before any
 * player hears MATCH_END, until the lobby acknowledges them. Its own node:sqlite file
 * (`match-outbox.sqlite`). Reports are added by a writer thread (outbox-writer.ts) with
 * synchronous=FULL, so a report `add` resolved for survives SIGKILL and power loss as far as SQLite
 * promises, and the tick never waits for the disk. Deliveries and refusals are committed here with
 * synchronous=NORMAL: a power cut may undo one, which only means sending that report again (the
 * lobby counts it as duplicates). Reports the lobby will never take move to a dead-letter table,
 * kept for an operator. Only what a caller asks for is read into memory; the file may grow.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { IN_MEMORY, type Migration, migrate, transaction } from '../store/embedded/sqlite.ts';
import type { WriteAnswer, WriteRequest } from './outbox-writer.ts';
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
  /** The database file, or undefined in memory (where adds are synchronous: no disk to wait for). */
  readonly #file: string | undefined;
  readonly #now: () => number;
  #writer: Worker | undefined;
  #seq = 0;
  /** Adds the writer has not answered yet. */
  readonly #writing = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #flushed = new Set<() => void>();
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
      // Only deliveries and refusals commit on this connection (see above); adds are FULL.
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db, MIGRATIONS, now);
      return new MatchOutbox(db, location === IN_MEMORY ? undefined : location, now);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: DatabaseSync, file: string | undefined, now: () => number) {
    this.#db = db;
    this.#file = file;
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

  /** Store a report durably; once this resolves, a crash can no longer lose it. */
  add(report: MatchReport): Promise<void> {
    const request: WriteRequest = {
      seq: ++this.#seq,
      matchId: report.matchId,
      report: JSON.stringify(report),
      recordedAt: this.#now(),
    };
    if (this.#file === undefined) {
      if (this.#insert.run(request.matchId, request.report, request.recordedAt).changes > 0) this.#pending++;
      return Promise.resolve();
    }
    const writer = this.#startWriter(this.#file);
    writer.ref(); // a write under way keeps the process alive until it is on disk
    return new Promise((resolve, reject) => {
      this.#writing.set(request.seq, { resolve, reject });
      writer.postMessage(request);
    });
  }

  /** Resolves once every add so far has been answered. */
  flushed(): Promise<void> {
    if (this.#writing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#flushed.add(resolve));
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

  /** Close, after the adds under way are answered. */
  async close(): Promise<void> {
    await this.flushed();
    await this.#writer?.terminate();
    this.#writer = undefined;
    if (this.#db.isOpen) this.#db.close();
  }

  /** The writer thread, started on first use (again after a crash of it). */
  #startWriter(file: string): Worker {
    if (this.#writer) return this.#writer;
    const writer = new Worker(new URL('./outbox-writer.ts', import.meta.url), { workerData: { file } });
    writer.on('message', (answer: WriteAnswer) => {
      answer.seqs.forEach((seq, i) => {
        const waiting = this.#writing.get(seq);
        this.#writing.delete(seq);
        if ('error' in answer) waiting?.reject(new Error(`match outbox write failed: ${answer.error}`));
        else {
          if (answer.added[i]) this.#pending++;
          waiting?.resolve();
        }
      });
      this.#settle();
    });
    const lost = (error: Error) => {
      if (this.#writer !== writer) return;
      this.#writer = undefined;
      for (const waiting of this.#writing.values()) waiting.reject(error);
      this.#writing.clear();
      this.#settle();
    };
    writer.on('error', lost);
    writer.on('exit', (code) => lost(new Error(`match outbox writer exited with code ${code}`)));
    this.#writer = writer;
    return writer;
  }

  #settle(): void {
    if (this.#writing.size > 0) return;
    this.#writer?.unref(); // an idle writer must not keep the process alive
    for (const resolve of this.#flushed) resolve();
    this.#flushed.clear();
  }
}
