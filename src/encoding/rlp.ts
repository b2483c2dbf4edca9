import { BraidError } from './errors.js';
import { bytesToHex } from './hex.js';

/** Something rlpEncode accepts: a byte string, a non-negative integer (minimal big-endian), or a list. */
export type RlpItem = Uint8Array | bigint | number | RlpItem[];
/** What rlpDecode returns: byte strings and lists of them. */
export type RlpDecoded = Uint8Array | RlpDecoded[];

function invalid(message: string): BraidError {
  return new BraidError('RLP_INVALID', `RLP: ${message}`);
}

function lengthOfLength(len: number): number {
  let n = 0;
  while (len > 0) {
    n++;
    len = Math.floor(len / 256);
  }
  return n;
}

/** Writes an RLP header (short or long form) for a payload of `len` bytes at `out[off]`; returns bytes written. */
function writeHeader(out: Uint8Array, off: number, len: number, shortBase: number): number {
  if (len < 56) {
    out[off] = shortBase + len;
    return 1;
  }
  const ll = lengthOfLength(len);
  out[off] = shortBase + 55 + ll;
  for (let i = ll, v = len; i >= 1; i--) {
    out[off + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return 1 + ll;
}

function headerLength(len: number): number {
  return len < 56 ? 1 : 1 + lengthOfLength(len);
}

/** RLP encoding of a byte string. */
export function rlpEncodeBytes(b: Uint8Array): Uint8Array {
  if (b.length === 1 && b[0]! < 0x80) return Uint8Array.of(b[0]!);
  const out = new Uint8Array(headerLength(b.length) + b.length);
  const h = writeHeader(out, 0, b.length, 0x80);
  out.set(b, h);
  return out;
}

/** Wraps already-encoded items (each a complete RLP encoding) into an RLP list. */
export function rlpEncodeListOfEncoded(encodedItems: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const e of encodedItems) len += e.length;
  const out = new Uint8Array(headerLength(len) + len);
  let off = writeHeader(out, 0, len, 0xc0);
  for (const e of encodedItems) {
    out.set(e, off);
    off += e.length;
  }
  return out;
}

/**
 * RLP-encodes a byte string, integer or (nested) list. Two passes: the first measures every list
 * (payload lengths in pre-order), the second writes into one buffer, so no intermediate arrays.
 */
export function rlpEncode(item: RlpItem): Uint8Array {
  const lists: number[] = [];
  const out = new Uint8Array(measure(item, lists));
  const cursor = { list: 0 };
  write(item, out, 0, lists, cursor);
  return out;
}

/** Minimal big-endian length of a non-negative integer (0 for zero). */
function intLength(item: bigint | number): number {
  if (typeof item === 'number') {
    if (!Number.isSafeInteger(item) || item < 0) {
      throw new BraidError('RLP_ENCODE_INVALID', `RLP: cannot encode number ${item} (must be a non-negative safe integer)`);
    }
  } else {
    if (item < 0n) throw new BraidError('RLP_ENCODE_INVALID', `RLP: cannot encode negative bigint ${item}`);
    if (item > 0x1fffffffffffffn) return (item.toString(16).length + 1) >> 1;
    item = Number(item);
  }
  let n = 0;
  for (let v = item; v > 0; v = Math.floor(v / 256)) n++;
  return n;
}

/** Encoded length of `item`; pushes the payload length of every list, in pre-order. */
function measure(item: RlpItem, lists: number[]): number {
  if (item instanceof Uint8Array) return item.length === 1 && item[0]! < 0x80 ? 1 : headerLength(item.length) + item.length;
  if (Array.isArray(item)) {
    const at = lists.length;
    lists.push(0);
    let len = 0;
    for (let i = 0; i < item.length; i++) len += measure(item[i]!, lists);
    lists[at] = len;
    return headerLength(len) + len;
  }
  if (typeof item === 'bigint' || typeof item === 'number') {
    const n = intLength(item);
    if (n === 1 && Number(item) < 0x80) return 1;
    return headerLength(n) + n;
  }
  throw new BraidError('RLP_ENCODE_INVALID', `RLP: cannot encode value of type ${item === null ? 'null' : typeof item}`);
}

function write(item: RlpItem, out: Uint8Array, off: number, lists: number[], cursor: { list: number }): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) { out[off] = item[0]!; return off + 1; }
    off += writeHeader(out, off, item.length, 0x80);
    out.set(item, off);
    return off + item.length;
  }
  if (Array.isArray(item)) {
    off += writeHeader(out, off, lists[cursor.list++]!, 0xc0);
    for (let i = 0; i < item.length; i++) off = write(item[i]!, out, off, lists, cursor);
    return off;
  }
  const n = intLength(item as bigint | number);
  if (n === 1 && Number(item) < 0x80) { out[off] = Number(item); return off + 1; }
  off += writeHeader(out, off, n, 0x80);
  if (typeof item === 'number' || item <= 0x1fffffffffffffn) {
    for (let i = n - 1, v = Number(item); i >= 0; i--, v = Math.floor(v / 256)) out[off + i] = v % 256;
  } else {
    for (let i = n - 1, v = item as bigint; i >= 0; i--, v >>= 8n) out[off + i] = Number(v & 0xffn);
  }
  return off + n;
}

interface Header {
  isList: boolean;
  /** offset of the payload */
  start: number;
  /** payload length */
  length: number;
}

/** Reads and validates the header at `pos`; `end` is the exclusive limit of the enclosing data. */
function readHeader(data: Uint8Array, pos: number, end: number): Header {
  const b = data[pos]!;
  if (b < 0x80) return { isList: false, start: pos, length: 1 };
  if (b <= 0xb7) {
    const length = b - 0x80;
    if (pos + 1 + length > end) {
      throw invalid(`string of length ${length} at offset ${pos} runs past the end of its input (${end - pos - 1} bytes left)`);
    }
    if (length === 1 && data[pos + 1]! < 0x80) {
      throw invalid(`non-canonical single byte at offset ${pos}: 0x81${data[pos + 1]!.toString(16).padStart(2, '0')} must be encoded as the byte itself`);
    }
    return { isList: false, start: pos + 1, length };
  }
  if (b < 0xc0) return readLongHeader(data, pos, end, b - 0xb7, false);
  if (b <= 0xf7) {
    const length = b - 0xc0;
    if (pos + 1 + length > end) {
      throw invalid(`list of length ${length} at offset ${pos} runs past the end of its input (${end - pos - 1} bytes left)`);
    }
    return { isList: true, start: pos + 1, length };
  }
  return readLongHeader(data, pos, end, b - 0xf7, true);
}

function readLongHeader(data: Uint8Array, pos: number, end: number, ll: number, isList: boolean): Header {
  const kind = isList ? 'list' : 'string';
  if (pos + 1 + ll > end) {
    throw invalid(`${kind} length-of-length ${ll} at offset ${pos} runs past the end of its input`);
  }
  if (data[pos + 1] === 0) throw invalid(`${kind} length at offset ${pos} has a leading zero byte`);
  let length = 0;
  for (let i = 0; i < ll; i++) length = length * 256 + data[pos + 1 + i]!;
  if (length < 56) {
    throw invalid(`non-canonical ${kind} length at offset ${pos}: long form used for length ${length} < 56`);
  }
  const start = pos + 1 + ll;
  if (length > end - start) {
    throw invalid(`${kind} of length ${length} at offset ${pos} runs past the end of its input (${end - start} bytes left)`);
  }
  return { isList, start, length };
}

function decodeAt(data: Uint8Array, pos: number, end: number, depth: number): [RlpDecoded, number] {
  if (depth > 1024) throw invalid('nesting deeper than 1024 levels');
  const h = readHeader(data, pos, end);
  const next = h.start + h.length;
  if (!h.isList) return [data.slice(h.start, next), next];
  const items: RlpDecoded[] = [];
  let p = h.start;
  while (p < next) {
    const [item, after] = decodeAt(data, p, next, depth + 1);
    items.push(item);
    p = after;
  }
  return [items, next];
}

/**
 * Decodes exactly one canonical RLP item spanning all of `bytes`.
 * Throws BraidError('RLP_INVALID') for empty input, trailing bytes, truncated data and any
 * non-canonical form (0x81 + byte < 0x80, long form for short lengths, leading zeros in lengths).
 */
export function rlpDecode(bytes: Uint8Array): RlpDecoded {
  if (!(bytes instanceof Uint8Array)) throw invalid(`expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw invalid('empty input');
  const [item, end] = decodeAt(bytes, 0, bytes.length, 0);
  if (end !== bytes.length) {
    throw invalid(`${bytes.length - end} trailing byte(s) after the item (item ends at offset ${end}, input is ${bytes.length} bytes)`);
  }
  return item;
}

/** Human-readable form of a decoded item (hex strings and nested arrays), for messages and debugging. */
export function rlpToJson(item: RlpDecoded): unknown {
  return item instanceof Uint8Array ? bytesToHex(item) : item.map(rlpToJson);
}
