import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret: the configured value when set (required when lobby and game nodes run as separate
 * processes), otherwise one generated on first start and kept in the data dir as `<name>` (mode
 * 0600), so the embedded default needs no setup and tokens and keys survive restarts.
 */
export async function loadSecret(
  configured: string | undefined,
  dataDir: string,
  name: string,
): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, name);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 64) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
