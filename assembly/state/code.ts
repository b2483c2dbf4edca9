// Contract code: each distinct code is stored once, keyed by its hash, with 33 bytes of zero
// padding (so PUSH32 at the end reads zeros and running off the end reads STOP) and a jumpdest
// bitmap computed once.
import * as L from "../layout";
import { g_code_table, g_code_mask, g_ctx, set_fatal } from "../globals";
import { keccak256 } from "../crypto/keccak";

const PAD: u32 = 33;

/** The context that owns the code table's shared counters (workers point at the coordinator's). */
@inline function home(): usize {
  const h = <usize>load<u32>(g_ctx + L.CTX_CODE_HOME);
  return h != 0 ? h : g_ctx;
}

/** Bump-allocates `n` bytes (8-aligned) from the shared code arena; 0 when exhausted. */
function arena_alloc(n: u32): usize {
  const size = (n + 7) & ~7;
  const top = atomic.add<u32>(home() + L.CTX_CODE_ARENA_TOP, size);
  if (top + size > load<u32>(home() + L.CTX_CODE_ARENA_END)) { set_fatal(L.FATAL_CODE); return 0; }
  return <usize>top;
}

/** Marks valid jump destinations: JUMPDEST bytes that are not PUSH immediates. */
function analyze(code: usize, len: u32, bitmap: usize): void {
  memory.fill(bitmap, 0, (len >> 3) + 1);
  let i: u32 = 0;
  while (i < len) {
    const op = <u32>load<u8>(code + i);
    if (op == 0x5b) {
      const b = bitmap + (i >> 3);
      store<u8>(b, load<u8>(b) | <u8>(<u32>1 << (i & 7)));
      i++;
    } else if (op >= 0x60 && op <= 0x7f) {
      i += op - 0x5e;
    } else {
      i++;
    }
  }
}

/** Copies `len` bytes of code into the arena and analyzes it; returns a record. */
function make_record(rec: usize, src: usize, len: u32): bool {
  const code = arena_alloc(len + PAD);
  const bitmap = arena_alloc((len >> 3) + 1);
  if (code == 0 || bitmap == 0) return false;
  memory.copy(code, src, len);
  memory.fill(code + len, 0, PAD);
  analyze(code, len, bitmap);
  store<u32>(rec + L.C_LEN, len);
  store<u32>(rec + L.C_CODE, <u32>code);
  store<u32>(rec + L.C_BITMAP, <u32>bitmap);
  return true;
}

/** The shared record for this code (interned by hash); 0 when out of space. Empty code: 0. */
export function code_intern(src: usize, len: u32, hash: usize): usize {
  if (len == 0) return 0;
  keccak256(src, len, hash);
  let i = (load<u32>(hash) ^ load<u32>(hash, 8)) & g_code_mask;
  while (true) {
    const e = g_code_table + <usize>i * L.CODE_REC_SIZE;
    // A racing worker may be filling this record; C_USED = 2 marks it complete.
    const used = atomic.load<u32>(e + L.C_USED);
    if (used == 0) {
      if (atomic.cmpxchg<u32>(e + L.C_USED, 0, 1) != 0) continue;
      const count = atomic.add<u32>(home() + L.CTX_CODE_COUNT, 1);
      if (count + 1 > ((g_code_mask + 1) >> 2) * 3) { set_fatal(L.FATAL_CODE); }
      memory.copy(e + L.C_HASH, hash, 32);
      if (!make_record(e, src, len)) { atomic.store<u32>(e + L.C_USED, 2); return 0; }
      atomic.store<u32>(e + L.C_USED, 2);
      return e;
    }
    while (atomic.load<u32>(e + L.C_USED) == 1) {} // another worker is filling it
    if (memory.compare(e + L.C_HASH, hash, 32) == 0) return e;
    i = (i + 1) & g_code_mask;
  }
}

/** A private record for init code (not interned, hash not computed). */
export function code_anonymous(src: usize, len: u32): usize {
  const rec = arena_alloc(L.CODE_REC_SIZE);
  if (rec == 0) return 0;
  memory.fill(rec, 0, L.CODE_REC_SIZE);
  if (!make_record(rec, src, len)) return 0;
  store<u32>(rec + L.C_USED, 2);
  return rec;
}
