// From a validated transaction to the message the interpreter runs.
import { Fork } from "../fork.js";
import { intrinsicGas } from "../tx/intrinsic.js";
import { effectiveGasPrice, blobGasUsed } from "../tx/validate.js";
import type { Transaction } from "../tx/types.js";
import type { BlockEnv, Message } from "./types.js";

export function messageOf(tx: Transaction, env: BlockEnv): Message {
  if (!tx.sender) throw new Error("transaction has no sender");
  const london = env.fork >= Fork.London;
  const price = effectiveGasPrice(tx, london ? env.baseFee : undefined);
  return {
    caller: tx.sender,
    to: tx.to,
    value: tx.value,
    data: tx.data,
    gasLimit: tx.gasLimit,
    intrinsicGas: intrinsicGas(tx, env.fork),
    gasPrice: price,
    priorityFee: london ? price - env.baseFee : price,
    upfront: tx.gasLimit * price + blobGasUsed(tx) * env.blobBaseFee,
    accessList: tx.accessList,
    blobHashes: tx.blobVersionedHashes ?? [],
  };
}
