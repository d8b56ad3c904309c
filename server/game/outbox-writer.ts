/**
 * The match outbox's disk writer, on a worker thread of its own: a durable commit waits for an
 * fsync (4 ms typical, 20-40 ms at p99 on a cloud disk), and a write on the node's thread would also
 * wait for another connection's lock and run WAL checkpoints; none of that may stall the tick of
 * every room. Every write to a file outbox runs here (adds, deliveries, refusals, dead letters).
 * Writes that arrive together are committed in one transaction (one fsync), with synchronous=FULL,
 * and each is answered only once its commit is on disk.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { type OutboxWrite, outboxWrites } from './outbox-writes.ts';

/** One write to make durable; `seq` pairs it with its answer. */
export type WriteRequest = OutboxWrite & { readonly seq: number };

/** The answer to a batch: which writes changed the outbox (`changed`), or why the batch failed. */
export type WriteAnswer =
  | { readonly seqs: readonly number[]; readonly changed: readonly boolean[] }
  | { readonly seqs: readonly number[]; readonly error: string };

const port = parentPort!;
const db = new DatabaseSync((workerData as { file: string }).file, { timeout: 5_000 });
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
const apply = outboxWrites(db);
let queue: WriteRequest[] = [];

function commit(): void {
  const batch = queue;
  queue = [];
  const seqs = batch.map((w) => w.seq);
  try {
    db.exec('BEGIN IMMEDIATE');
    const changed = batch.map(apply);
    db.exec('COMMIT');
    port.postMessage({ seqs, changed } satisfies WriteAnswer);
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
