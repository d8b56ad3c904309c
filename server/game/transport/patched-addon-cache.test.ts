import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addonHash, storePatchedCopy } from './patched-addon-cache.ts';

const NAME = 'uws_linux_x64_137.node';
const original = Buffer.from('the addon as npm installed it');
const patched = Buffer.from('the addon with its imports rebound');

describe('storePatchedCopy', () => {
  let cache = '';
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'tickforge-uws-cache-'));
  });
  afterEach(() => rm(cache, { recursive: true, force: true }));

  it('writes the copy under the hash of the original, creating the folders', async () => {
    const copy = await storePatchedCopy(join(cache, 'uws'), original, NAME, patched);
    expect(copy).toEqual({ path: join(cache, 'uws', addonHash(original), NAME), written: true });
    expect(await readFile(copy.path)).toEqual(patched);
    expect(addonHash(original)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reuses the copy on the next start without writing it again', async () => {
    const first = await storePatchedCopy(cache, original, NAME, patched);
    const before = await stat(first.path);
    const second = await storePatchedCopy(cache, original, NAME, patched);
    expect(second).toEqual({ path: first.path, written: false });
    const after = await stat(second.path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('patches again after an upgrade changed the original, and drops the old copy', async () => {
    const old = await storePatchedCopy(cache, original, NAME, patched);
    const upgraded = Buffer.from('a newer addon');
    const fresh = await storePatchedCopy(cache, upgraded, NAME, Buffer.from('a newer addon, rebound'));
    expect(fresh.written).toBe(true);
    expect(fresh.path).not.toBe(old.path);
    expect(await readdir(cache)).toEqual([addonHash(upgraded)]);
  });

  it('replaces a damaged copy (cut short, or other bytes)', async () => {
    const { path } = await storePatchedCopy(cache, original, NAME, patched);
    await writeFile(path, patched.subarray(0, 10));
    expect((await storePatchedCopy(cache, original, NAME, patched)).written).toBe(true);
    expect(await readFile(path)).toEqual(patched);
    await writeFile(path, Buffer.from(patched).fill(0, 3, 4));
    expect((await storePatchedCopy(cache, original, NAME, patched)).written).toBe(true);
    expect(await readFile(path)).toEqual(patched);
  });

  it('leaves one whole copy and no temporary file when several starts race', async () => {
    const copies = await Promise.all(
      Array.from({ length: 4 }, () => storePatchedCopy(cache, original, NAME, patched)),
    );
    const dir = join(cache, addonHash(original));
    expect(new Set(copies.map((c) => c.path))).toEqual(new Set([join(dir, NAME)]));
    expect(await readdir(dir)).toEqual([NAME]);
    expect(await readFile(join(dir, NAME))).toEqual(patched);
  });

  it('keeps files in the cache folder that are not copies', async () => {
    await mkdir(join(cache, 'notes'));
    await storePatchedCopy(cache, original, NAME, patched);
    await storePatchedCopy(cache, Buffer.from('another'), NAME, patched);
    expect((await readdir(cache)).sort()).toEqual([addonHash(Buffer.from('another')), 'notes'].sort());
  });

  it('fails, leaving nothing behind, when the cache folder cannot be written', async () => {
    const blocked = join(cache, 'file');
    await writeFile(blocked, 'not a folder');
    await expect(storePatchedCopy(blocked, original, NAME, patched)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await readdir(cache)).toEqual(['file']);
  });
});
