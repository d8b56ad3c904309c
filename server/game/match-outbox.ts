/**
 * The node's match outbox: finished matches' reports, durable on the node's data dir before any
 * player hears MATCH_END, until the lobby acknowledges them. Its own node:sqlite file
 * (`match-outbox.sqlite`). Every write (adds, deliveries, refusals, dead letters) is committed by a
 * writer thread (outbox-writer.ts) with synchronous=FULL, so a report `add` resolved for survives
 * SIGKILL and power loss as far as SQLite promises, and the node's thread never waits for the disk,
 * for the write lock or for a checkpoint: it only reads. Reports the lobby will never take move to
 * a dead-letter table, kept for an operator. Only what a caller asks for is read into memory; the
 * file may grow.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { IN_MEMORY, type Migration, migrate, transaction } from '../store/embedded/sqlite.ts';
import type { WriteAnswer, WriteRequest } from './outbox-writer.ts';
import { type OutboxWrite, outboxWrites } from './outbox-writes.ts';
import type { MatchReport } from './room.ts';

/** The outbox file inside the node's data dir. */
export const OUTBOX_FILE = 'match-outbox.sqlite';

/** A report waiting for delivery; `id` orders reports by when their match ended. */
export interface PendingReport {
  readonly id: number;
  readonly report: MatchReport;
  /**
   * When the lobby acknowledged it without its store having it on disk for sure (node clock, ms):
   * the report waits for its confirmation send. Absent: not acknowledged yet.
   */
  readonly ackedAt?: number;
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
  {
    version: 2,
    name: 'acknowledged reports awaiting confirmation',
    // Set when the lobby acknowledged a report its store may not have on disk yet (Redis with
    // appendfsync everysec): the row stays until a second send after the window confirms it.
    sql: 'ALTER TABLE pending_reports ADD COLUMN acked_at INTEGER',
  },
];

/** Durable storage of match reports on their way to the lobby. */
export class MatchOutbox {
  readonly #db: DatabaseSync;
  /** The database file, or undefined in memory (written on this thread: no disk to wait for). */
  readonly #file: string | undefined;
  readonly #now: () => number;
  #writer: Worker | undefined;
  #seq = 0;
  /** Writes the writer has not answered yet. */
  readonly #writing = new Map<
    number,
    { resolve: (changed: boolean) => void; reject: (error: Error) => void }
  >();
  readonly #flushed = new Set<() => void>();
  /** The writes on this thread's connection: an in-memory outbox only. */
  readonly #apply: (write: OutboxWrite) => boolean;
  readonly #oldest: StatementSync;
  readonly #unconfirmed: StatementSync;
  readonly #nextConfirmation: StatementSync;
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
    this.#apply = outboxWrites(db);
    this.#oldest = db.prepare(
      'SELECT id, report FROM pending_reports WHERE acked_at IS NULL ORDER BY id LIMIT ?',
    );
    this.#unconfirmed = db.prepare(
      `SELECT id, report, acked_at FROM pending_reports
       WHERE acked_at IS NOT NULL AND acked_at <= ? ORDER BY acked_at, id LIMIT ?`,
    );
    this.#nextConfirmation = db.prepare(
      'SELECT MIN(acked_at) AS at FROM pending_reports WHERE acked_at IS NOT NULL',
    );
    const counts = db
      .prepare(
        'SELECT (SELECT COUNT(*) FROM pending_reports) AS pending, (SELECT COUNT(*) FROM dead_letters) AS dead',
      )
      .get()!;
    this.#pending = Number(counts.pending);
    this.#deadLetters = Number(counts.dead);
  }

  /** Reports waiting for delivery or for their confirmation. */
  get pending(): number {
    return this.#pending;
  }

  /** Reports kept in the dead-letter table. */
  get deadLetters(): number {
    return this.#deadLetters;
  }

  /** Store a report durably; once this resolves, a crash can no longer lose it. */
  async add(report: MatchReport): Promise<void> {
    const at = this.#now();
    const write = {
      op: 'add',
      matchId: report.matchId,
      report: JSON.stringify(report),
      recordedAt: at,
    } as const;
    if (await this.#write(write)) this.#pending++;
  }

  /** Resolves once every write so far has been answered. */
  flushed(): Promise<void> {
    if (this.#writing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#flushed.add(resolve));
  }

  /** Up to `limit` reports the lobby has not acknowledged yet, oldest first. */
  oldest(limit: number): PendingReport[] {
    return this.#oldest.all(limit).map((row) => ({
      id: Number(row.id),
      report: JSON.parse(row.report as string) as MatchReport,
    }));
  }

  /** Up to `limit` acknowledged reports awaiting confirmation, acknowledged at or before `ackedBy`. */
  unconfirmed(ackedBy: number, limit: number): PendingReport[] {
    return this.#unconfirmed.all(ackedBy, limit).map((row) => ({
      id: Number(row.id),
      report: JSON.parse(row.report as string) as MatchReport,
      ackedAt: Number(row.acked_at),
    }));
  }

  /** When the earliest report awaiting confirmation was acknowledged, or undefined for none. */
  nextConfirmation(): number | undefined {
    const at = this.#nextConfirmation.get()?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  /** The lobby acknowledged report `id` (durably) or confirmed it: forget it. */
  async delivered(id: number): Promise<void> {
    if (await this.#write({ op: 'delivered', id })) this.#pending--;
  }

  /**
   * The lobby acknowledged report `id` at `at`, but its store may lose the write for a moment yet:
   * keep the report (durably, across restarts) until a confirmation send after the window.
   */
  async acknowledged(id: number, at: number): Promise<void> {
    await this.#write({ op: 'acked', id, at });
  }

  /** The lobby will never take report `id`: move it to the dead-letter table with the reason. */
  async refused(id: number, reason: string): Promise<void> {
    if (!(await this.#write({ op: 'refused', id, reason, failedAt: this.#now() }))) return;
    this.#pending--;
    this.#deadLetters++;
  }

  /** Keep a report that can never be delivered (it fails the report schema) for an operator. */
  async bury(report: MatchReport, reason: string): Promise<void> {
    const text = JSON.stringify(report) ?? 'null';
    const write = {
      op: 'bury',
      matchId: String(report.matchId),
      report: text,
      reason,
      at: this.#now(),
    } as const;
    if (await this.#write(write)) this.#deadLetters++;
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

  /** Close, after the writes under way are answered. */
  async close(): Promise<void> {
    await this.flushed();
    await this.#writer?.terminate();
    this.#writer = undefined;
    if (this.#db.isOpen) this.#db.close();
  }

  /**
   * Apply `write`: on the writer thread for a file (resolves once it is on disk), here for an
   * in-memory outbox. Resolves with whether it changed the outbox.
   */
  #write(write: OutboxWrite): Promise<boolean> {
    if (this.#file === undefined) {
      try {
        return Promise.resolve(transaction(this.#db, () => this.#apply(write)));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const request: WriteRequest = { ...write, seq: ++this.#seq };
    const writer = this.#startWriter(this.#file);
    writer.ref(); // a write under way keeps the process alive until it is on disk
    return new Promise((resolve, reject) => {
      this.#writing.set(request.seq, { resolve, reject });
      writer.postMessage(request);
    });
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
        else waiting?.resolve(answer.changed[i] ?? false);
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
