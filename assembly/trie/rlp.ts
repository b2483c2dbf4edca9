// RLP writers over linear memory (allocation free). Each returns the address after what it wrote.

/** Bytes of the big-endian encoding of v (0 for v == 0). */
@inline export function be_len(v: u64): u32 {
  return v == 0 ? 0 : <u32>((71 - clz<u64>(v)) >> 3);
}

/** Length of the header of a string (base 0x80) or list (base 0xc0) whose payload is `len` bytes. */
@inline export function header_len(len: u32): u32 {
  return len < 56 ? 1 : 1 + be_len(len);
}

/** Writes the header of a string (base 0x80) or list (base 0xc0) with a `len`-byte payload. */
export function write_header(at: usize, len: u32, base: u32): usize {
  if (len < 56) {
    store<u8>(at, <u8>(base + len));
    return at + 1;
  }
  const n = be_len(len);
  store<u8>(at, <u8>(base + 55 + n));
  for (let i: u32 = 0; i < n; i++) store<u8>(at + 1 + i, <u8>(len >> ((n - 1 - i) << 3)));
  return at + 1 + n;
}

/** Encoded size of the byte string src[0..len). */
@inline export function bytes_size(src: usize, len: u32): u32 {
  return len == 1 && load<u8>(src) < 0x80 ? 1 : header_len(len) + len;
}

/** Writes the byte string src[0..len) (src may not overlap the output). */
export function write_bytes(at: usize, src: usize, len: u32): usize {
  if (len == 1 && load<u8>(src) < 0x80) {
    store<u8>(at, load<u8>(src));
    return at + 1;
  }
  at = write_header(at, len, 0x80);
  memory.copy(at, src, len);
  return at + len;
}

/** Encoded size of an unsigned integer. */
@inline export function uint_size(v: u64): u32 {
  return v < 0x80 && v != 0 ? 1 : 1 + be_len(v);
}

/** Writes an unsigned integer (0 is the empty string). */
export function write_uint(at: usize, v: u64): usize {
  if (v < 0x80 && v != 0) {
    store<u8>(at, <u8>v);
    return at + 1;
  }
  const n = be_len(v);
  store<u8>(at, <u8>(0x80 + n));
  for (let i: u32 = 0; i < n; i++) store<u8>(at + 1 + i, <u8>(v >> (<u64>(n - 1 - i) << 3)));
  return at + 1 + n;
}
