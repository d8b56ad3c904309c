/**
 * Instruction counts for the benchmarks that must not depend on how busy the machine is: run a
 * script under `valgrind --tool=callgrind` and read the total instructions executed (Ir), in user
 * space, by the whole process. Benchmarks run twice (T and 2T ticks, the same setup) and report
 * the difference, which is the instructions of T ticks alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** True when valgrind can be run. */
export function hasCallgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Total instructions of `node --experimental-strip-types <script> ...args` under callgrind. */
export function callgrindInstructions(script: string, args: readonly string[]): number {
  const out = join(tmpdir(), `bench-callgrind-${process.pid}-${Date.now()}.out`);
  const command = [
    '--tool=callgrind',
    `--callgrind-out-file=${out}`,
    process.execPath,
    '--experimental-strip-types',
    '--no-warnings',
    // No concurrent compiler or GC threads: the same work lands on the same counts run after run.
    '--single-threaded',
    '--max-semi-space-size=8',
    script,
    ...args,
  ];
  try {
    execFileSync('valgrind', command, { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
    const text = readFileSync(out, 'utf8');
    const match = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
    if (!match) throw new Error('no instruction total in the callgrind output');
    return Number(match[1]);
  } finally {
    rmSync(out, { force: true });
  }
}
