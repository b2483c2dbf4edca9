// Contract code: each distinct code is stored once, with 33 bytes of zero padding (so PUSH32 at
// the end reads zeros and running off the end reads STOP) and a jumpdest bitmap computed once.
// Records are found by a cheap digest of the bytes and confirmed byte by byte; the keccak256 code
// hash is computed only when something asks for it (EXTCODEHASH, the state diff): a mainnet
// block's pre-state holds 1-2 MB of code, whose hashing took longer than many blocks' execution.
import * as L from "../layout";
import { g_code_table, g_code_mask, g_ctx, set_fatal } from "../globals";
import { keccak256 } from "../crypto/keccak";
import { bytes_equal } from "../bytes";

const PAD: u32 = 33;

/**
 * The context that owns the shared tables and their counters: the coordinator's (a worker's
 * CTX_CODE_HOME points at it), or this thread's own.
 */
@inline export function home(): usize {
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

/**
 * Digest of the code's bytes for the intern table: four multiply-rotate lanes over 8-byte words
 * (equal digests are confirmed byte by byte, so it only has to spread codes over the table).
 */
function code_key(src: usize, len: u32): u64 {
  let a: u64 = <u64>len * 0x9e3779b97f4a7c15, b: u64 = 0xc2b2ae3d27d4eb4f, c: u64 = 0x165667b19e3779f9, d: u64 = 0x27d4eb2f165667c5;
  const n = <usize>len;
  let i: usize = 0;
  for (; i + 32 <= n; i += 32) {
    a = rotl<u64>((a ^ load<u64>(src + i)) * 0xff51afd7ed558ccd, 31);
    b = rotl<u64>((b ^ load<u64>(src + i, 8)) * 0xc4ceb9fe1a85ec53, 31);
    c = rotl<u64>((c ^ load<u64>(src + i, 16)) * 0xff51afd7ed558ccd, 31);
    d = rotl<u64>((d ^ load<u64>(src + i, 24)) * 0xc4ceb9fe1a85ec53, 31);
  }
  for (; i < n; i++) a = rotl<u64>((a ^ <u64>load<u8>(src + i)) * 0xff51afd7ed558ccd, 31);
  let h = a ^ rotl<u64>(b, 17) ^ rotl<u64>(c, 34) ^ rotl<u64>(d, 51);
  h = (h ^ (h >> 33)) * 0xff51afd7ed558ccd;
  return h ^ (h >> 29);
}

/** The shared record for this code (interned by its bytes); 0 when out of space. Empty code: 0. */
export function code_intern(src: usize, len: u32): usize {
  if (len == 0) return 0;
  const key = code_key(src, len);
  let i = <u32>(key ^ (key >> 32)) & g_code_mask;
  while (true) {
    const e = g_code_table + <usize>i * L.CODE_REC_SIZE;
    // A racing worker may be filling this record; C_USED = 2 marks it complete.
    const used = atomic.load<u32>(e + L.C_USED);
    if (used == 0) {
      if (atomic.cmpxchg<u32>(e + L.C_USED, 0, 1) != 0) continue;
      const count = atomic.add<u32>(home() + L.CTX_CODE_COUNT, 1);
      if (count + 1 > ((g_code_mask + 1) >> 2) * 3) { set_fatal(L.FATAL_CODE); }
      store<u64>(e + L.C_KEY, key);
      store<u32>(e + L.C_HASHED, 0);
      if (!make_record(e, src, len)) { atomic.store<u32>(e + L.C_USED, 2); return 0; }
      atomic.store<u32>(e + L.C_USED, 2);
      return e;
    }
    while (atomic.load<u32>(e + L.C_USED) == 1) {} // another worker is filling it
    if (load<u64>(e + L.C_KEY) == key && load<u32>(e + L.C_LEN) == len && bytes_equal(<usize>load<u32>(e + L.C_CODE), src, len)) return e;
    i = (i + 1) & g_code_mask;
  }
}

/** The code's keccak256 (at rec + C_HASH), computed the first time it is asked for; any thread may ask. */
export function code_hash(rec: usize): usize {
  const state = rec + L.C_HASHED;
  if (atomic.load<u32>(state) != 2) {
    if (atomic.cmpxchg<u32>(state, 0, 1) == 0) {
      keccak256(<usize>load<u32>(rec + L.C_CODE), <usize>load<u32>(rec + L.C_LEN), rec + L.C_HASH);
      atomic.store<u32>(state, 2);
    } else {
      while (atomic.load<u32>(state) != 2) {} // another thread is hashing it
    }
  }
  return rec + L.C_HASH;
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
