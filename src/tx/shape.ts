// The shape of a Transaction object built in code (the parsers build well-formed ones): each
// field of the right type and length, before anything reads it. A wrong one is TX_FIELD_INVALID
// naming the field, not a TypeError, and never a short address padded or a value ignored.
import { BraidError } from "../encoding/errors.js";
import { isBytes } from "../encoding/hex.js";
import type { Transaction } from "./types.js";

const bad = (what: string): never => { throw new BraidError("TX_FIELD_INVALID", `transaction field ${what}`); };

export function checkTransactionShape(tx: Transaction): void {
  // Field by field, no loops over names: this runs for every transaction of every block.
  if (!tx || typeof tx !== "object") bad("(the transaction itself) must be an object");
  if (!Number.isInteger(tx.type)) bad(`'type' must be an integer, got ${String(tx.type)}`);
  if (typeof tx.nonce !== "bigint") notBigint("nonce", tx.nonce);
  if (typeof tx.gasLimit !== "bigint") notBigint("gasLimit", tx.gasLimit);
  if (typeof tx.value !== "bigint") notBigint("value", tx.value);
  if (typeof tx.v !== "bigint" || typeof tx.r !== "bigint" || typeof tx.s !== "bigint") bad("'v', 'r' and 's' must be bigints");
  if (tx.chainId !== undefined && typeof tx.chainId !== "bigint") notBigint("chainId", tx.chainId);
  if (tx.gasPrice !== undefined && typeof tx.gasPrice !== "bigint") notBigint("gasPrice", tx.gasPrice);
  if (tx.maxFeePerGas !== undefined && typeof tx.maxFeePerGas !== "bigint") notBigint("maxFeePerGas", tx.maxFeePerGas);
  if (tx.maxPriorityFeePerGas !== undefined && typeof tx.maxPriorityFeePerGas !== "bigint") notBigint("maxPriorityFeePerGas", tx.maxPriorityFeePerGas);
  if (tx.maxFeePerBlobGas !== undefined && typeof tx.maxFeePerBlobGas !== "bigint") notBigint("maxFeePerBlobGas", tx.maxFeePerBlobGas);
  if (tx.to !== null && !isBytes(tx.to, 20)) bad("'to' must be null (a creation) or 20 bytes");
  if (!isBytes(tx.data)) bad("'data' must be a Uint8Array");
  if (tx.sender !== undefined && !isBytes(tx.sender, 20)) bad("'sender' must be 20 bytes when given");
  if (!Array.isArray(tx.accessList)) bad("'accessList' must be an array");
  for (let i = 0; i < tx.accessList.length; i++) {
    const e = tx.accessList[i]!;
    if (!e || !isBytes(e.address, 20)) bad(`'accessList[${i}].address' must be 20 bytes`);
    if (!Array.isArray(e.storageKeys)) bad(`'accessList[${i}].storageKeys' must be an array`);
    for (const k of e.storageKeys) if (!isBytes(k, 32)) bad(`'accessList[${i}].storageKeys' must hold 32-byte keys`);
  }
  const hashes = tx.blobVersionedHashes;
  if (hashes !== undefined) {
    if (!Array.isArray(hashes)) bad("'blobVersionedHashes' must be an array");
    for (const h of hashes) if (!isBytes(h, 32)) bad("'blobVersionedHashes' must hold 32-byte hashes");
  }
}

function notBigint(name: string, v: unknown): never {
  return bad(`'${name}' must be a bigint${name === "nonce" || name === "gasLimit" || name === "value" ? "" : " when given"}, got ${typeof v}`);
}
