// Gas limits of the staged transactions, read in wasm (a host loop over the transactions' BigInt
// gas limits cost as much as reading all the receipts). The block's gas allowance: a transaction
// whose gas limit exceeds what the block has left after the gas used by the transactions before
// it is invalid, and so is the block.
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

/** The largest gas limit among the staged transactions (sizes the workers' local tables). */
export function staged_max_gas_limit(header: usize): u64 {
  const n = load<u32>(header + H.H_N);
  const msgs = <usize>load<u32>(header + H.H_MSGS);
  let most: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const gas = load<u64>(msgs + <usize>i * H.MSG_SIZE + H.M_GAS_LIMIT);
    if (gas > most) most = gas;
  }
  return most;
}
