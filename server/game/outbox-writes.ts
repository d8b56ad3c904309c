/**
 * The match outbox's writes, one definition for both places they run: the writer thread (a file
 * outbox, where each commit waits for an fsync that must never stall the tick) and the node's own
 * thread (an in-memory outbox, with no disk to wait for).
 */
import type { DatabaseSync } from 'node:sqlite';

/** One change to the outbox. */
export type OutboxWrite =
  /** Keep a report until the lobby acknowledges it (a match already held is kept once). */
  | { readonly op: 'add'; readonly matchId: string; readonly report: string; readonly recordedAt: number }
  /** The lobby acknowledged pending report `id` (durably, or confirmed since): forget it. */
  | { readonly op: 'delivered'; readonly id: number }
  /**
   * The lobby acknowledged report `id` but its store may not have it on disk yet: keep it, marked
   * acknowledged at `at`, for the confirmation send after the window (match-delivery.ts).
   */
  | { readonly op: 'acked'; readonly id: number; readonly at: number }
  /** The lobby will never take pending report `id`: move it to the dead-letter table. */
  | { readonly op: 'refused'; readonly id: number; readonly reason: string; readonly failedAt: number }
  /** Keep a report that can never be delivered in the dead-letter table. */
  | {
      readonly op: 'bury';
      readonly matchId: string;
      readonly report: string;
      readonly reason: string;
      readonly at: number;
    };

/** Prepared writes on `db`; each returns true when it changed the outbox. Run inside a transaction. */
export function outboxWrites(db: DatabaseSync): (write: OutboxWrite) => boolean {
  const insert = db.prepare(
    'INSERT INTO pending_reports (match_id, report, recorded_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const remove = db.prepare(
    'DELETE FROM pending_reports WHERE id = ? RETURNING match_id, report, recorded_at',
  );
  const acked = db.prepare('UPDATE pending_reports SET acked_at = ? WHERE id = ?');
  const bury = db.prepare(
    'INSERT INTO dead_letters (match_id, report, reason, recorded_at, failed_at) VALUES (?, ?, ?, ?, ?)',
  );
  return (write) => {
    switch (write.op) {
      case 'add':
        return insert.run(write.matchId, write.report, write.recordedAt).changes > 0;
      case 'delivered':
        return remove.get(write.id) !== undefined;
      case 'acked':
        return acked.run(write.at, write.id).changes > 0;
      case 'refused': {
        const row = remove.get(write.id);
        if (!row) return false;
        bury.run(
          row.match_id as string,
          row.report as string,
          write.reason,
          row.recorded_at as number,
          write.failedAt,
        );
        return true;
      }
      case 'bury':
        return bury.run(write.matchId, write.report, write.reason, write.at, write.at).changes > 0;
    }
  };
}
