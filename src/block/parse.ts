// Blocks and pre-states from JSON: an eth_getBlockByNumber(n, true) response and geth's alloc
// format. Errors name the field that is wrong.
import { hexToBytes, hexToBigInt } from "../encoding/hex.js";
import { BraidError } from "../encoding/errors.js";
import type { Transaction, TxType } from "../tx/types.js";
import type { AccountInit } from "../vm/types.js";
import type { BlockInput, PreState, Withdrawal } from "./types.js";

type Json = Record<string, unknown>;

function field(o: Json, name: string, where: string): string {
  const v = o[name];
  if (typeof v !== "string") throw new BraidError("BLOCK_INVALID", `${where}: field '${name}' is missing or not a string`);
  return v;
}
function opt(o: Json, name: string): string | undefined {
  const v = o[name];
  return typeof v === "string" ? v : undefined;
}
function num(o: Json, name: string, where: string): bigint {
  try { return hexToBigInt(field(o, name, where)); } catch (e) {
    throw new BraidError("BLOCK_INVALID", `${where}: field '${name}' is not a hex number (${(e as Error).message})`);
  }
}
function bytes(o: Json, name: string, where: string, len?: number): Uint8Array {
  let b: Uint8Array;
  try { b = hexToBytes(field(o, name, where)); } catch (e) {
    throw new BraidError("BLOCK_INVALID", `${where}: field '${name}' is not hex (${(e as Error).message})`);
  }
  if (len !== undefined && b.length !== len) throw new BraidError("BLOCK_INVALID", `${where}: field '${name}' must be ${len} bytes, got ${b.length}`);
  return b;
}

export function transactionFromRpc(t: Json, where: string): Transaction {
  const type = Number(opt(t, "type") ? hexToBigInt(opt(t, "type")!) : 0n) as TxType;
  if (![0, 1, 2, 3].includes(type)) throw new BraidError("TX_TYPE_NOT_SUPPORTED", `${where}: transaction type ${type} is not supported`);
  const to = t.to === null || t.to === undefined || t.to === "" ? null : bytes(t, "to", where, 20);
  const tx: Transaction = {
    type,
    nonce: num(t, "nonce", where),
    gasLimit: num(t, "gas", where),
    to,
    value: num(t, "value", where),
    data: bytes(t, "input", where),
    accessList: Array.isArray(t.accessList)
      ? (t.accessList as Json[]).map((e, i) => ({
          address: bytes(e, "address", `${where}.accessList[${i}]`, 20),
          storageKeys: ((e.storageKeys as string[]) ?? []).map((k) => hexToBytes(k)),
        }))
      : [],
    v: num(t, "v", where),
    r: num(t, "r", where),
    s: num(t, "s", where),
  };
  if (opt(t, "chainId") !== undefined) tx.chainId = num(t, "chainId", where);
  if (type === 0 || type === 1) tx.gasPrice = num(t, "gasPrice", where);
  else {
    tx.maxFeePerGas = num(t, "maxFeePerGas", where);
    tx.maxPriorityFeePerGas = num(t, "maxPriorityFeePerGas", where);
  }
  if (type === 3) {
    tx.maxFeePerBlobGas = num(t, "maxFeePerBlobGas", where);
    tx.blobVersionedHashes = ((t.blobVersionedHashes as string[]) ?? []).map((h) => hexToBytes(h));
  }
  if (opt(t, "from") !== undefined) tx.sender = bytes(t, "from", where, 20);
  return tx;
}

export function blockFromRpc(json: unknown): BlockInput {
  const b = (json && typeof json === "object" && "result" in (json as Json) ? (json as Json).result : json) as Json;
  if (!b || typeof b !== "object") throw new BraidError("BLOCK_INVALID", "block: expected a JSON object");
  const w = "block";
  const txs = b.transactions;
  if (!Array.isArray(txs)) throw new BraidError("BLOCK_INVALID", "block: 'transactions' must be an array of full transactions");
  const withdrawals: Withdrawal[] = Array.isArray(b.withdrawals)
    ? (b.withdrawals as Json[]).map((x, i) => ({ address: bytes(x, "address", `withdrawals[${i}]`, 20), amountGwei: num(x, "amount", `withdrawals[${i}]`) }))
    : [];
  return {
    header: {
      number: num(b, "number", w),
      timestamp: num(b, "timestamp", w),
      coinbase: bytes(b, "miner", w, 20),
      gasLimit: num(b, "gasLimit", w),
      gasUsed: num(b, "gasUsed", w),
      baseFee: opt(b, "baseFeePerGas") !== undefined ? num(b, "baseFeePerGas", w) : undefined,
      difficulty: num(b, "difficulty", w),
      mixHash: opt(b, "mixHash") !== undefined ? bytes(b, "mixHash", w, 32) : new Uint8Array(32),
      excessBlobGas: opt(b, "excessBlobGas") !== undefined ? num(b, "excessBlobGas", w) : undefined,
      parentBeaconBlockRoot: opt(b, "parentBeaconBlockRoot") !== undefined ? bytes(b, "parentBeaconBlockRoot", w, 32) : undefined,
      receiptsRoot: bytes(b, "receiptsRoot", w, 32),
      logsBloom: bytes(b, "logsBloom", w, 256),
      uncles: Array.isArray(b.uncles) ? (b.uncles as unknown[]).filter((u): u is string => typeof u === "string").map((u) => hexToBytes(u)) : [],
    },
    transactions: txs.map((t, i) => {
      if (!t || typeof t !== "object") throw new BraidError("BLOCK_INVALID", `transactions[${i}]: expected a full transaction object`);
      return transactionFromRpc(t as Json, `transactions[${i}]`);
    }),
    withdrawals,
  };
}

export function preStateFromAlloc(alloc: unknown, blockHashes?: unknown): PreState {
  if (!alloc || typeof alloc !== "object") throw new BraidError("ALLOC_INVALID", "alloc: expected a JSON object of accounts");
  const accounts: Array<[Uint8Array, AccountInit]> = [];
  for (const [addr, a] of Object.entries(alloc as Record<string, Json>)) {
    const w = `alloc[${addr}]`;
    let address: Uint8Array;
    try { address = hexToBytes(addr); } catch { throw new BraidError("ALLOC_INVALID", `${w}: address is not hex`); }
    if (address.length !== 20) throw new BraidError("ALLOC_INVALID", `${w}: address must be 20 bytes`);
    const storage: Array<[bigint, bigint]> = [];
    const st = a.storage;
    if (st && typeof st === "object") for (const [k, v] of Object.entries(st as Record<string, string>)) storage.push([hexToBigInt(k), hexToBigInt(v)]);
    accounts.push([address, {
      nonce: opt(a, "nonce") !== undefined ? num(a, "nonce", w) : 0n,
      balance: opt(a, "balance") !== undefined ? num(a, "balance", w) : 0n,
      code: opt(a, "code") !== undefined ? bytes(a, "code", w) : new Uint8Array(0),
      storage,
    }]);
  }
  const hashes = new Map<bigint, Uint8Array>();
  if (blockHashes && typeof blockHashes === "object") {
    for (const [n, h] of Object.entries(blockHashes as Record<string, string>)) hashes.set(BigInt(n), hexToBytes(h));
  }
  return { accounts, blockHashes: hashes };
}
