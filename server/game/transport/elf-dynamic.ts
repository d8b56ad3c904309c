/**
 * Reads the parts of a 64-bit little-endian ELF shared object that decide which versioned symbols
 * it imports: `.dynsym`, `.dynstr`, `.gnu.version` and `.gnu.version_r` (plus the string
 * references in `.dynamic` and `.gnu.version_d`, so an editor knows which string bytes are shared).
 * Every offset is checked against the file before it is read; a malformed file throws
 * `ElfFormatError`, never a bare RangeError.
 */

/** The bytes are not an ELF file this reader understands. */
export class ElfFormatError extends Error {
  readonly code = 'elf_format';

  constructor(message: string) {
    super(message);
    this.name = 'ElfFormatError';
  }
}

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

const SHT_STRTAB = 3;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
/** `.dynamic` tags whose value is an offset into the dynamic string table. */
const DT_STRING_TAGS = new Set([1n /* NEEDED */, 14n /* SONAME */, 15n /* RPATH */, 29n /* RUNPATH */]);
const SYM_SIZE = 24;
const VERNEED_SIZE = 16;
const VERNAUX_SIZE = 16;

/** One entry of `.dynsym`. `defined` is false for imports (st_shndx == SHN_UNDEF). */
export interface DynamicSymbol {
  readonly index: number;
  /** File offset of the entry; st_name is its first 4 bytes. */
  readonly offset: number;
  readonly nameOffset: number;
  readonly name: string;
  readonly defined: boolean;
}

/** One Vernaux: a version the object needs from a library; `index` is what `.gnu.version` holds. */
export interface NeededVersion {
  readonly offset: number;
  readonly name: string;
  readonly nameOffset: number;
  readonly index: number;
}

/** One Verneed: a library and the versions needed from it, in chain order. */
export interface NeededLibrary {
  readonly offset: number;
  readonly file: string;
  readonly versions: readonly NeededVersion[];
}

/** A section's place in the file. */
export interface SectionRange {
  readonly offset: number;
  readonly size: number;
}

export interface DynamicTables {
  readonly machine: number;
  readonly dynstr: SectionRange;
  readonly symbols: readonly DynamicSymbol[];
  /** File offset of `.gnu.version`: one u16 per symbol, in `.dynsym` order. */
  readonly versymOffset: number;
  readonly libraries: readonly NeededLibrary[];
  /** Every `.dynstr` offset something points at (symbols, versions, libraries, `.dynamic`). */
  readonly stringRefs: readonly number[];
}

interface Section extends SectionRange {
  readonly type: number;
  readonly link: number;
  readonly info: number;
}

/** The version index `.gnu.version` gives symbol `symbolIndex` (the hidden bit masked off). */
export function versionIndexOf(bytes: Uint8Array, tables: DynamicTables, symbolIndex: number): number {
  return view(bytes).getUint16(tables.versymOffset + 2 * symbolIndex, true) & 0x7fff;
}

/** The NUL-terminated string at `at` inside `range`. */
export function stringAt(bytes: Uint8Array, range: SectionRange, at: number): string {
  const start = range.offset + at;
  const end = bytes.indexOf(0, start);
  if (at < 0 || at >= range.size || end < 0 || end >= range.offset + range.size) {
    throw new ElfFormatError(`string offset ${at} is outside the string table`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Parse the dynamic symbol and version tables of an ELF64 little-endian shared object. */
export function readDynamicTables(bytes: Uint8Array): DynamicTables {
  const dv = view(bytes);
  if (bytes.length < 64 || dv.getUint32(0, false) !== 0x7f454c46) throw new ElfFormatError('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfFormatError('not a 64-bit little-endian ELF file');
  const sections = readSections(bytes, dv);
  const dynsym = only(sections, SHT_DYNSYM, '.dynsym');
  const versym = only(sections, SHT_GNU_VERSYM, '.gnu.version');
  const verneed = only(sections, SHT_GNU_VERNEED, '.gnu.version_r');
  const dynstr = sections[dynsym.link];
  if (dynstr?.type !== SHT_STRTAB) throw new ElfFormatError('.dynsym does not link to a string table');
  const count = Math.floor(dynsym.size / SYM_SIZE);
  if (versym.size < 2 * count) throw new ElfFormatError('.gnu.version is shorter than .dynsym');

  const symbols: DynamicSymbol[] = [];
  const stringRefs: number[] = [];
  for (let index = 0; index < count; index++) {
    const offset = dynsym.offset + index * SYM_SIZE;
    const nameOffset = dv.getUint32(offset, true);
    const defined = dv.getUint16(offset + 6, true) !== 0;
    symbols.push({ index, offset, nameOffset, name: stringAt(bytes, dynstr, nameOffset), defined });
    stringRefs.push(nameOffset);
  }
  const libraries = readNeeds(bytes, dv, verneed, dynstr);
  for (const library of libraries) {
    stringRefs.push(dv.getUint32(library.offset + 4, true));
    for (const version of library.versions) stringRefs.push(version.nameOffset);
  }
  for (const section of sections) {
    if (section.type === SHT_DYNAMIC && section.link === dynsym.link)
      stringRefs.push(...dynamicRefs(dv, section));
    if (section.type === SHT_GNU_VERDEF && section.link === dynsym.link)
      stringRefs.push(...definitionRefs(dv, section));
  }
  return {
    machine: dv.getUint16(18, true),
    dynstr: { offset: dynstr.offset, size: dynstr.size },
    symbols,
    versymOffset: versym.offset,
    libraries,
    stringRefs,
  };
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readSections(bytes: Uint8Array, dv: DataView): Section[] {
  const shoff = Number(dv.getBigUint64(40, true));
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  if (shentsize !== 64 || shoff + shnum * shentsize > bytes.length) {
    throw new ElfFormatError('section header table is missing or outside the file');
  }
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const type = dv.getUint32(at + 4, true);
    const offset = Number(dv.getBigUint64(at + 24, true));
    const size = Number(dv.getBigUint64(at + 32, true));
    if (type !== 8 /* NOBITS */ && offset + size > bytes.length) {
      throw new ElfFormatError(`section ${i} lies outside the file`);
    }
    sections.push({
      type,
      offset,
      size,
      link: dv.getUint32(at + 40, true),
      info: dv.getUint32(at + 44, true),
    });
  }
  return sections;
}

function only(sections: readonly Section[], type: number, name: string): Section {
  const found = sections.filter((section) => section.type === type);
  if (found.length !== 1) throw new ElfFormatError(`expected one ${name} section, found ${found.length}`);
  return found[0]!;
}

/** Walk the Verneed chain (sh_info entries) and each one's Vernaux chain. */
function readNeeds(bytes: Uint8Array, dv: DataView, verneed: Section, dynstr: Section): NeededLibrary[] {
  const end = verneed.offset + verneed.size;
  const libraries: NeededLibrary[] = [];
  let at = verneed.offset;
  for (let n = 0; n < verneed.info; n++) {
    if (at + VERNEED_SIZE > end) throw new ElfFormatError('a Verneed entry lies outside .gnu.version_r');
    const versions: NeededVersion[] = [];
    let aux = at + dv.getUint32(at + 8, true);
    for (let k = dv.getUint16(at + 2, true); k > 0; k--) {
      if (aux + VERNAUX_SIZE > end) throw new ElfFormatError('a Vernaux entry lies outside .gnu.version_r');
      const nameOffset = dv.getUint32(aux + 8, true);
      const index = dv.getUint16(aux + 6, true);
      versions.push({ offset: aux, name: stringAt(bytes, dynstr, nameOffset), nameOffset, index });
      aux += dv.getUint32(aux + 12, true);
    }
    libraries.push({ offset: at, file: stringAt(bytes, dynstr, dv.getUint32(at + 4, true)), versions });
    const next = dv.getUint32(at + 12, true);
    if (next === 0) break;
    at += next;
  }
  return libraries;
}

function dynamicRefs(dv: DataView, dynamic: Section): number[] {
  const refs: number[] = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = dv.getBigInt64(at, true);
    if (tag === 0n) break;
    if (DT_STRING_TAGS.has(tag)) refs.push(Number(dv.getBigUint64(at + 8, true)));
  }
  return refs;
}

/** Name offsets of every Verdaux (a library's own version definitions). */
function definitionRefs(dv: DataView, verdef: Section): number[] {
  const refs: number[] = [];
  const end = verdef.offset + verdef.size;
  let at = verdef.offset;
  for (let n = 0; n < verdef.info && at + 20 <= end; n++) {
    let aux = at + dv.getUint32(at + 12, true);
    for (let k = dv.getUint16(at + 6, true); k > 0 && aux + 8 <= end; k--) {
      refs.push(dv.getUint32(aux, true));
      aux += dv.getUint32(aux + 4, true);
    }
    const next = dv.getUint32(at + 16, true);
    if (next === 0) break;
    at += next;
  }
  return refs;
}
