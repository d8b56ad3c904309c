/**
 * `npm run loadtest:lobby` / `npm run loadtest:gameplay`: build the k6 bundles, then run one with
 * `k6 run` when k6 is installed. Arguments after `--` go to k6 (`-e NAME=value`, `--out ...`).
 * Without k6 it says what to install and which file to run, and exits 1 (0 with --if-present, for
 * scripts that should build everywhere and run where k6 exists).
 *
 *   node loadtest/run.ts <lobby|gameplay> [--if-present] [k6 run arguments...]
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { buildK6Scripts, DIST, K6_SCRIPTS, type K6Script } from './build.ts';

const INSTALL_HINT = `k6 is not installed (or not on PATH). Install it from
  https://grafana.com/docs/k6/latest/set-up/install-k6/
(e.g. \`brew install k6\`, the k6 apt/rpm repository, \`winget install k6\`, or the grafana/k6
Docker image), or point K6_BIN at a k6 binary.`;

/** The k6 binary: $K6_BIN, else the first executable `k6` on PATH. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.K6_BIN
    ? [env.K6_BIN]
    : (env.PATH ?? '').split(delimiter).flatMap((dir) => (dir ? [join(dir, k6FileName())] : []));
  return candidates.find(isExecutable);
}

function k6FileName(): string {
  return process.platform === 'win32' ? 'k6.exe' : 'k6';
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [script, ...rest] = argv;
  if (script === undefined || !(script in K6_SCRIPTS)) {
    console.error(
      `usage: node loadtest/run.ts <${Object.keys(K6_SCRIPTS).join('|')}> [--if-present] [k6 run args]`,
    );
    return 2;
  }
  const ifPresent = rest.includes('--if-present');
  const k6Args = rest.filter((arg) => arg !== '--if-present');
  await buildK6Scripts();
  const bundle = join(DIST, `${script as K6Script}.js`);
  const shown = relative(process.cwd(), bundle) || bundle;
  const k6 = findK6();
  if (k6 === undefined) {
    console.error(
      `loadtest: built ${shown}, but ${INSTALL_HINT}\nThen run:\n  k6 run ${k6Args.join(' ')}${k6Args.length ? ' ' : ''}${shown}`,
    );
    return ifPresent ? 0 : 1;
  }
  const child = spawn(k6, ['run', ...k6Args, bundle], { stdio: 'inherit' });
  // k6 stops gracefully on the first SIGINT and hard on the second; let it see them itself.
  process.on('SIGINT', () => {});
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // k6 exits 99 when a threshold fails: pass its code on, that is the result.
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`loadtest: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
