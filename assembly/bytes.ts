// Byte-range helpers on linear memory.

/** Whether a[0..len) equals b[0..len): 8 bytes at a time, then the tail byte by byte. */
export function bytes_equal(a: usize, b: usize, len: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
