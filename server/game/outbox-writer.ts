/**
 * The match outbox's disk writer, on a worker thread of its own: a durable commit waits for an
 * fsync (4 ms typical, 20-40 ms at p99 on a cloud disk), which must never stall the tick of every
 * room. Reports that arrive together are committed in one transaction (one fsync), with
 * synchronous=FULL, and each is answered only once its commit is on disk.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

/** One report to make durable. */
export interface WriteRequest {
  readonly seq: number;
  readonly matchId: string;
  readonly report: string;
  readonly recordedAt: number;
}

/** The answer to a batch: which requests committed (`added`: false for a match already held). */
export type WriteAnswer =
  | { readonly seqs: readonly number[]; readonly added: readonly boolean[] }
  | { readonly seqs: readonly number[]; readonly error: string };

const port = parentPort!;
const db = new DatabaseSync((workerData as { file: string }).file, { timeout: 5_000 });
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
const insert = db.prepare(
  'INSERT INTO pending_reports (match_id, report, recorded_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
);
let queue: WriteRequest[] = [];

function commit(): void {
  const batch = queue;
  queue = [];
  const seqs = batch.map((w) => w.seq);
  try {
    db.exec('BEGIN IMMEDIATE');
    const added = batch.map((w) => insert.run(w.matchId, w.report, w.recordedAt).changes > 0);
    db.exec('COMMIT');
    port.postMessage({ seqs, added } satisfies WriteAnswer);
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    port.postMessage({ seqs, error: String(error) } satisfies WriteAnswer);
  }
}

port.on('message', (request: WriteRequest) => {
  queue.push(request);
  // Everything that arrived in the meantime goes into the same commit.
  if (queue.length === 1) setImmediate(commit);
});
