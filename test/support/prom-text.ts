/** Reading Prometheus text exposition in tests: one sample's value by metric name and labels. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's prometheus package puts its tools here. */
export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

/** Every sample of `name` whose labels include `labels`, as [labels, value]. */
export function samples(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Array<[Record<string, string>, number]> {
  const found: Array<[Record<string, string>, number]> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      own[pair[1] ?? ''] = pair[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => own[k] === v)) found.push([own, Number(match[3])]);
  }
  return found;
}

/** The sum of the matching samples (0 when there are none). */
export function sampleSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples(text, name, labels).reduce((sum, [, value]) => sum + value, 0);
}

/**
 * prom-client's default Node.js metrics name three gauges `_total` (its naming, not ours); promtool
 * lints them, so their complaints alone are set aside.
 */
const PROM_CLIENT_DEFAULTS =
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

/** `promtool check metrics` on an exposition: its complaints, or '' when it has none. */
export async function promtoolCheckMetrics(text: string): Promise<string> {
  const child = run(PROMTOOL, ['check', 'metrics']);
  child.child.stdin?.end(text);
  try {
    const { stdout, stderr } = await child;
    return complaints(`${stdout}${stderr}`);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return complaints(`${stdout}${stderr}`) || (stdout || stderr ? '' : String(error));
  }
}

function complaints(output: string): string {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !PROM_CLIENT_DEFAULTS.test(line))
    .join('\n');
}

/** Whether Debian's prometheus tools are installed; under CI they must be. */
export function prometheusInstalled(): boolean {
  const installed = existsSync(PROMTOOL) && existsSync(PROMETHEUS);
  if (!installed && process.env.CI === 'true') {
    throw new Error(
      'CI=true but /usr/bin/promtool or /usr/bin/prometheus is missing: apt-get install prometheus',
    );
  }
  return installed;
}
