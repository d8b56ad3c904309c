/**
 * `npm run build:admin` (and `npm start`, through `prestart`): bundle the admin console into
 * client-admin/dist/, which the lobby serves at `/admin`: one minified script with its source map,
 * and the stylesheet. The console page loads nothing else (the lobby's CSP allows no more).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleBrowserPage, reportBuild } from '../client-demo/browser-bundle.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the built console goes (the lobby's CONSOLE_DIR). */
export const CONSOLE_DIST = join(HERE, 'dist');

/** Bundle the console into `outdir`; returns esbuild's metafile. */
export function buildConsole(outdir: string = CONSOLE_DIST): Promise<Metafile> {
  return bundleBrowserPage(
    { dir: HERE, entryPoints: { app: 'src/main.ts' }, staticFiles: ['app.css'] },
    outdir,
  );
}

if (import.meta.main) reportBuild('build:admin', buildConsole());
