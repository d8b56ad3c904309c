/**
 * Loads uWebSockets.js's native addon, once per process, for everything that uses it (the
 * transport, the benchmark floor, tests). Where the installed binary needs a newer glibc than the
 * host's only because of its C23 imports (Debian 12: glibc 2.36), it loads a copy with those
 * imports rebound (uws-glibc-patch.ts) from `.cache/uws/` instead: node_modules stays as npm
 * installed it, and a reinstall or upgrade is patched again on the next start.
 *
 * The copy takes the original's place in Node's require cache, so `import 'uWebSockets.js'` in
 * any module evaluated after `loadUwsAddon()` resolved gets it too; uws.js (the package's own
 * wrapper) runs unchanged on top of it.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storePatchedCopy } from './patched-addon-cache.ts';
import { compareVersions, glibcRequirement, rebindC23Imports } from './uws-glibc-patch.ts';

export type UwsModule = typeof import('uWebSockets.js');

/** uWebSockets.js loaded (`patchedCopy`: the file it runs from when not the installed one), or why not. */
export type UwsAddon =
  | { readonly ok: true; readonly uws: UwsModule; readonly patchedCopy?: string }
  | { readonly ok: false; readonly reason: string };

/** The project's cache folder for patched copies (git-ignored, like all of `.cache/`). */
export const PATCHED_COPY_DIR = fileURLToPath(new URL('../../../.cache/uws/', import.meta.url));

const SILENCE_HINT = 'or set TICKFORGE_TRANSPORT=ws to silence this';
const require = createRequire(import.meta.url);

/** The steps of a load, injectable so tests can decide for any host. */
export interface AddonLoader {
  /** Load the installed addon (uWS.js's own wrapper); throws when the binary cannot load. */
  loadInstalled(): UwsModule;
  /** The installed binary for this platform, arch and Node ABI. */
  installedPath(): string;
  /** Load the patched copy at `path` in the installed one's place. */
  loadCopy(path: string, installed: string): UwsModule;
  hostGlibc(): string | undefined;
  readonly cacheDir: string;
}

/** The real steps: Node's require, and this project's `.cache/uws/`. */
export const nodeAddonLoader: AddonLoader = {
  loadInstalled: () => require('uWebSockets.js') as UwsModule,
  installedPath: () => {
    const { platform, arch, versions } = process;
    const wrapper = require.resolve('uWebSockets.js');
    return join(dirname(wrapper), `uws_${platform}_${arch}_${versions.modules}.node`);
  },
  loadCopy: (path, installed) => {
    require(path);
    // uws.js's own `require('./uws_<platform>_<arch>_<abi>.node')` now finds the copy.
    require.cache[installed] = require.cache[require.resolve(path)];
    return require('uWebSockets.js') as UwsModule;
  },
  hostGlibc,
  cacheDir: PATCHED_COPY_DIR,
};

let loading: Promise<UwsAddon> | undefined;

/** uWebSockets.js for this process: natively, else from a patched copy, else the reason. */
export function loadUwsAddon(): Promise<UwsAddon> {
  loading ??= loadAddon(nodeAddonLoader);
  return loading;
}

/** uWebSockets.js for code that cannot do without it (benchmarks, tests): throws the reason. */
export async function loadUws(): Promise<UwsModule> {
  const addon = await loadUwsAddon();
  if (!addon.ok) throw new Error(addon.reason);
  return addon.uws;
}

/** The glibc version a native load failed for, when a patched copy may help. */
export function missingGlibc(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /version `GLIBC_(\d+(?:\.\d+)+)' not found/.exec(message)?.[1];
}

/** Whether a copy that needs glibc `required` loads on a host with glibc `host`. */
export function copyFitsHost(required: string | undefined, host: string | undefined): boolean {
  return host !== undefined && (required === undefined || compareVersions(required, host) <= 0);
}

/** The host's glibc version (e.g. "2.36"), or undefined on musl, macOS and Windows. */
export function hostGlibc(): string | undefined {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime;
}

/**
 * One line an operator can act on, from the loader's multi-line error; `copyNote` says why a
 * patched copy did not help either.
 */
export function describeLoadError(error: unknown, glibc = hostGlibc(), copyNote?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const needed = missingGlibc(error);
  if (needed) {
    const host = `this host has ${glibc ?? 'no glibc'}${copyNote ? `; ${copyNote}` : ''}`;
    return `uWebSockets.js needs glibc >= ${needed} (${host}): upgrade to Debian 13 / Ubuntu 24.04, ${SILENCE_HINT}`;
  }
  if (/Cannot find module .*\.node/.test(message)) {
    const { platform, arch, versions } = process;
    return `uWebSockets.js has no binary for ${platform}-${arch} with Node ${versions.node} (ABI ${versions.modules}): use Node 24, ${SILENCE_HINT}`;
  }
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  return `uWebSockets.js failed to load (${lines.at(-1)?.trim() ?? 'unknown error'}), ${SILENCE_HINT}`;
}

/**
 * The installed addon when it loads; else, when only its glibc symbol versions stand in the way, a
 * patched copy that this host's glibc can satisfy; else the reason, as one line.
 */
export async function loadAddon(loader: AddonLoader): Promise<UwsAddon> {
  let nativeError: unknown;
  try {
    return { ok: true, uws: loader.loadInstalled() };
  } catch (error) {
    nativeError = error;
  }
  const glibc = loader.hostGlibc();
  if (missingGlibc(nativeError) === undefined)
    return { ok: false, reason: describeLoadError(nativeError, glibc) };
  try {
    const installed = loader.installedPath();
    const original = await readFile(installed);
    const patched = rebindC23Imports(original);
    const required = glibcRequirement(patched);
    if (!copyFitsHost(required, glibc)) {
      const note = `a patched copy would still need ${required}`;
      return { ok: false, reason: describeLoadError(nativeError, glibc, note) };
    }
    const copy = await storePatchedCopy(loader.cacheDir, original, basename(installed), patched);
    return { ok: true, uws: loader.loadCopy(copy.path, installed), patchedCopy: copy.path };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: describeLoadError(nativeError, glibc, `a patched copy failed: ${why}`) };
  }
}
