/**
 * Runs jobs in the emulated k6 realm: a child Node process (vm modules need a flag that vitest's
 * workers do not have) fed the jobs as JSON.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RealmJob, RealmResult } from './k6-realm.ts';

const REALM = fileURLToPath(new URL('k6-realm.ts', import.meta.url));

/** Run `jobs` in one child process; results in the same order. */
export function runInK6Realm(jobs: readonly RealmJob[]): Promise<RealmResult[]> {
  const child = spawn(process.execPath, ['--experimental-vm-modules', '--no-warnings', REALM], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.end(JSON.stringify(jobs));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`k6 realm exited with ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString()) as RealmResult[]);
    });
  });
}
