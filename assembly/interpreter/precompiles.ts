// Which addresses hold precompiled contracts at the running fork.
import * as F from "../fork";
import { g_fork } from "../globals";

export function precompile_count(): u32 {
  if (g_fork >= F.CANCUN) return 10;
  if (g_fork >= F.ISTANBUL) return 9;
  if (g_fork >= F.BYZANTIUM) return 8;
  return 4;
}

/** The precompile number at address `a`, or 0. */
export function precompile_id(a: usize): u32 {
  if (load<u64>(a) != 0 || load<u32>(a, 8) != 0 || load<u32>(a, 12) != 0 || load<u16>(a, 16) != 0 || load<u8>(a, 18) != 0) return 0;
  const n = <u32>load<u8>(a, 19);
  return n >= 1 && n <= precompile_count() ? n : 0;
}
