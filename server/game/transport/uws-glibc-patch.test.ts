import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamicTables, ElfFormatError, readDynamicTables, versionIndexOf } from './elf-dynamic.ts';
import { compareVersions, elfHash, glibcRequirement, rebindC23Imports } from './uws-glibc-patch.ts';

/** The real addons as npm installed them (Node 24's ABI); both are little-endian ELF64. */
const ADDONS = {
  x64: 'node_modules/uWebSockets.js/uws_linux_x64_137.node',
  arm64: 'node_modules/uWebSockets.js/uws_linux_arm64_137.node',
} as const;
const original = {
  x64: readFileSync(ADDONS.x64),
  arm64: readFileSync(ADDONS.arm64),
};

/** `name@VERSION` of every dynamic symbol, in table order (VERSION empty when unversioned). */
function importsOf(bytes: Uint8Array): string[] {
  const tables = readDynamicTables(bytes);
  const names = versionNames(tables);
  return tables.symbols.map((s) => `${s.name}@${names.get(versionIndexOf(bytes, tables, s.index)) ?? ''}`);
}

function versionNames(tables: DynamicTables): Map<number, string> {
  return new Map(tables.libraries.flatMap((l) => l.versions.map((v) => [v.index, v.name] as const)));
}

/** `old@V -> new@W` for each dynamic symbol whose name or version differs, sorted. */
function rebound(before: Uint8Array, after: Uint8Array): string[] {
  const was = importsOf(before);
  const is = importsOf(after);
  return was.flatMap((entry, i) => (entry === is[i] ? [] : [`${entry} -> ${is[i]}`])).sort();
}

/** The `.gnu.version` index of the GLIBC_2.38 requirement. */
function glibc238(tables: DynamicTables): number {
  return [...versionNames(tables)].find(([, name]) => name === 'GLIBC_2.38')![0];
}

/** Offsets at which `a` and `b` (same length) differ. */
function changedOffsets(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('rebindC23Imports on the x64 addon', () => {
  const patched = rebindC23Imports(original.x64);

  it('rebinds the three C23 imports to strtol, strtoul@GLIBC_2.2.5 and __isoc99_sscanf@GLIBC_2.7', () => {
    expect(rebound(original.x64, patched)).toEqual([
      '__isoc23_sscanf@GLIBC_2.38 -> __isoc99_sscanf@GLIBC_2.7',
      '__isoc23_strtol@GLIBC_2.38 -> strtol@GLIBC_2.2.5',
      '__isoc23_strtoul@GLIBC_2.38 -> strtoul@GLIBC_2.2.5',
    ]);
  });

  it('leaves GLIBC_2.36 (arc4random) as the highest requirement, where it was 2.38', () => {
    expect(glibcRequirement(original.x64)).toBe('2.38');
    expect(glibcRequirement(patched)).toBe('2.36');
    expect(importsOf(patched).filter((entry) => /@GLIBC_2\.3[6-9]$/.test(entry))).toEqual([
      'arc4random@GLIBC_2.36',
    ]);
  });

  it('changes only st_name, .gnu.version and Vernaux fields and the renamed strings, in a same-size file', () => {
    expect(patched.length).toBe(original.x64.length);
    const tables = readDynamicTables(original.x64);
    const moved = tables.symbols.filter((s) => s.name.startsWith('__isoc23_'));
    const v238 = tables.libraries.flatMap((l) => l.versions).find((v) => v.name === 'GLIBC_2.38')!;
    const allowed = [
      ...moved.map((s) => [s.offset, s.offset + 4]), // st_name
      ...moved.map((s) => [tables.versymOffset + 2 * s.index, tables.versymOffset + 2 * s.index + 2]),
      [v238.offset, v238.offset + 16], // the Vernaux that becomes GLIBC_2.7
      ...moved.map((s) => [tables.dynstr.offset + s.nameOffset, tables.dynstr.offset + s.nameOffset + 16]),
      [tables.dynstr.offset + v238.nameOffset, tables.dynstr.offset + v238.nameOffset + 11],
    ];
    const stray = changedOffsets(original.x64, patched).filter(
      (at) => !allowed.some(([from, to]) => at >= from! && at < to!),
    );
    expect(stray).toEqual([]);
    expect(changedOffsets(original.x64, patched).length).toBeLessThanOrEqual(16);
  });

  it('writes the ELF hash the linker would for GLIBC_2.7, and agrees with every hash the linker wrote', () => {
    const after = readDynamicTables(patched);
    const view = new DataView(patched.buffer, patched.byteOffset, patched.byteLength);
    for (const version of after.libraries.flatMap((l) => l.versions)) {
      expect(view.getUint32(version.offset, true), version.name).toBe(elfHash(version.name));
    }
    expect(after.libraries.flatMap((l) => l.versions).map((v) => v.name)).toContain('GLIBC_2.7');
  });

  it('leaves the original bytes alone and is idempotent', () => {
    expect(Buffer.compare(original.x64, readFileSync(ADDONS.x64))).toBe(0);
    expect(Buffer.compare(rebindC23Imports(patched), patched)).toBe(0);
  });
});

describe('rebindC23Imports on the arm64 addon', () => {
  const patched = rebindC23Imports(original.arm64);

  it('rebinds strtol and strtoul to GLIBC_2.17 and unlinks the GLIBC_2.38 entry nobody needs', () => {
    expect(rebound(original.arm64, patched)).toEqual([
      '__isoc23_strtol@GLIBC_2.38 -> strtol@GLIBC_2.17',
      '__isoc23_strtoul@GLIBC_2.38 -> strtoul@GLIBC_2.17',
    ]);
    const libc = readDynamicTables(patched).libraries.find((l) => l.file === 'libc.so.6')!;
    expect(libc.versions.map((v) => v.name)).not.toContain('GLIBC_2.38');
    expect(libc.versions).toHaveLength(8);
    expect(glibcRequirement(patched)).toBe('2.36');
  });
});

describe('every Linux addon in the package', () => {
  const dir = 'node_modules/uWebSockets.js';
  const addons = readdirSync(dir).filter((name) => /^uws_linux_.*\.node$/.test(name));

  it('patches down to GLIBC_2.36 (Node 20 to 25, x64 and arm64)', () => {
    expect(addons.length).toBeGreaterThanOrEqual(8);
    const requirements = addons.map((name) => {
      const bytes = readFileSync(join(dir, name));
      return `${name}: ${glibcRequirement(bytes)} -> ${glibcRequirement(rebindC23Imports(bytes))}`;
    });
    expect(requirements).toEqual(addons.map((name) => `${name}: 2.38 -> 2.36`));
  });
});

describe('what readelf sees', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickforge-elf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const readelf = (bytes: Uint8Array, name: string, ...flags: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return execFileSync('readelf', ['-W', ...flags, file], { encoding: 'utf8' }).replaceAll(file, name);
  };

  for (const arch of ['x64', 'arm64'] as const) {
    it(`${arch}: the dynamic symbol table differs only in the rebound imports; no GLIBC_2.38 is left`, () => {
      const before = readelf(original[arch], 'addon.node', '--dyn-syms').split('\n');
      const patched = rebindC23Imports(original[arch]);
      const after = readelf(patched, 'addon.node', '--dyn-syms').split('\n');
      expect(after).toHaveLength(before.length);
      const changed = after.filter((line, i) => line !== before[i]);
      expect(changed.map((line) => line.split(/\s+/).at(-2)).sort()).toEqual(
        arch === 'x64'
          ? ['__isoc99_sscanf@GLIBC_2.7', 'strtol@GLIBC_2.2.5', 'strtoul@GLIBC_2.2.5']
          : ['strtol@GLIBC_2.17', 'strtoul@GLIBC_2.17'],
      );
      const versions = readelf(patched, 'addon.node', '-V');
      expect(versions).not.toContain('GLIBC_2.38');
      expect(versions).toContain('GLIBC_2.36');
    });
  }
});

describe('rebindC23Imports refuses an edit it cannot make safely', () => {
  /** A copy of the x64 addon with `edit` applied to its symbol table first. */
  function edited(edit: (view: DataView, tables: DynamicTables) => void): Uint8Array {
    const bytes = new Uint8Array(original.x64.length);
    bytes.set(original.x64);
    edit(new DataView(bytes.buffer), readDynamicTables(bytes));
    return bytes;
  }

  it('when another name shares the bytes of __isoc23_sscanf that would change', () => {
    const bytes = edited((view, tables) => {
      const sscanf = tables.symbols.find((s) => s.name === '__isoc23_sscanf')!;
      const other = tables.symbols.find((s) => s.name === 'arc4random')!;
      view.setUint32(other.offset, sscanf.nameOffset + 2, true); // "isoc23_sscanf"
    });
    expect(() => rebindC23Imports(bytes)).toThrow(/shares its bytes/);
  });

  it('but not when the sharer reads only unchanged bytes ("sscanf")', () => {
    const bytes = edited((view, tables) => {
      const sscanf = tables.symbols.find((s) => s.name === '__isoc23_sscanf')!;
      const other = tables.symbols.find((s) => s.name === 'arc4random')!;
      view.setUint32(other.offset, sscanf.nameOffset + 9, true);
    });
    expect(importsOf(rebindC23Imports(bytes))).toContain('__isoc99_sscanf@GLIBC_2.7');
  });

  it('when another import still needs GLIBC_2.38, whose entry would have become GLIBC_2.7', () => {
    const bytes = edited((view, tables) => {
      const other = tables.symbols.find((s) => s.name === 'arc4random')!;
      view.setUint16(tables.versymOffset + 2 * other.index, glibc238(tables), true);
    });
    expect(() => rebindC23Imports(bytes)).toThrow(/no free version entry/);
  });

  it('keeps a GLIBC_2.38 entry that another import still needs (arm64), so the copy still asks for 2.38', () => {
    const bytes = new Uint8Array(original.arm64.length);
    bytes.set(original.arm64);
    const tables = readDynamicTables(bytes);
    const other = tables.symbols.find((s) => s.name === 'arc4random')!;
    new DataView(bytes.buffer).setUint16(tables.versymOffset + 2 * other.index, glibc238(tables), true);
    expect(glibcRequirement(rebindC23Imports(bytes))).toBe('2.38');
  });

  it('when the bytes are not a 64-bit little-endian ELF file, or are cut short', () => {
    expect(() => rebindC23Imports(Buffer.from('not an addon'))).toThrow(ElfFormatError);
    expect(() => rebindC23Imports(original.x64.subarray(0, 4096))).toThrow(ElfFormatError);
    const big = Buffer.from(original.x64.subarray(0, 64));
    big[5] = 2; // big-endian
    expect(() => rebindC23Imports(big)).toThrow(/64-bit little-endian/);
  });
});

describe('compareVersions', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.10', '2.9')).toBeGreaterThan(0);
    expect(compareVersions('2.2.5', '2.3')).toBeLessThan(0);
    expect(compareVersions('2.36', '2.36')).toBe(0);
    expect(compareVersions('2.38', '2.36')).toBeGreaterThan(0);
  });
});
