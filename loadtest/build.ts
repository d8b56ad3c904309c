/**
 * `npm run loadtest:build`: bundle the k6 scripts (loadtest/k6/*.ts) into loadtest/dist/*.js with
 * esbuild. k6 resolves no npm packages and has no Node built-ins, so everything a script imports
 * (the shared protocol code, msgpackr) goes into its bundle, except k6's own modules. msgpackr is
 * taken in its browser build (the `browser` export condition), which reaches for no Node API and
 * falls back to plain JavaScript where TextEncoder/TextDecoder are missing, as in k6 releases
 * before they became globals.
 */
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The k6 scripts, by output name. */
export const K6_SCRIPTS = {
  lobby: 'loadtest/k6/lobby.ts',
  gameplay: 'loadtest/k6/gameplay.ts',
} as const;
export type K6Script = keyof typeof K6_SCRIPTS;

/** Where `npm run loadtest:build` writes the bundles. */
export const DIST = fileURLToPath(new URL('dist/', import.meta.url));

/** The esbuild options of the k6 bundles (the tests build with these too). */
export function k6BuildOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: K6_SCRIPTS,
    outdir,
    bundle: true,
    format: 'esm',
    // Neither Node nor a browser: unresolvable Node built-ins fail the build instead of being
    // left as imports k6 cannot load.
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    // k6's JavaScript engine (Sobek) is not V8: lower newer syntax (class fields and private
    // members, logical assignment) rather than depend on how much of ES2022 a k6 release parses.
    target: 'es2020',
    external: ['k6', 'k6/*'],
    // Readable bundles: k6 reports errors by line of the file it runs.
    minify: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  };
}

/** Bundle every k6 script into `outdir`; returns esbuild's metafile (inputs, imports, sizes). */
export async function buildK6Scripts(outdir: string = DIST): Promise<Metafile> {
  const result = await build(k6BuildOptions(outdir));
  return result.metafile!;
}

if (import.meta.main) {
  buildK6Scripts().then(
    (metafile) => {
      for (const [file, output] of Object.entries(metafile.outputs)) {
        console.log(`loadtest:build: ${file} (${(output.bytes / 1024).toFixed(1)} KiB)`);
      }
    },
    (error: unknown) => {
      console.error(`loadtest:build: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
