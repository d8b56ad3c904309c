/**
 * One browser page bundled by esbuild, as the lobby serves them (the demo at `/`, the admin console
 * at `/admin`): one minified ES module with its source map, next to copies of the page's static
 * files, so the page loads nothing but its own files (the lobby's CSP allows no more).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

export interface BrowserPage {
  /** The page's folder: the entry point and the static files are relative to it. */
  readonly dir: string;
  /** Output name -> entry point, e.g. `{ main: 'src/main.ts' }`. */
  readonly entryPoints: Readonly<Record<string, string>>;
  /** Files copied into `outdir` as they are. */
  readonly staticFiles: readonly string[];
}

/** Bundle `page` into `outdir`; returns esbuild's metafile (inputs and output sizes). */
export async function bundleBrowserPage(page: BrowserPage, outdir: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: page.dir,
    entryPoints: { ...page.entryPoints },
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
  await Promise.all(page.staticFiles.map((file) => copyFile(join(page.dir, file), join(outdir, file))));
  return result.metafile;
}

/** The command-line side of a build script: print each output's size, or the error and exit 1. */
export function reportBuild(label: string, built: Promise<Metafile>): void {
  built.then(
    (metafile) => {
      for (const [file, output] of Object.entries(metafile.outputs)) {
        if (!file.endsWith('.map'))
          console.log(`${label}: ${file} (${(output.bytes / 1024).toFixed(1)} KiB)`);
      }
    },
    (error: unknown) => {
      console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
