// The shape of a Transaction object built in code (the parsers build well-formed ones): each
// field of the right type and length, before anything reads it. A wrong one is TX_FIELD_INVALID
// naming the field, not a TypeError, and never a short address padded or a value ignored.
import { BraidError } from "../encoding/errors.js";
import type { Transaction } from "./types.js";

const bad = (what: string): never => { throw new BraidError("TX_FIELD_INVALID", `transaction field ${what}`); };
const isBytes = (v: unknown, len?: number): boolean => v instanceof Uint8Array && (len === undefined || v.length === len);

export function checkTransactionShape(tx: Transaction): void {
  if (!tx || typeof tx !== "object") bad("(the transaction itself) must be an object");
  if (!Number.isInteger(tx.type)) bad(`'type' must be an integer, got ${String(tx.type)}`);
  for (const name of ["nonce", "gasLimit", "value", "v", "r", "s"] as const) {
    if (typeof tx[name] !== "bigint") bad(`'${name}' must be a bigint, got ${typeof tx[name]}`);
  }
  for (const name of ["chainId", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "maxFeePerBlobGas"] as const) {
    if (tx[name] !== undefined && typeof tx[name] !== "bigint") bad(`'${name}' must be a bigint when given, got ${typeof tx[name]}`);
  }
  if (tx.to !== null && !isBytes(tx.to, 20)) bad("'to' must be null (a creation) or 20 bytes");
  if (!isBytes(tx.data)) bad("'data' must be a Uint8Array");
  if (tx.sender !== undefined && !isBytes(tx.sender, 20)) bad("'sender' must be 20 bytes when given");
  if (!Array.isArray(tx.accessList)) bad("'accessList' must be an array");
  tx.accessList.forEach((e, i) => {
    if (!e || !isBytes(e.address, 20)) bad(`'accessList[${i}].address' must be 20 bytes`);
    if (!Array.isArray(e.storageKeys) || !e.storageKeys.every((k) => isBytes(k, 32))) bad(`'accessList[${i}].storageKeys' must be an array of 32-byte keys`);
  });
  if (tx.blobVersionedHashes !== undefined && (!Array.isArray(tx.blobVersionedHashes) || !tx.blobVersionedHashes.every((h) => isBytes(h, 32)))) {
    bad("'blobVersionedHashes' must be an array of 32-byte hashes");
  }
}
