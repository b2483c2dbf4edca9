// Basic-block execution counts for the ILP analysis (src/analysis/profile.ts reads them).
// The interpreter calls in here only while g_profile is set: on every JUMPDEST, on the
// fall-through of a JUMPI not taken and where a frame starts, so each entry into a basic block is
// counted once. Counters live in a host-assigned open-addressing table in linear memory
// (the module has no managed heap): `cap` entries of { u32 absolute code address, u32 count },
// cap a power of two, zeroed by the host. A key of 0 marks a free entry (code never lives at 0).

export let g_profile: bool = false;
let g_table: usize = 0;
let g_mask: u32 = 0;
let g_dropped: u32 = 0;

export function profile_start(table: usize, cap: u32): void {
  g_table = table;
  g_mask = cap - 1;
  g_dropped = 0;
  g_profile = cap > 0;
}

export function profile_stop(): void {
  g_profile = false;
}

/** Block entries that found no free entry (the host then runs again with a larger table). */
export function profile_dropped(): u32 {
  return g_dropped;
}

/** Counts one entry into the block that starts at absolute address `pc`. */
export function profile_hit(pc: usize): void {
  const key = <u32>pc;
  let h = key * 0x9e3779b1;
  h ^= h >> 16;
  for (let n: u32 = 0; n <= g_mask; n++) {
    const e = g_table + (<usize>((h + n) & g_mask) << 3);
    const k = load<u32>(e);
    if (k == key) { store<u32>(e, load<u32>(e, 4) + 1, 4); return; }
    if (k == 0) { store<u32>(e, key); store<u32>(e, 1, 4); return; }
  }
  g_dropped++;
}

/** Fall-through of a JUMPI not taken: a JUMPDEST there counts itself when it runs. */
export function profile_fall(pc: usize): void {
  if (load<u8>(pc) != 0x5b) profile_hit(pc);
}

/** A frame starting at its first byte (not a resumed caller, whose pc is past its CALL). */
export function profile_frame(pc: usize, code: usize): void {
  if (pc == code && load<u8>(pc) != 0x5b) profile_hit(pc);
}
