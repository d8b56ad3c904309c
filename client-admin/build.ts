/**
 * `npm run build:admin` (and `npm start`, through `prestart`): bundle the admin console into
 * client-admin/dist/, which the lobby serves at `/admin`: one minified script with its source map,
 * and the stylesheet. The console page loads nothing else (the lobby's CSP allows no more).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the built console goes (the lobby's CONSOLE_DIR). */
export const CONSOLE_DIST = join(HERE, 'dist');

/** Bundle the console into `outdir`; returns esbuild's metafile. */
export async function buildConsole(outdir: string = CONSOLE_DIST): Promise<Metafile> {
  const result = await build({
    absWorkingDir: HERE,
    entryPoints: { app: 'src/main.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  await mkdir(outdir, { recursive: true });
  await copyFile(join(HERE, 'app.css'), join(outdir, 'app.css'));
  return result.metafile;
}

if (import.meta.main) {
  buildConsole().then(
    (metafile) => {
      for (const [file, output] of Object.entries(metafile.outputs)) {
        if (!file.endsWith('.map'))
          console.log(`build:admin: ${file} (${(output.bytes / 1024).toFixed(1)} KiB)`);
      }
    },
    (error: unknown) => {
      console.error(`build:admin: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
