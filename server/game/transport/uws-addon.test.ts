/**
 * The load decision with every host fact injected: which path is taken for a given native load
 * outcome and glibc. Loading a real patched copy runs in test/uws-patched-addon.test.ts, in a
 * process of its own.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AddonLoader,
  copyFitsHost,
  describeLoadError,
  loadAddon,
  missingGlibc,
  type UwsModule,
} from './uws-addon.ts';
import { rebindC23Imports } from './uws-glibc-patch.ts';

const INSTALLED = join(process.cwd(), 'node_modules/uWebSockets.js/uws_linux_x64_137.node');
const GLIBC_ERROR = new Error(
  'This version of uWS.js (v20.56.0) supports only Node.js versions 20, 22, 24 and 25 on (glibc) Linux, ' +
    'macOS and Windows, on Tier 1 platforms.\n\n' +
    `Error: /lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.38' not found (required by ${INSTALLED})`,
);
const NO_BINARY = new Error(
  "This version of uWS.js ...\n\nError: Cannot find module './uws_linux_x64_999.node'\nRequire stack: ...",
);
const fakeUws = { App: () => undefined } as unknown as UwsModule;

describe('loadAddon', () => {
  let cacheDir = '';
  let calls: string[] = [];
  beforeEach(async () => {
    cacheDir = join(await mkdtemp(join(tmpdir(), 'tickforge-uws-')), 'uws');
    calls = [];
  });
  afterEach(() => rm(join(cacheDir, '..'), { recursive: true, force: true }));

  /** A loader whose native load throws `nativeError` (or succeeds), on a host with glibc `glibc`. */
  function loader(nativeError: Error | undefined, glibc: string | undefined, copyError?: Error): AddonLoader {
    return {
      loadInstalled: () => {
        calls.push('loadInstalled');
        if (nativeError) throw nativeError;
        return fakeUws;
      },
      installedPath: () => {
        calls.push('installedPath');
        return INSTALLED;
      },
      loadCopy: (path, installed) => {
        calls.push(`loadCopy ${path} for ${installed}`);
        if (copyError) throw copyError;
        return fakeUws;
      },
      hostGlibc: () => glibc,
      cacheDir,
    };
  }

  it('uses the installed addon when it loads: no copy is made', async () => {
    expect(await loadAddon(loader(undefined, '2.41'))).toEqual({ ok: true, uws: fakeUws });
    expect(calls).toEqual(['loadInstalled']);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('loads a patched copy from the cache when the installed one wants a newer glibc (Debian 12)', async () => {
    const addon = await loadAddon(loader(GLIBC_ERROR, '2.36'));
    expect(addon).toMatchObject({ ok: true, uws: fakeUws });
    const path = (addon as { patchedCopy: string }).patchedCopy;
    expect(path).toMatch(new RegExp(`^${cacheDir}/[0-9a-f]{64}/uws_linux_x64_137\\.node$`));
    expect(calls).toEqual(['loadInstalled', 'installedPath', `loadCopy ${path} for ${INSTALLED}`]);
    expect(Buffer.compare(await readFile(path), rebindC23Imports(await readFile(INSTALLED)))).toBe(0);
  });

  it('gives up with the reason, writing nothing, when even the copy needs more (Ubuntu 22.04: 2.35)', async () => {
    const addon = await loadAddon(loader(GLIBC_ERROR, '2.35'));
    expect(addon).toEqual({
      ok: false,
      reason:
        'uWebSockets.js needs glibc >= 2.38 (this host has 2.35; a patched copy would still need 2.36): ' +
        'upgrade to Debian 13 / Ubuntu 24.04, or set TICKFORGE_TRANSPORT=ws to silence this',
    });
    expect(calls).toEqual(['loadInstalled', 'installedPath']);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('does not patch for other load errors (no binary for this Node ABI)', async () => {
    const addon = await loadAddon(loader(NO_BINARY, '2.36'));
    expect(addon.ok).toBe(false);
    expect(!addon.ok && addon.reason).toMatch(/^uWebSockets.js has no binary for /);
    expect(calls).toEqual(['loadInstalled']);
  });

  it('names the copy failure in the reason when the copy does not load either', async () => {
    const addon = await loadAddon(loader(GLIBC_ERROR, '2.36', new Error('cannot open shared object')));
    expect(!addon.ok && addon.reason).toBe(
      'uWebSockets.js needs glibc >= 2.38 (this host has 2.36; a patched copy failed: cannot open shared ' +
        'object): upgrade to Debian 13 / Ubuntu 24.04, or set TICKFORGE_TRANSPORT=ws to silence this',
    );
  });

  it('names the copy failure when the cache folder cannot be written', async () => {
    const file = join(cacheDir, '..', 'a-file');
    await writeFile(file, 'not a folder');
    const addon = await loadAddon({ ...loader(GLIBC_ERROR, '2.36'), cacheDir: join(file, 'uws') });
    expect(!addon.ok && addon.reason).toMatch(/\(this host has 2\.36; a patched copy failed: ENOTDIR/);
    expect(calls).toEqual(['loadInstalled', 'installedPath']);
  });
});

describe('the decision pieces', () => {
  it('missingGlibc reads the version the dynamic loader asked for', () => {
    expect(missingGlibc(GLIBC_ERROR)).toBe('2.38');
    expect(missingGlibc(NO_BINARY)).toBeUndefined();
    expect(missingGlibc("version `GLIBC_2.2.5' not found")).toBe('2.2.5');
  });

  it('copyFitsHost compares the copy’s requirement with the host’s glibc', () => {
    expect(copyFitsHost('2.36', '2.36')).toBe(true);
    expect(copyFitsHost('2.36', '2.41')).toBe(true);
    expect(copyFitsHost('2.36', '2.35')).toBe(false);
    expect(copyFitsHost('2.36', undefined)).toBe(false); // musl: no glibc at all
  });

  it('describeLoadError keeps the plain glibc reason when no copy was tried', () => {
    expect(describeLoadError(GLIBC_ERROR, '2.36')).toBe(
      'uWebSockets.js needs glibc >= 2.38 (this host has 2.36): upgrade to Debian 13 / Ubuntu 24.04, ' +
        'or set TICKFORGE_TRANSPORT=ws to silence this',
    );
  });
});
