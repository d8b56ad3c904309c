/**
 * Where patched copies of a native addon live: `<cacheDir>/<sha256 of the original>/<its name>`.
 * Keyed by the original's hash, so a reinstall keeps using the copy and an upgrade makes a new one;
 * written to a temporary file and renamed, so concurrent first starts (a test run's workers) never
 * see half a file; compared byte for byte on every start, so a damaged copy is replaced.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** A copy ready to load, and whether this call had to write it. */
export interface CachedCopy {
  readonly path: string;
  readonly written: boolean;
}

const HASH_DIR = /^[0-9a-f]{64}$/;

/** The sha256 (hex) the cache keys `bytes` by. */
export function addonHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Make `<cacheDir>/<hash>/<name>` hold exactly `patched`. `original` is the addon as installed,
 * `name` its file name. Copies of other originals (an earlier install) are removed when a new one
 * is written.
 */
export async function storePatchedCopy(
  cacheDir: string,
  original: Uint8Array,
  name: string,
  patched: Uint8Array,
): Promise<CachedCopy> {
  const hash = addonHash(original);
  const dir = join(cacheDir, hash);
  const path = join(dir, basename(name));
  const existing = await readFile(path).catch(() => undefined);
  if (existing?.equals(patched)) return { path, written: false };

  await mkdir(dir, { recursive: true });
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, patched);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await removeOtherCopies(cacheDir, hash);
  return { path, written: true };
}

/** Drop copies of addons that are no longer installed (a loaded one stays mapped until exit). */
async function removeOtherCopies(cacheDir: string, keep: string): Promise<void> {
  const entries = await readdir(cacheDir);
  await Promise.all(
    entries
      .filter((entry) => entry !== keep && HASH_DIR.test(entry))
      .map((entry) => rm(join(cacheDir, entry), { recursive: true, force: true })),
  );
}
