/**
 * Builds bench/lean/generator.c with the machine's C compiler ($CC, else cc, else gcc) into the
 * git-ignored cache, once per version of the source. No compiler, or a failed build, is not an
 * error: the caller falls back to the Node clients and says why.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./generator.c', import.meta.url));
const CACHE = fileURLToPath(new URL('../../.cache/lean-generator', import.meta.url));

/** The generator binary, or why there is none. */
export function buildNativeGenerator(): { path: string } | { unavailable: string } {
  const source = readFileSync(SOURCE);
  const dir = join(CACHE, createHash('sha256').update(source).digest('hex').slice(0, 16));
  const path = join(dir, 'lean-generator');
  if (existsSync(path)) return { path };
  const failures: string[] = [];
  for (const cc of [process.env.CC, 'cc', 'gcc'].filter((c): c is string => Boolean(c))) {
    try {
      mkdirSync(dir, { recursive: true });
      // Built beside its final name and renamed, so a concurrent bench never runs half a binary.
      const building = `${path}.${process.pid}`;
      execFileSync(cc, ['-O2', '-std=gnu11', '-o', building, SOURCE], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      renameSync(building, path);
      return { path };
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      failures.push(
        `${cc}: ${stderr || (error instanceof Error ? error.message : String(error))}`.slice(0, 300),
      );
    }
  }
  return { unavailable: `no C compiler built bench/lean/generator.c (${failures.join('; ')})` };
}
