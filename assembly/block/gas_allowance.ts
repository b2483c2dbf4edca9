// The block's gas allowance: a transaction whose gas limit exceeds what the block has left after
// the gas used by the transactions before it is invalid, and so is the block. Checked in wasm on
// the executed block's records (one BigInt conversion per transaction cost the host as much as
// reading all the receipts).
import * as H from "../stm/layout";

/** The index + 1 of the first transaction over the allowance of a block of gas limit `limit`, or 0. */
export function gas_allowance_exceeded(header: usize, limit: u64): u32 {
  const n = load<u32>(header + H.H_N);
  const txs = <usize>load<u32>(header + H.H_TXS);
  const msgs = <usize>load<u32>(header + H.H_MSGS);
  let used: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const gas = load<u64>(msgs + <usize>i * H.MSG_SIZE + H.M_GAS_LIMIT);
    if (used > limit || gas > limit - used) return i + 1;
    used += load<u64>(txs + <usize>i * H.TXR_SIZE + H.T_GAS_USED);
  }
  return 0;
}
