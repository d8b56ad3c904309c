/**
 * The docs say what the code does, where a check is cheap: the README's Tests section names every
 * step `npm test` runs, in order, loadtest/README.md documents every setting the k6 scripts read, and
 * the README every setting the server reads; and each start script builds what its processes serve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The text of a markdown section, from its heading to the next heading of the same level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const level = heading.split(' ')[0]!;
  const end = markdown.indexOf(`\n${level} `, start + heading.length + 2);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('docs', () => {
  it("README's Tests section names the steps of npm test in the order they run", () => {
    const script = (JSON.parse(read('package.json')) as { scripts: { test: string } }).scripts.test;
    const steps = ['tsc --noEmit', 'biome check .', 'vitest'];
    const inScript = steps.map((step) => script.indexOf(step));
    expect(inScript.every((at) => at >= 0)).toBe(true);
    expect([...inScript].sort((a, b) => a - b)).toEqual(inScript);
    const tests = section(read('README.md'), '## Tests');
    const inDocs = steps.map((step) => tests.indexOf(step));
    expect(inDocs, tests).not.toContain(-1);
    expect([...inDocs].sort((a, b) => a - b)).toEqual(inDocs);
  });

  it('every start script builds what its processes load and serve before it runs them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    // The README: any lobby serves the demo at / and the admin console at /admin.
    const builds: Record<string, string[]> = {
      start: ['build:demo', 'build:admin', 'build:server'],
      'start:lobby': ['build:demo', 'build:admin', 'build:server'],
      'start:game': ['build:server'],
      'start:cluster': ['build:demo', 'build:admin', 'build:server'],
    };
    for (const [name, steps] of Object.entries(builds)) {
      const pre = scripts[`pre${name}`] ?? '';
      expect(
        steps.filter((step) => !pre.includes(`npm run ${step}`)),
        `pre${name}: ${pre}`,
      ).toEqual([]);
    }
  });

  it('loadtest/README.md documents every setting the k6 scripts read', () => {
    const dir = join(ROOT, 'loadtest/k6');
    const sources = [
      ...readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join('loadtest/k6', f)),
      ...readdirSync(join(dir, 'lib')).map((f) => join('loadtest/k6/lib', f)),
    ].map(read);
    const names = new Set(
      sources.flatMap((text) => [...text.matchAll(/\benv[A-Z][a-z]+\(\s*'([A-Z_]+)'/g)].map((m) => m[1]!)),
    );
    expect(names.size).toBeGreaterThan(20);
    const settings = section(read('loadtest/README.md'), '### Settings');
    const undocumented = [...names].filter((name) => !settings.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('the README documents every TICKFORGE_ setting the server reads', () => {
    const sources = ['server/config.ts', 'server/deployment.ts', 'server/lobby/config.ts'].map(read);
    const names = new Set(
      sources.flatMap((text) => [...text.matchAll(/'(TICKFORGE_[A-Z_]+)'/g)].map((m) => m[1]!)),
    );
    expect(names.size).toBeGreaterThan(40);
    const readme = read('README.md');
    expect([...names].filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
