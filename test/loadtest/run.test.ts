/**
 * The loadtest runner (`npm run loadtest:lobby` / `loadtest:gameplay`): builds, then runs k6 with
 * the caller's arguments and passes on k6's exit code; without k6 it says what to install and fails
 * unless --if-present. A stand-in k6 binary (K6_BIN) records what it was asked to run.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tickforge-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runner(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['loadtest/run.ts', ...args], {
    cwd: ROOT,
    env: { PATH: scratch, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('loadtest runner', () => {
  it('runs k6 on the built script with the given arguments and exits with its code', async () => {
    const argsFile = join(scratch, 'args');
    const fakeK6 = join(scratch, 'fake-k6');
    // k6 exits 99 when thresholds fail.
    writeFileSync(fakeK6, `#!/bin/sh\necho "$@" > "${argsFile}"\nexit 99\n`);
    chmodSync(fakeK6, 0o755);
    const { code } = await runner(['gameplay', '-e', 'PROFILE=load', '--quiet'], { K6_BIN: fakeK6 });
    expect(code).toBe(99);
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(
      `run -e PROFILE=load --quiet ${join(ROOT, 'loadtest', 'dist', 'gameplay.js')}`,
    );
  });

  it('without k6, names what to install and the built file, and fails unless --if-present', async () => {
    const missing = await runner(['lobby'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('k6 is not installed');
    expect(missing.stderr).toContain('https://grafana.com/docs/k6/latest/set-up/install-k6/');
    expect(missing.stderr).toContain('k6 run loadtest/dist/lobby.js');
    expect((await runner(['lobby', '--if-present'], {})).code).toBe(0);
    expect((await runner(['chess'], {})).code).toBe(2);
  });
});
