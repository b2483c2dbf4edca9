// Root of an "ordinal" Merkle-Patricia trie: the trie whose keys are rlp(0), rlp(1), ... rlp(n-1)
// (receipts, transactions, withdrawals). Nodes are RLP-encoded into a scratch region, children
// before their parents' remaining items, and hashed in place; nothing is allocated.
import { keccak256 } from "../crypto/keccak";
import { header_len, write_header, write_bytes } from "./rlp";

/** Byte length of rlp(i) (i < 2^24). */
@inline function key_len(i: u32): u32 {
  return i < 128 ? 1 : i < 256 ? 2 : i < 65536 ? 3 : 4;
}

/** The bytes of rlp(i), big-endian in the low bits. */
@inline function key_bits(i: u32): u32 {
  if (i == 0) return 0x80;
  if (i < 128) return i;
  const n = key_len(i) - 1;
  return ((0x80 + n) << (n << 3)) | i;
}

/** Nibble d of rlp(i). */
@inline function nibble(i: u32, d: u32): u32 {
  return (key_bits(i) >> (((key_len(i) << 1) - 1 - d) << 2)) & 15;
}

/**
 * The index at sorted position s: rlp(1..127) are single bytes below 0x80, rlp(0) is 0x80, and
 * rlp(128..) start with 0x81 and up, in ascending order.
 */
@inline function sorted(s: u32, n: u32): u32 {
  const small: u32 = n - 1 < 127 ? n - 1 : 127;
  return s < small ? s + 1 : s == small ? 0 : s;
}

let g_values: usize = 0; // (ptr u32, len u32) per index
let g_n: u32 = 0;
let g_start: usize = 0; // where the node build() just wrote begins

/** Writes the hex-prefix encoding of key nibbles [from, to) as an RLP string. */
function write_hp(at: usize, i: u32, from: u32, to: u32, leaf: bool): usize {
  const m = to - from;
  const bytes = (m >> 1) + 1;
  if (bytes > 1) store<u8>(at++, <u8>(0x80 + bytes)); // hp bytes never exceed 5, and one byte is < 0x80
  const flag: u32 = leaf ? 2 : 0;
  let p = from;
  if (m & 1) store<u8>(at++, <u8>(((flag | 1) << 4) | nibble(i, p++)));
  else store<u8>(at++, <u8>(flag << 4));
  for (let k: u32 = 1; k < bytes; k++, p += 2) store<u8>(at++, <u8>((nibble(i, p) << 4) | nibble(i, p + 1)));
  return at;
}

/** Writes a child reference at `at`: the child's encoding if shorter than 32 bytes, else its hash. */
function write_child(at: usize, lo: u32, hi: u32, depth: u32): usize {
  const end = build(lo, hi, depth, at);
  const start = g_start;
  const len = <u32>(end - start);
  if (len < 32) {
    memory.copy(at, start, len);
    return at + len;
  }
  keccak256(start, len, at + 1); // reads the whole child before writing
  store<u8>(at, 0xa0);
  return at + 33;
}

/**
 * Encodes the node holding sorted positions [lo, hi) below `depth` nibbles at or after `at`;
 * returns its end (its start in g_start). RLP keys are prefix-free, so no key ends at a branch
 * and the branch value slot is always empty.
 */
function build(lo: u32, hi: u32, depth: u32, at: usize): usize {
  const payload = at + 5; // room for the list header
  let cur = payload;
  const first = sorted(lo, g_n);
  const firstLen = key_len(first) << 1;
  if (hi - lo == 1) {
    cur = write_hp(cur, first, depth, firstLen, true);
    const v = g_values + (<usize>first << 3);
    cur = write_bytes(cur, <usize>load<u32>(v), load<u32>(v, 4));
  } else {
    const last = sorted(hi - 1, g_n);
    const lastLen = key_len(last) << 1;
    const max = firstLen < lastLen ? firstLen : lastLen;
    let p = depth;
    while (p < max && nibble(first, p) == nibble(last, p)) p++;
    if (p > depth) {
      cur = write_hp(cur, first, depth, p, false);
      cur = write_child(cur, lo, hi, p);
    } else {
      let i = lo;
      for (let nib: u32 = 0; nib < 16; nib++) {
        let j = i;
        while (j < hi && nibble(sorted(j, g_n), depth) == nib) j++;
        if (j > i) cur = write_child(cur, i, j, depth + 1);
        else store<u8>(cur++, 0x80);
        i = j;
      }
      store<u8>(cur++, 0x80);
    }
  }
  const len = <u32>(cur - payload);
  g_start = payload - header_len(len);
  write_header(g_start, len, 0xc0);
  return cur;
}

/** Scratch bytes ordinal_root needs beyond the values for n entries totalling `valueBytes`. */
export function ordinal_scratch(n: u32, valueBytes: u32): u32 {
  return valueBytes + n * 600 + 4096;
}

/**
 * out[0..32) = root of the trie mapping rlp(i) to the byte string values[i] (a (ptr, len) pair per
 * index, every value non-empty), using scratch (ordinal_scratch bytes).
 */
export function ordinal_root(values: usize, n: u32, scratch: usize, out: usize): void {
  if (n == 0) {
    store<u8>(scratch, 0x80);
    keccak256(scratch, 1, out);
    return;
  }
  g_values = values;
  g_n = n;
  const end = build(0, n, 0, scratch);
  keccak256(g_start, <u32>(end - g_start), out);
}
