/**
 * `npm run build:demo` (and `npm start`, through `prestart`): bundle the browser demo into
 * client-demo/dist/, which the lobby serves at `/`. One minified ES module with its source map,
 * next to a copy of index.html and style.css. The SDK and msgpackr are bundled in (msgpackr in its
 * browser build), so the page loads nothing but its own three files: the lobby's CSP allows no more.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the built demo goes (the lobby's DEMO_DIR). */
export const DEMO_DIST = join(HERE, 'dist');

/** Files served as they are. */
const STATIC_FILES = ['index.html', 'style.css'] as const;

/** Bundle the demo into `outdir`; returns esbuild's metafile (inputs and output sizes). */
export async function buildDemo(outdir: string = DEMO_DIST): Promise<Metafile> {
  const result = await build({
    absWorkingDir: HERE,
    entryPoints: { main: 'src/main.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // Browsers from the last few years: class fields and private members stay as written.
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  await mkdir(outdir, { recursive: true });
  await Promise.all(STATIC_FILES.map((file) => copyFile(join(HERE, file), join(outdir, file))));
  return result.metafile;
}

if (import.meta.main) {
  buildDemo().then(
    (metafile) => {
      for (const [file, output] of Object.entries(metafile.outputs)) {
        if (!file.endsWith('.map'))
          console.log(`build:demo: ${file} (${(output.bytes / 1024).toFixed(1)} KiB)`);
      }
    },
    (error: unknown) => {
      console.error(`build:demo: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
