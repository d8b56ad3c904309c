/**
 * The msgpack codec every Tickforge message goes through. One configured msgpackr instance producing
 * plain msgpack (no records, no bundled strings, no msgpackr-only extensions) so that any msgpack
 * decoder, in any language, can read the protocol.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({
  // Plain msgpack maps instead of msgpackr's record extension; decoded maps become plain objects.
  useRecords: false,
  mapsAsObjects: true,
  // fixmap for small objects instead of always map16: a few bytes per object on every frame.
  variableMapSize: true,
  // msgpackr's default for undefined is an extension (0xd4 0x00 0x00) that plain decoders reject.
  encodeUndefinedAsNil: true,
  // Ids and ticks past 2^32 arrive as uint64; they must be numbers, not bigints.
  int64AsType: 'number',
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
});

/** Why bytes were refused: not msgpack at all, or msgpack that is not a protocol message. */
export type DecodeErrorCode = 'invalid_msgpack' | 'not_an_array';

/** The only error `decodeMessage` throws; the transport maps `code` to close code 1007 or 1002. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;

  constructor(code: DecodeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Encode one message (`[MessageType, ...fields]`). Values must be nil, booleans, numbers, strings,
 * Uint8Arrays, arrays or plain objects: anything else would need an extension peers cannot read.
 * Integral numbers travel as msgpack ints, so -0 arrives as 0.
 */
export function encodeMessage(msg: readonly unknown[]): Uint8Array {
  return packr.pack(msg);
}

/** Encode any single value (a message part encoded once and spliced into many frames). */
export function encodeValue(v: unknown): Uint8Array {
  return packr.pack(v);
}

/**
 * Decode exactly one message: a non-empty array whose first element (the message type) is an
 * integer. Throws DecodeError, and nothing else, on any other input.
 */
export function decodeMessage(bytes: Uint8Array): unknown[] {
  const problem = checkPlainMsgpack(bytes);
  if (problem !== null) throw new DecodeError('invalid_msgpack', problem);
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (cause) {
    // Not expected after the scan; kept so a msgpackr quirk can never surface as another error type.
    throw new DecodeError('invalid_msgpack', 'msgpack could not be decoded', { cause });
  }
  if (!Array.isArray(value) || value.length === 0 || !Number.isInteger(value[0])) {
    throw new DecodeError(
      'not_an_array',
      'a message must be a non-empty array starting with an integer type',
    );
  }
  return value;
}

/**
 * Decode exactly one msgpack value that is part of a message (INPUT's input, read by the node's
 * fast path without decoding the envelope). Throws DecodeError('invalid_msgpack') on anything else.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  const problem = checkPlainMsgpack(bytes);
  if (problem !== null) throw new DecodeError('invalid_msgpack', problem);
  try {
    return packr.unpack(bytes);
  } catch (cause) {
    throw new DecodeError('invalid_msgpack', 'msgpack could not be decoded', { cause });
  }
}

/** Deepest nesting a message may use; protocol messages need far less, and the decoder recurses. */
const MAX_DEPTH = 64;

/** Values still to read at each open nesting level; reused so scanning allocates nothing. */
const pending: number[] = [];

/**
 * Walk the bytes as msgpack without building values: exactly one value, every length within the
 * input, no extension types and no 0xc1. msgpackr alone would accept 0xc1 (as a marker object) and
 * its own extensions (Set, Error, RegExp, records...), none of which belong in this protocol.
 * Returns what is wrong, or null.
 */
function checkPlainMsgpack(b: Uint8Array): string | null {
  const end = b.length;
  let pos = 0;
  pending.length = 0;
  pending.push(1);
  while (pending.length > 0) {
    const top = pending.length - 1;
    const left = pending[top]!;
    if (left === 0) {
      pending.pop();
      continue;
    }
    pending[top] = left - 1;
    if (pos >= end) return `truncated at byte ${pos}`;
    const token = b[pos++]!;
    let skip = 0;
    let children = 0;
    if (token < 0x80 || token >= 0xe0) {
      // positive or negative fixint
    } else if (token < 0x90) {
      children = (token & 0x0f) * 2;
    } else if (token < 0xa0) {
      children = token & 0x0f;
    } else if (token < 0xc0) {
      skip = token & 0x1f;
    } else {
      let field = 0; // bytes of a length or count field that follows the token
      let perItem = 0; // 0: the length counts payload bytes; 1: array items; 2: map entries
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          break;
        case 0xcc: // uint8
        case 0xd0: // int8
          skip = 1;
          break;
        case 0xcd: // uint16
        case 0xd1: // int16
          skip = 2;
          break;
        case 0xca: // float32
        case 0xce: // uint32
        case 0xd2: // int32
          skip = 4;
          break;
        case 0xcb: // float64
        case 0xcf: // uint64
        case 0xd3: // int64
          skip = 8;
          break;
        case 0xc4: // bin8
        case 0xd9: // str8
          field = 1;
          break;
        case 0xc5: // bin16
        case 0xda: // str16
          field = 2;
          break;
        case 0xc6: // bin32
        case 0xdb: // str32
          field = 4;
          break;
        case 0xdc: // array16
          field = 2;
          perItem = 1;
          break;
        case 0xdd: // array32
          field = 4;
          perItem = 1;
          break;
        case 0xde: // map16
          field = 2;
          perItem = 2;
          break;
        case 0xdf: // map32
          field = 4;
          perItem = 2;
          break;
        default: // 0xc1 (never used) and the extension types
          return `byte 0x${token.toString(16)} at ${pos - 1} is not plain msgpack`;
      }
      if (field > 0) {
        if (field > end - pos) return `truncated at byte ${pos}`;
        const n = readLength(b, pos, field);
        pos += field;
        if (perItem === 0) skip = n;
        else children = n * perItem;
      }
    }
    if (skip > end - pos) return `truncated at byte ${pos}`;
    pos += skip;
    if (children > 0) {
      // Every child takes at least one byte: refuse impossible counts before msgpackr allocates.
      if (children > end - pos) return `truncated at byte ${pos}`;
      if (pending.length > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH}`;
      pending.push(children);
    }
  }
  return pos === end ? null : `${end - pos} trailing bytes after the message`;
}

function readLength(b: Uint8Array, pos: number, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + b[pos + i]!;
  return n;
}

/** Keys of flat maps seen so far (a game's few input field names), so a decode allocates no key. */
const flatKeys: string[] = [];
const MAX_FLAT_KEYS = 32;
const scratchBytes = new Uint8Array(8);
const scratchFloat64 = new Float64Array(scratchBytes.buffer);
const scratch = new DataView(scratchBytes.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A flat map's value other than a fixint or float64, its payload at `pos`. */
function smallValue(v: number, b: Uint8Array, pos: number): unknown {
  switch (v) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xcc:
      return b[pos]!;
    case 0xcd:
      return (b[pos]! << 8) | b[pos + 1]!;
    case 0xd0:
      return (b[pos]! << 24) >> 24;
    case 0xd1:
      return (((b[pos]! << 8) | b[pos + 1]!) << 16) >> 16;
  }
  for (let i = 0; i < 4; i++) scratch.setUint8(i, b[pos + i]!);
  if (v === 0xca) return scratch.getFloat32(0);
  if (v === 0xce) return scratch.getUint32(0);
  return scratch.getInt32(0); // 0xd2
}

/**
 * The common shape of an INPUT's input, decoded without msgpackr: a fixmap (at most 15 entries)
 * of ASCII fixstr keys to nil, booleans, ints of up to 32 bits or floats, filling the bytes from
 * `at` to the end exactly. Gives the same object `decodeValue` would; undefined for anything else
 * (other layouts, a `__proto__` key, trailing bytes), which the caller hands to `decodeValue`.
 */
export function decodeFlatMap(b: Uint8Array, at: number): Record<string, unknown> | undefined {
  const end = b.length;
  if (at >= end) return undefined;
  const token = b[at]!;
  if (token < 0x80 || token > 0x8f) return undefined;
  const out: Record<string, unknown> = {};
  let pos = at + 1;
  for (let n = token & 0x0f; n > 0; n--) {
    if (pos >= end) return undefined;
    const k = b[pos]!;
    if (k < 0xa0 || k > 0xbf) return undefined;
    const length = k & 0x1f;
    if (length >= end - pos) return undefined; // the key's bytes and at least a value byte
    const key = flatKey(b, pos + 1, length);
    if (key === undefined) return undefined;
    pos += 1 + length;
    const v = b[pos++]!;
    let value: unknown;
    if (v < 0x80) value = v;
    else if (v >= 0xe0) value = v - 0x100;
    else {
      const size = FLAT_SIZES[v - 0xc0];
      if (size === undefined || size > end - pos) return undefined;
      if (v === 0xcb) {
        // Big-endian on the wire; the scratch array is in the platform's order.
        if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) scratchBytes[7 - i] = b[pos + i]!;
        else for (let i = 0; i < 8; i++) scratchBytes[i] = b[pos + i]!;
        value = scratchFloat64[0];
      } else value = smallValue(v, b, pos);
      pos += size;
    }
    out[key] = value;
  }
  return pos === end ? out : undefined;
}

/** Payload bytes after a token from 0xc0, for the value types a flat map may hold (else undefined). */
const FLAT_SIZES: readonly (number | undefined)[] = (() => {
  const sizes: (number | undefined)[] = [];
  const set = (token: number, size: number) => {
    sizes[token - 0xc0] = size;
  };
  for (const t of [0xc0, 0xc2, 0xc3]) set(t, 0);
  for (const t of [0xcc, 0xd0]) set(t, 1);
  for (const t of [0xcd, 0xd1]) set(t, 2);
  for (const t of [0xca, 0xce, 0xd2]) set(t, 4);
  set(0xcb, 8);
  sizes.length = 0x20;
  return sizes;
})();

/** The key of `length` ASCII bytes at `start`, from the cache when seen before; undefined if not ASCII. */
function flatKey(b: Uint8Array, start: number, length: number): string | undefined {
  for (const cached of flatKeys) {
    if (cached.length !== length) continue;
    let i = 0;
    while (i < length && cached.charCodeAt(i) === b[start + i]) i++;
    if (i === length) return cached;
  }
  let key = '';
  for (let i = 0; i < length; i++) {
    const c = b[start + i]!;
    if (c >= 0x80) return undefined;
    key += String.fromCharCode(c);
  }
  // msgpackr renames it (to keep prototypes safe); the general path keeps that behaviour.
  if (key === '__proto__') return undefined;
  if (flatKeys.length < MAX_FLAT_KEYS) flatKeys.push(key);
  return key;
}
