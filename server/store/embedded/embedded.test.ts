import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { BoardConfigError, SchemaTooNewError, StoreError } from '../errors.ts';
import { describeStoreContract } from '../store.contract.ts';
import type { BoardConfig } from '../types.ts';
import { DATABASE_FILE, IN_MEMORY, openEmbeddedStore } from './index.ts';
import { MIGRATIONS } from './schema.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeStoreContract('embedded, in memory', (options) =>
  openEmbeddedStore({ ...options, dataDir: IN_MEMORY }),
);

describeStoreContract('embedded, file', async (options) => {
  const dir = await mkdtemp(join(tmpdir(), 'tickforge-store-'));
  dirs.push(dir);
  return openEmbeddedStore({ ...options, dataDir: dir });
});

describe('embedded store on disk', () => {
  const boards: readonly BoardConfig[] = [
    { id: 'points', sort: 'desc', operator: 'best', reset: 'never' },
    { id: 'wins', sort: 'desc', operator: 'increment', reset: 'weekly' },
  ];
  let dir: string;
  let now = Date.UTC(2026, 10, 22, 12);
  const open = (configured = boards) =>
    openEmbeddedStore({ dataDir: dir, boards: configured, now: () => now });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickforge-store-'));
    dirs.push(dir);
  });

  test('players, records and submission keys survive close and reopen', async () => {
    const first = await open();
    const player = await first.players.createGuest('Ada');
    await first.leaderboards.submit({
      boardId: 'wins',
      playerId: player.id,
      name: 'Ada',
      score: 2,
      key: 'm1:ada',
    });
    await first.leaderboards.submit({
      boardId: 'points',
      playerId: player.id,
      name: 'Ada',
      score: 40,
      key: 'm1:ada',
    });
    await first.close();
    await first.close(); // closing twice is harmless

    now += 60_000;
    const second = await open();
    expect(await second.players.get(player.id)).toEqual(player);
    expect(await second.leaderboards.rank('points', player.id)).toMatchObject({ score: 40, rank: 1 });
    const retry = await second.leaderboards.submit({
      boardId: 'wins',
      playerId: player.id,
      name: 'Ada',
      score: 2,
      key: 'm1:ada',
    });
    expect(retry.outcome).toBe('duplicate');
    expect((await second.leaderboards.rank('wins', player.id))?.score).toBe(2);
    await second.close();
  });

  test('a sign-up answers only once its row is committed, however many arrive together', async () => {
    const store = await open();
    const reader = new DatabaseSync(join(dir, DATABASE_FILE));
    const stored = reader.prepare('SELECT name FROM players WHERE id = ?');
    // What another connection sees at the moment each caller hears back.
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.players.createGuest(`guest ${i}`).then((player) => stored.get(player.id)?.name),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `guest ${i}`));
    reader.close();
    await store.close();
  });

  test('a row the database refuses fails its own sign-up only', async () => {
    const store = await open();
    const admin = new DatabaseSync(join(dir, DATABASE_FILE));
    admin.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON players WHEN NEW.name = 'bad'
      BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const results = await Promise.allSettled(
      ['ok 1', 'bad', 'ok 2'].map((n) => store.players.createGuest(n)),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = admin
      .prepare('SELECT name FROM players ORDER BY name')
      .all()
      .map((r) => r.name);
    expect(names).toEqual(['ok 1', 'ok 2']);
    admin.close();
    await store.close();
  });

  test('closing the store commits sign-ups still waiting; ids start with their creation time', async () => {
    const store = await open();
    const waiting = ['first', 'second', 'third'].map((name) => store.players.createGuest(name));
    await store.close();
    const players = await Promise.all(waiting);
    // UUIDv7: the first 48 bits are the creation millisecond, so new rows land together in the index.
    const stamps = players.map((p) => p.id.slice(0, 13));
    expect(stamps).toEqual([...stamps].sort());
    expect(players.every((p) => /^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(p.id))).toBe(true);
    const reopened = await open();
    for (const player of players) expect(await reopened.players.get(player.id)).toEqual(player);
    await reopened.close();
  });

  test('a database of schema version 2 is migrated: its players are found by name, Unicode case folded', async () => {
    // The database as the build before name search left it: players without name_fold.
    const old = new DatabaseSync(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    );
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(migration.version, migration.name);
    }
    old.prepare('INSERT INTO players (id, name, created_at) VALUES (?, ?, ?)').run('p-1', 'ÉLODIE', 1);
    old.prepare('INSERT INTO players (id, name, created_at) VALUES (?, ?, ?)').run('p-2', 'Bo', 2);
    old.close();
    const store = await open();
    try {
      expect(await store.players.findByName('élo')).toEqual([{ id: 'p-1', name: 'ÉLODIE', createdAt: 1 }]);
      expect(await store.players.findByName('bo')).toEqual([{ id: 'p-2', name: 'Bo', createdAt: 2 }]);
    } finally {
      await store.close();
    }
  });

  test('the file is in WAL mode and migrations are recorded once', async () => {
    await (await open()).close();
    await (await open()).close();
    const db = new DatabaseSync(join(dir, DATABASE_FILE));
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    const versions = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    // A database from a newer build is refused, not guessed at.
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      999,
      'future',
      0,
    );
    db.close();
    const refused = await open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SchemaTooNewError);
    expect((refused as SchemaTooNewError).code).toBe('schema_too_new');
  });

  test("a board's sort order cannot flip over stored records", async () => {
    const flipped: BoardConfig[] = [{ id: 'points', sort: 'asc', operator: 'best', reset: 'never' }];
    await (await open(flipped)).close(); // still empty: flipping is fine
    const store = await open();
    await store.leaderboards.submit({ boardId: 'points', playerId: 'a', name: 'A', score: 1, key: 'k' });
    await store.close();
    await expect(open(flipped)).rejects.toBeInstanceOf(BoardConfigError);
    // Operator and reset changes are allowed: they do not change how stored rows rank.
    await (await open([{ id: 'points', sort: 'desc', operator: 'set', reset: 'daily' }])).close();
  });

  test('bad board configuration is refused at open', async () => {
    const bad: BoardConfig[][] = [
      [{ id: '', sort: 'desc', operator: 'best', reset: 'never' }],
      [{ id: 'a b', sort: 'desc', operator: 'best', reset: 'never' }],
      [{ id: 'x'.repeat(65), sort: 'desc', operator: 'best', reset: 'never' }],
      [boards[0]!, boards[0]!],
      [{ id: 'x', sort: 'up' as 'asc', operator: 'best', reset: 'never' }],
      [{ id: 'x', sort: 'asc', operator: 'max' as 'best', reset: 'never' }],
      [{ id: 'x', sort: 'asc', operator: 'best', reset: 'hourly' as 'daily' }],
    ];
    for (const configured of bad) await expect(open(configured)).rejects.toBeInstanceOf(BoardConfigError);
  });

  test('hostile input gets typed errors and leaves the data intact', async () => {
    const store = await open();
    await store.leaderboards.submit({ boardId: 'points', playerId: 'a', name: 'A', score: 5, key: 'k1' });
    const before = await store.leaderboards.top('points');
    const attempts = [
      store.leaderboards.submit({
        boardId: "points' OR 1=1 --",
        playerId: 'a',
        name: 'A',
        score: 1,
        key: 'k2',
      }),
      store.leaderboards.submit({
        boardId: 'points',
        playerId: 'a',
        name: 'A',
        score: Number.NaN,
        key: 'k3',
      }),
      store.leaderboards.submit({
        boardId: 'points',
        playerId: 'a',
        name: 'A',
        score: 1,
        key: 'k'.repeat(10_000),
      }),
      store.leaderboards.top('points', { limit: 2 ** 31 }),
      store.leaderboards.around('points', 'a', { limit: Number.MAX_SAFE_INTEGER }),
      store.leaderboards.rank(null as unknown as string, 'a'),
      store.leaderboards.rank('points', 'p'.repeat(10_000)),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(StoreError);
    expect(await store.leaderboards.top('points')).toEqual(before);
    await store.close();
    const db = new DatabaseSync(join(dir, DATABASE_FILE));
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect(db.prepare('SELECT key FROM leaderboard_submissions').all()).toEqual([{ key: 'k1' }]);
    db.close();
  });
});
