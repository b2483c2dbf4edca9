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

/** Allocates `n` bytes (8-aligned) from the block's shared arena; 0 (and H_ERROR) when exhausted. */
export function arena_alloc(n: u32): usize {
  const h = stm_header();
  const size = (n + 7) & ~7;
  const at = atomic.add<u32>(h + H.H_ARENA_TOP, size);
  if (at + size > load<u32>(h + H.H_ARENA_END)) {
    atomic.cmpxchg<u32>(h + H.H_ERROR, 0, L.FATAL_STM_ARENA);
    return 0;
  }
  return <usize>at;
}
