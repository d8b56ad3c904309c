import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MatchOutbox, OUTBOX_FILE } from './match-outbox.ts';
import type { MatchReport } from './room.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const report = (matchId: string): MatchReport => ({
  matchId,
  roomId: 'room-1',
  mode: 'arena',
  endedAt: 1,
  results: [{ playerId: 'ada', name: 'Ada', score: 3 }],
});

describe('MatchOutbox', () => {
  it('keeps reports across close and reopen, oldest first, until delivered or refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-outbox-'));
    dirs.push(dir);
    const first = MatchOutbox.open(dir);
    for (const id of ['m1', 'm2', 'm3', 'm1']) await first.add(report(id));
    expect(first.pending).toBe(3); // a match recorded twice is kept once
    await first.close();

    const second = MatchOutbox.open(dir);
    expect(second.pending).toBe(3);
    const [one, two, three] = second.oldest(10);
    expect([one, two, three].map((p) => p?.report.matchId)).toEqual(['m1', 'm2', 'm3']);
    expect(one?.report).toEqual(report('m1'));
    await second.delivered(one!.id);
    await second.refused(two!.id, 'status 400: no');
    await second.delivered(one!.id); // again: nothing left to forget
    expect(second.oldest(10).map((p) => p.report.matchId)).toEqual(['m3']);
    expect([second.pending, second.deadLetters]).toEqual([1, 1]);
    await second.close();

    const third = MatchOutbox.open(dir);
    expect([third.pending, third.deadLetters]).toEqual([1, 1]);
    expect(third.deadLetterRows()).toEqual([
      { matchId: 'm2', reason: 'status 400: no', report: JSON.stringify(report('m2')) },
    ]);
    await third.close();
  });

  it('reads at most the batch asked for, and keeps invalid reports in the dead-letter table', async () => {
    const outbox = MatchOutbox.open(':memory:');
    for (let i = 0; i < 50; i++) await outbox.add(report(`m${i}`));
    expect(outbox.oldest(4).map((p) => p.report.matchId)).toEqual(['m0', 'm1', 'm2', 'm3']);
    await outbox.bury(
      { ...report('bad'), results: [{ playerId: 'ada', name: 'Ada', score: Number.NaN }] },
      'invalid',
    );
    expect([outbox.pending, outbox.deadLetters]).toEqual([50, 1]);
    expect(outbox.deadLetterRows()[0]?.report).toContain('"score":null');
    await outbox.close();
  });

  it('answers adds that arrive together from the writer thread, each once it is on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-outbox-'));
    dirs.push(dir);
    const outbox = MatchOutbox.open(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.add(report(`m${i}`))));
    expect(outbox.pending).toBe(50);
    await outbox.close();
    const reopened = MatchOutbox.open(dir);
    expect(reopened.oldest(100).map((p) => p.report.matchId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
    await reopened.close();
  });

  it("never makes the node's thread wait for the disk: deliveries and refusals wait on the writer thread", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-outbox-'));
    dirs.push(dir);
    const outbox = MatchOutbox.open(dir);
    for (const id of ['m1', 'm2', 'm3']) await outbox.add(report(id));
    const [one, two] = outbox.oldest(2);
    // Another connection holds the write lock, as the writer thread does through each fsync. On
    // the node's thread a write would now block every room's tick until the lock is free (here,
    // never: this very thread holds it), then fail with "database is locked".
    const other = new DatabaseSync(join(dir, OUTBOX_FILE), { timeout: 10_000 });
    other.exec('BEGIN IMMEDIATE');
    const writes = [
      outbox.delivered(one!.id),
      outbox.refused(two!.id, 'status 400: no'),
      outbox.bury({ ...report('bad'), matchId: 'bad' }, 'invalid'),
    ];
    await new Promise((resolve) => setImmediate(resolve)); // the event loop still turns
    expect([outbox.pending, outbox.deadLetters]).toEqual([3, 0]);
    other.exec('COMMIT');
    other.close();
    await Promise.all(writes);
    expect([outbox.pending, outbox.deadLetters]).toEqual([1, 2]);
    expect(outbox.oldest(10).map((p) => p.report.matchId)).toEqual(['m3']);
    await outbox.close();
  });

  it('keeps an acknowledged report for its confirmation, across a reopen, out of the unsent ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-outbox-'));
    dirs.push(dir);
    const first = MatchOutbox.open(dir);
    for (const id of ['m1', 'm2', 'm3']) await first.add(report(id));
    const [one, two] = first.oldest(2);
    await first.acknowledged(two!.id, 5_000);
    await first.acknowledged(one!.id, 7_000);
    expect(first.oldest(10).map((p) => p.report.matchId)).toEqual(['m3']);
    expect(first.pending).toBe(3); // acknowledged is not yet forgotten
    await first.close();

    const second = MatchOutbox.open(dir);
    expect(second.nextConfirmation()).toBe(5_000);
    expect(second.unconfirmed(4_999, 10)).toEqual([]);
    expect(second.unconfirmed(5_000, 10)).toEqual([{ id: two!.id, report: report('m2'), ackedAt: 5_000 }]);
    expect(second.unconfirmed(9_000, 10).map((p) => p.report.matchId)).toEqual(['m2', 'm1']);
    await second.delivered(two!.id);
    expect(second.nextConfirmation()).toBe(7_000);
    await second.delivered(one!.id);
    expect(second.nextConfirmation()).toBeUndefined();
    expect(second.pending).toBe(1);
    await second.close();
  });

  it('opens an outbox written before confirmations: its reports are unsent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-outbox-'));
    dirs.push(dir);
    const old = new DatabaseSync(join(dir, OUTBOX_FILE));
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;
      INSERT INTO schema_migrations VALUES (1, 'match outbox', 1);
      CREATE TABLE pending_reports (id INTEGER PRIMARY KEY AUTOINCREMENT, match_id TEXT NOT NULL UNIQUE,
        report TEXT NOT NULL, recorded_at INTEGER NOT NULL) STRICT;
      CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, match_id TEXT NOT NULL, report TEXT NOT NULL,
        reason TEXT NOT NULL, recorded_at INTEGER NOT NULL, failed_at INTEGER NOT NULL) STRICT;`);
    old
      .prepare('INSERT INTO pending_reports (match_id, report, recorded_at) VALUES (?, ?, 1)')
      .run('m1', JSON.stringify(report('m1')));
    old.close();
    const outbox = MatchOutbox.open(dir);
    expect(outbox.oldest(10).map((p) => p.report.matchId)).toEqual(['m1']);
    expect(outbox.nextConfirmation()).toBeUndefined();
    await outbox.close();
  });
});
