// Conversions between stack words (4 little-endian u64 limbs) and addresses/integers.

/** Stack word from a 20-byte big-endian address. */
@inline export function word_from_addr(w: usize, a: usize): void {
  store<u64>(w, bswap<u64>(load<u64>(a, 12)));
  store<u64>(w, bswap<u64>(load<u64>(a, 4)), 8);
  store<u64>(w, <u64>bswap<u32>(load<u32>(a)), 16);
  store<u64>(w, 0, 24);
}

/** 20-byte address from the low 160 bits of a stack word. */
@inline export function addr_from_word(a: usize, w: usize): void {
  store<u64>(a, bswap<u64>(load<u64>(w)), 12);
  store<u64>(a, bswap<u64>(load<u64>(w, 8)), 4);
  store<u32>(a, bswap<u32>(<u32>load<u64>(w, 16)));
}

@inline export function word_set_u64(w: usize, v: u64): void {
  store<u64>(w, v);
  store<u64>(w, 0, 8);
  store<u64>(w, 0, 16);
  store<u64>(w, 0, 24);
}

@inline export function word_is_zero(w: usize): bool {
  return (load<u64>(w) | load<u64>(w, 8) | load<u64>(w, 16) | load<u64>(w, 24)) == 0;
}

@inline export function word_fits_u64(w: usize): bool {
  return (load<u64>(w, 8) | load<u64>(w, 16) | load<u64>(w, 24)) == 0;
}

@inline export function word_copy(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
}

@inline export function word_zero(w: usize): void {
  v128.store(w, i64x2.splat(0));
  v128.store(w, i64x2.splat(0), 16);
}

/** Reads a 32-byte big-endian value into a word. */
@inline export function word_from_be(w: usize, src: usize): void {
  const a = load<u64>(src), b = load<u64>(src, 8), c = load<u64>(src, 16), d = load<u64>(src, 24);
  store<u64>(w, bswap<u64>(d));
  store<u64>(w, bswap<u64>(c), 8);
  store<u64>(w, bswap<u64>(b), 16);
  store<u64>(w, bswap<u64>(a), 24);
}

/** Writes a word as 32 big-endian bytes. */
@inline export function word_to_be(dst: usize, w: usize): void {
  const a = load<u64>(w), b = load<u64>(w, 8), c = load<u64>(w, 16), d = load<u64>(w, 24);
  store<u64>(dst, bswap<u64>(d));
  store<u64>(dst, bswap<u64>(c), 8);
  store<u64>(dst, bswap<u64>(b), 16);
  store<u64>(dst, bswap<u64>(a), 24);
}

/** Copies `len` bytes from src[off..] (src holding srcLen bytes) to dst, zero-filling past the end. */
export function copy_padded(dst: usize, src: usize, srcLen: u64, off: u64, len: u64): void {
  if (len == 0) return;
  let avail: u64 = off < srcLen ? srcLen - off : 0;
  if (avail > len) avail = len;
  if (avail > 0) memory.copy(dst, src + <usize>off, <usize>avail);
  if (avail < len) memory.fill(dst + <usize>avail, 0, <usize>(len - avail));
}

/** An offset word saturated to u64::MAX when it does not fit. */
@inline export function word_sat_u64(w: usize): u64 {
  return word_fits_u64(w) ? load<u64>(w) : U64.MAX_VALUE;
}
