// Spin locks and the shared bump arena. Critical sections are a few dozen instructions.
import * as H from "./layout";
import { g_ctx } from "../globals";
import * as L from "../layout";

@inline export function lock(p: usize): void {
  while (atomic.cmpxchg<u32>(p, 0, 1) != 0) {}
}

@inline export function unlock(p: usize): void {
  atomic.store<u32>(p, 0);
}

@inline export function stm_header(): usize {
  return <usize>load<u32>(g_ctx + L.CTX_STM);
}

/** Transaction i's record (H_TXS). */
@inline export function txr(i: u32): usize {
  return <usize>load<u32>(stm_header() + H.H_TXS) + <usize>i * H.TXR_SIZE;
}

/** Bytes a thread takes from the shared arena at a time (more for a larger allocation). */
const ARENA_CHUNK: u32 = 64 << 10;

/**
 * Allocates `n` bytes (8-aligned) from the block's shared arena; 0 (and H_ERROR) when exhausted.
 * Each thread bumps through a chunk of its own, so the shared top moves once per chunk.
 */
export function arena_alloc(n: u32): usize {
  const h = stm_header();
  const size = (n + 7) & ~7;
  let cur = load<u32>(g_ctx + L.CTX_ARENA_CUR);
  if (load<u32>(g_ctx + L.CTX_ARENA_HDR) != <u32>h || cur + size > load<u32>(g_ctx + L.CTX_ARENA_END)) {
    const chunk = size > ARENA_CHUNK ? size : ARENA_CHUNK;
    const at = atomic.add<u32>(h + H.H_ARENA_TOP, chunk);
    if (at + chunk > load<u32>(h + H.H_ARENA_END)) {
      atomic.cmpxchg<u32>(h + H.H_ERROR, 0, L.FATAL_STM_ARENA);
      return 0;
    }
    store<u32>(g_ctx + L.CTX_ARENA_HDR, <u32>h);
    store<u32>(g_ctx + L.CTX_ARENA_END, at + chunk);
    cur = at;
  }
  store<u32>(g_ctx + L.CTX_ARENA_CUR, cur + size);
  return <usize>cur;
}

/**
 * Waits until the u32 at `p` reaches `target` (it only grows), sleeping 0.1 ms at a time: false
 * past about a millisecond (a thread descheduled, or failed: the host awaits its worker and asks
 * again). Never on a browser's main thread, whose callers await their workers first.
 */
export function wait_count(p: usize, target: u32): bool {
  let seen = atomic.load<u32>(p);
  for (let naps = 0; seen < target; naps++) {
    if (naps == 10) return false;
    atomic.wait<i32>(p, <i32>seen, 100_000);
    seen = atomic.load<u32>(p);
  }
  return true;
}
