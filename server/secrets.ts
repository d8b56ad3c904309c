import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The seat-token HMAC secret: TICKFORGE_SEAT_SECRET when set (required when lobby and game nodes
 * run as separate processes), otherwise one generated on first start and kept in the data dir, so
 * the embedded default needs no setup and tokens survive restarts.
 */
export async function loadSeatSecret(configured: string | undefined, dataDir: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const file = join(dataDir, 'seat-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 64) return new TextEncoder().encode(stored);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return new TextEncoder().encode(secret);
}
