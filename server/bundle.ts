/**
 * `npm run build:server` (and `npm start`, `start:game`, `start:lobby`, `start:cluster` through
 * their `pre` scripts): the server as plain JavaScript in dist/server/, so the processes users run
 * never load Node's TypeScript stripper (a WebAssembly module of its own: about 17 MiB of RSS in
 * every process and worker that loads a .ts file). `node server/main.ts` still works as before.
 *
 * esbuild bundles the project's modules; packages stay in node_modules (imported from there at run
 * time, so uWebSockets.js's addon loads as it always does). Dynamic imports stay dynamic (code
 * splitting): a node on uWebSockets.js never evaluates the ws transport, and the reverse.
 *
 * Paths stay those of the sources. Every output file sits in the one output folder, so a module's
 * `import.meta.url` is rewritten to its source file's URL, computed from the bundle's own location
 * at run time: data dirs, Redis scripts, the browser pages and `.cache/uws/` resolve as they do from
 * source, wherever the project is. `new URL('./x.ts', import.meta.url)` naming another entry point
 * (a worker's file, the process the cluster launcher starts) becomes that entry's bundle, as
 * webpack and Vite treat the same pattern.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The project's root folder. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where `npm start` runs the server from. */
export const SERVER_DIST = join(ROOT, 'dist', 'server');

/** Files a bundle starts as a thread of its own: an entry point of every build. */
const WORKERS: Readonly<Record<string, string>> = { 'outbox-writer': 'server/game/outbox-writer.ts' };

/** The processes users start: `main` (npm start and its roles), `cluster` (npm run start:cluster). */
export const SERVER_ENTRIES: Readonly<Record<string, string>> = {
  main: 'server/main.ts',
  cluster: 'server/cluster.ts',
};

/** `new URL('./x.ts', import.meta.url)` (quote, path), or any other `import.meta.url`. */
const META_URL = /new URL\((['"])(\.{1,2}\/[^'"]+\.ts)\1,\s*import\.meta\.url\)|import\.meta\.url/g;

/** A relative URL path from `from` (a folder) to `to`. */
function urlPath(from: string, to: string): string {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** Rewrites `import.meta.url` in the project's modules (see the module's comment). */
function sourceLocations(outdir: string, entries: Readonly<Record<string, string>>): Plugin {
  const bundles = new Map(
    Object.entries(entries).map(([name, file]) => [resolve(ROOT, file), `./${name}.js`]),
  );
  return {
    name: 'source-locations',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        if (path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = await readFile(path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const sourceUrl = `new URL(${JSON.stringify(urlPath(outdir, path))}, import.meta.url).href`;
        const contents = text.replace(META_URL, (match, _quote, file: string | undefined) => {
          const bundle = file === undefined ? undefined : bundles.get(resolve(dirname(path), file));
          if (bundle !== undefined) return `new URL(${JSON.stringify(bundle)}, import.meta.url)`;
          return match.replace('import.meta.url', sourceUrl);
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Bundle `entries` (output name -> source file, relative to the project root) and the workers they
 * start into `outdir`, which must be inside the project (packages are imported from its
 * node_modules). Each file is written through a temporary file and a rename, so a process starting
 * from `outdir` while another build runs reads whole files. Returns esbuild's metafile.
 */
export async function bundleServer(
  outdir: string = SERVER_DIST,
  entries: Readonly<Record<string, string>> = SERVER_ENTRIES,
): Promise<Metafile> {
  const all = { ...entries, ...WORKERS };
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: all,
    outdir,
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22.12',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [sourceLocations(outdir, all)],
  });
  await mkdir(outdir, { recursive: true });
  const written = new Set<string>();
  const suffix = `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Chunks first, entry points last: a process that starts (or a worker that loads) an entry while
  // this build writes finds every chunk that entry imports already in place.
  const chunksFirst = [...result.outputFiles].sort(
    (a, b) => Number(!basename(a.path).startsWith('chunk-')) - Number(!basename(b.path).startsWith('chunk-')),
  );
  for (const file of chunksFirst) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path + suffix, file.contents);
    await rename(file.path + suffix, file.path);
    written.add(file.path);
  }
  // Chunks of an older build (their names carry a hash of their contents).
  for (const name of await readdir(outdir)) {
    const path = join(outdir, name);
    if (/^chunk-.*\.js(\.map)?$/.test(name) && !written.has(path)) await rm(path, { force: true });
  }
  return result.metafile;
}

if (import.meta.main) {
  bundleServer().then(
    (metafile) => {
      const files = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
      const kib = files.reduce((sum, [, output]) => sum + output.bytes, 0) / 1024;
      console.log(
        `build:server: ${relative(ROOT, SERVER_DIST)}/ (${files.length} files, ${kib.toFixed(1)} KiB)`,
      );
    },
    (error: unknown) => {
      console.error(`build:server: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
