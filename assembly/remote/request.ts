// Remote state: when an account, slot or block hash is not in the tables, the read is put on
// the request list and the host is asked for it (`state_fetch` blocks until the host has
// inserted the answers; in workers it waits on a shared-memory flag). With REMOTE_OOO the
// interpreter first runs ahead (runahead.ts) to put every further read it can find on the list,
// so that one round trip answers them all.
import * as L from "../layout";
import { g_ctx, g_ooo, g_op_pc, set_fatal } from "../globals";
import { addr_copy, addr_eq } from "../state/accounts";
import { run_ahead_from_stall } from "./runahead";

@external("env", "state_fetch")
declare function host_state_fetch(ctx: usize): void;

@inline function words_eq(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8)
    && load<u64>(a, 16) == load<u64>(b, 16) && load<u64>(a, 24) == load<u64>(b, 24);
}

/** Appends a request (unless one of the last few is the same); false when the list is full. */
export function req_push(kind: u32, addr: usize, key: usize): bool {
  const base = <usize>load<u32>(g_ctx + L.CTX_REQ);
  const n = load<u32>(g_ctx + L.CTX_REQ_COUNT);
  const from: u32 = n > 16 ? n - 16 : 0;
  for (let i = from; i < n; i++) {
    const r = base + <usize>i * L.REQ_SIZE;
    if (load<u32>(r + L.REQ_KIND) != kind) continue;
    if (kind != L.REQ_BLOCKHASH && !addr_eq(r + L.REQ_ADDR, addr)) continue;
    if (kind == L.REQ_ACCOUNT || words_eq(r + L.REQ_KEY, key)) return true;
  }
  if (n >= load<u32>(g_ctx + L.CTX_REQ_CAP)) return false;
  const r = base + <usize>n * L.REQ_SIZE;
  store<u32>(r + L.REQ_KIND, kind);
  if (kind == L.REQ_BLOCKHASH) memory.fill(r + L.REQ_ADDR, 0, 20);
  else addr_copy(r + L.REQ_ADDR, addr);
  if (kind == L.REQ_ACCOUNT) memory.fill(r + L.REQ_KEY, 0, 32);
  else memory.copy(r + L.REQ_KEY, key, 32);
  store<u32>(g_ctx + L.CTX_REQ_COUNT, n + 1);
  return true;
}

/** Asks the host for the listed reads (and, out of order, whatever running ahead finds). */
function stall(): void {
  if (g_ooo && g_op_pc != 0) run_ahead_from_stall();
  store<u32>(g_ctx + L.CTX_FETCHES, load<u32>(g_ctx + L.CTX_FETCHES) + 1);
  host_state_fetch(g_ctx);
  store<u32>(g_ctx + L.CTX_REQ_COUNT, 0);
}

/** Blocks until the host has put the account (existing or not) into the tables. */
export function fetch_account(addr: usize): void {
  store<u32>(g_ctx + L.CTX_REQ_COUNT, 0);
  if (!req_push(L.REQ_ACCOUNT, addr, 0)) { set_fatal(L.FATAL_REMOTE); return; }
  stall();
}

/** Blocks until the host has put the slot of `addr` (and the account) into the tables. */
export function fetch_slot(addr: usize, key: usize): void {
  store<u32>(g_ctx + L.CTX_REQ_COUNT, 0);
  if (!req_push(L.REQ_SLOT, addr, key)) { set_fatal(L.FATAL_REMOTE); return; }
  stall();
}

export function fetch_blockhash(key: usize): void {
  store<u32>(g_ctx + L.CTX_REQ_COUNT, 0);
  if (!req_push(L.REQ_BLOCKHASH, 0, key)) { set_fatal(L.FATAL_REMOTE); return; }
  stall();
}
