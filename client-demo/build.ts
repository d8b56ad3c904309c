/**
 * `npm run build:demo` (and `npm start`, through `prestart`): bundle the browser demo into
 * client-demo/dist/, which the lobby serves at `/`. One minified ES module with its source map,
 * next to a copy of index.html and style.css. The SDK and msgpackr are bundled in (msgpackr in its
 * browser build), so the page loads nothing but its own three files: the lobby's CSP allows no more.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleBrowserPage, reportBuild } from './browser-bundle.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the built demo goes (the lobby's DEMO_DIR). */
export const DEMO_DIST = join(HERE, 'dist');

/** Bundle the demo into `outdir`; returns esbuild's metafile (inputs and output sizes). */
export function buildDemo(outdir: string = DEMO_DIST): Promise<Metafile> {
  return bundleBrowserPage(
    { dir: HERE, entryPoints: { main: 'src/main.ts' }, staticFiles: ['index.html', 'style.css'] },
    outdir,
  );
}

if (import.meta.main) reportBuild('build:demo', buildDemo());
