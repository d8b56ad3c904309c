/**
 * Rebinds uWebSockets.js's C23 imports to their C99 equivalents so its Linux addon loads on glibc
 * 2.36 (Debian 12). The prebuilt addon asks for GLIBC_2.38 only because it was compiled against
 * C23 headers, which redirect `strtol`, `strtoul` and `sscanf` to `__isoc23_*` variants. Those
 * differ from the C99 ones only in accepting a `0b` binary prefix (base 0/2, `%i`/`%b`), and the
 * addon calls them with base 10 (UWS_HTTP_MAX_HEADERS_SIZE, LSQUIC_LOG_SECRETS), base 0
 * (libstdc++'s GLIBCXX_TUNABLES) and "%lu"/"%lx" (BoringSSL's OPENSSL_ia32cap): all environment
 * variables, none touched by network input.
 *
 * The edit changes no sizes and moves nothing. Each import's st_name is pointed at its new name,
 * reusing bytes already in `.dynstr` (`strtol` is a suffix of `__isoc23_strtol`) or rewriting the
 * old name in place when no other reference shares those bytes. Its `.gnu.version` entry is pointed
 * at the target version when the library's Verneed already lists it; otherwise the Vernaux it
 * leaves (GLIBC_2.38) is renamed to the target (name and ELF hash). A Vernaux no symbol uses any
 * more is unlinked from its chain, so no requirement above what the remaining imports need is left.
 * Imports are never in the hash tables (those index what an object defines), so they need no update.
 */
import {
  type DynamicSymbol,
  type DynamicTables,
  ElfFormatError,
  EM_AARCH64,
  EM_X86_64,
  type NeededLibrary,
  type NeededVersion,
  readDynamicTables,
  stringAt,
  versionIndexOf,
} from './elf-dynamic.ts';

/** One import to rebind: symbol `from` becomes `to` at `version` of the same library. */
export interface ImportRebinding {
  readonly from: string;
  readonly to: string;
  readonly version: string;
}

/** The C23 imports and their C99 twins; glibc's oldest version of each differs per architecture. */
export function c23Rebindings(machine: number): readonly ImportRebinding[] {
  const [base, c99] =
    machine === EM_X86_64
      ? ['GLIBC_2.2.5', 'GLIBC_2.7']
      : machine === EM_AARCH64
        ? ['GLIBC_2.17', 'GLIBC_2.17']
        : [];
  if (base === undefined || c99 === undefined) throw new ElfFormatError(`unsupported ELF machine ${machine}`);
  return [
    { from: '__isoc23_strtol', to: 'strtol', version: base },
    { from: '__isoc23_strtoul', to: 'strtoul', version: base },
    { from: '__isoc23_sscanf', to: '__isoc99_sscanf', version: c99 },
  ];
}

/** A copy of `original` with its C23 imports rebound (`c23Rebindings`); `original` is untouched. */
export function rebindC23Imports(original: Uint8Array): Uint8Array {
  // A copy (Buffer#slice would share memory); unzeroed, as every byte is overwritten at once.
  const bytes = Buffer.allocUnsafeSlow(original.length);
  bytes.set(original);
  const tables = readDynamicTables(bytes);
  new ImportEditor(bytes, tables).rebind(c23Rebindings(tables.machine));
  return bytes;
}

/** The highest GLIBC_x.y the object asks for, or undefined when it asks for none. */
export function glibcRequirement(bytes: Uint8Array): string | undefined {
  let highest: string | undefined;
  for (const library of readDynamicTables(bytes).libraries) {
    for (const { name } of library.versions) {
      const version = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(name)?.[1];
      if (version && (highest === undefined || compareVersions(version, highest) > 0)) highest = version;
    }
  }
  return highest;
}

/** Numeric comparison of dotted versions: "2.10" > "2.9", "2.2.5" < "2.3". */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The System V ELF hash that Vernaux.vna_hash holds. */
export function elfHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) {
    h = ((h << 4) + name.charCodeAt(i)) >>> 0;
    const g = h & 0xf0000000;
    if (g !== 0) h ^= g >>> 24;
    h &= ~g;
  }
  return h >>> 0;
}

interface Move {
  readonly symbol: DynamicSymbol;
  readonly rule: ImportRebinding;
  readonly library: NeededLibrary;
  readonly from: NeededVersion;
}

/** Applies rebindings to one object's bytes in place. */
class ImportEditor {
  readonly #bytes: Uint8Array;
  readonly #dv: DataView;
  readonly #tables: DynamicTables;
  /** How many references each `.dynstr` offset has; kept current as names move. */
  readonly #refs = new Map<number, number>();

  constructor(bytes: Uint8Array, tables: DynamicTables) {
    this.#bytes = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#tables = tables;
    for (const ref of tables.stringRefs) this.#refs.set(ref, (this.#refs.get(ref) ?? 0) + 1);
  }

  rebind(rules: readonly ImportRebinding[]): void {
    const moves = rules.flatMap((rule) => this.#move(rule));
    for (const move of moves) {
      this.#dv.setUint32(move.symbol.offset, this.#intern(move.rule.to, move.symbol.nameOffset), true);
    }
    const moved = new Set(moves.map((move) => move.symbol.index));
    const inUse = new Set(
      this.#tables.symbols
        .filter((s) => !moved.has(s.index))
        .map((s) => versionIndexOf(this.#bytes, this.#tables, s.index)),
    );
    const stillUsed = (version: NeededVersion) => inUse.has(version.index);
    // Versions left behind that must become another (the library lists no entry for the target).
    const becomes = new Map<NeededVersion, string>();
    for (const move of moves) {
      const target = move.library.versions.find((v) => v.name === move.rule.version);
      if (target) {
        this.#setVersion(move.symbol, target.index);
        continue;
      }
      const claimed = becomes.get(move.from);
      if (stillUsed(move.from) || (claimed !== undefined && claimed !== move.rule.version)) {
        throw new ElfFormatError(`no free version entry to bind ${move.rule.to}@${move.rule.version}`);
      }
      becomes.set(move.from, move.rule.version);
    }
    for (const [version, name] of becomes) this.#renameVersion(version, name);
    for (const from of new Set(moves.map((move) => move.from))) {
      if (!becomes.has(from) && !stillUsed(from)) this.#unlink(from);
    }
  }

  /** The move for `rule`, or none when the object does not import `rule.from`. */
  #move(rule: ImportRebinding): Move[] {
    const symbol = this.#tables.symbols.find((s) => s.name === rule.from);
    if (!symbol) return [];
    if (symbol.defined) throw new ElfFormatError(`${rule.from} is defined here, not imported`);
    const index = versionIndexOf(this.#bytes, this.#tables, symbol.index);
    for (const library of this.#tables.libraries) {
      const from = library.versions.find((v) => v.index === index);
      if (from) return [{ symbol, rule, library, from }];
    }
    throw new ElfFormatError(`${rule.from} has no needed version to rebind`);
  }

  #setVersion(symbol: DynamicSymbol, index: number): void {
    const at = this.#tables.versymOffset + 2 * symbol.index;
    this.#dv.setUint16(at, (this.#dv.getUint16(at, true) & 0x8000) | index, true);
  }

  #renameVersion(version: NeededVersion, name: string): void {
    this.#dv.setUint32(version.offset + 8, this.#intern(name, version.nameOffset), true);
    this.#dv.setUint32(version.offset, elfHash(name), true);
    this.#dv.setUint16(version.offset + 4, 0, true); // vna_flags: neither weak nor base
  }

  /** Drop `version` from its library's Vernaux chain; its 16 bytes stay, unreferenced. */
  #unlink(version: NeededVersion): void {
    // Read the chain afresh: an earlier unlink may have changed it.
    const library = readDynamicTables(this.#bytes).libraries.find((l) =>
      l.versions.some((v) => v.offset === version.offset),
    )!;
    const position = library.versions.findIndex((v) => v.offset === version.offset);
    if (library.versions.length === 1) throw new ElfFormatError(`${library.file} would need no version`);
    const next = this.#dv.getUint32(version.offset + 12, true);
    if (position === 0) {
      this.#dv.setUint32(library.offset + 8, this.#dv.getUint32(library.offset + 8, true) + next, true);
    } else {
      const previous = library.versions[position - 1]!;
      this.#dv.setUint32(
        previous.offset + 12,
        next === 0 ? 0 : version.offset + next - previous.offset,
        true,
      );
    }
    this.#dv.setUint16(library.offset + 2, library.versions.length - 1, true);
  }

  /**
   * A `.dynstr` offset holding `name`: an existing NUL-terminated occurrence (a suffix of another
   * string counts), else the string at `leaving`, rewritten in place when `name` fits and no other
   * reference reads the bytes that change. Moves one reference from `leaving` to the result.
   */
  #intern(name: string, leaving: number): number {
    const { dynstr } = this.#tables;
    const wanted = Buffer.from(`${name}\0`, 'latin1');
    const table = this.#bytes.subarray(dynstr.offset, dynstr.offset + dynstr.size);
    let at = Buffer.from(table.buffer, table.byteOffset, table.byteLength).indexOf(wanted);
    if (at < 0) {
      const old = stringAt(this.#bytes, dynstr, leaving);
      if (name.length > old.length) throw new ElfFormatError(`no room for ${name} in place of ${old}`);
      const [first, last] = changedRange(wanted, table.subarray(leaving, leaving + wanted.length));
      // A reference reads up to its NUL: it sees a changed byte if it starts after the last NUL
      // before the first change and at or before the last change.
      const after = table.lastIndexOf(0, leaving + first - 1);
      const sharedBy = [...this.#refs].find(
        ([ref, count]) => (ref !== leaving || count > 1) && ref > after && ref <= leaving + last,
      );
      if (sharedBy) throw new ElfFormatError(`${old} shares its bytes with another name; cannot rewrite it`);
      table.set(wanted, leaving);
      at = leaving;
    }
    this.#count(leaving, -1);
    this.#count(at, +1);
    return at;
  }

  #count(ref: number, delta: number): void {
    const count = (this.#refs.get(ref) ?? 0) + delta;
    if (count > 0) this.#refs.set(ref, count);
    else this.#refs.delete(ref);
  }
}

/** First and last index where `a` and `b` (of equal length) differ. */
function changedRange(a: Uint8Array, b: Uint8Array): [number, number] {
  let first = 0;
  while (a[first] === b[first]) first++;
  let last = a.length - 1;
  while (a[last] === b[last]) last--;
  return [first, last];
}
