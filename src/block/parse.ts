// Blocks and pre-states from JSON: an eth_getBlockByNumber(n, true) response and geth's alloc
// format. Errors name the field that is wrong.
import { hexToBytes, hexToBigInt, bytesToHex } from "../encoding/hex.js";
import { BraidError } from "../encoding/errors.js";
import { isUint } from "../encoding/uint.js";
import type { Transaction, TxType } from "../tx/types.js";
import type { AccountInit } from "../vm/types.js";
import type { BlockInput, PreState, Withdrawal } from "./types.js";

type Json = Record<string, unknown>;

/** Whether an optional field is given (null counts as absent); a given one must then parse. */
function has(o: Json, name: string): boolean {
  return o[name] !== undefined && o[name] !== null;
}
function object(v: unknown, where: string, code = "BLOCK_INVALID"): Json {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BraidError(code, `${where}: expected a JSON object`);
  return v as Json;
}
/** An array field (absent: empty). */
function list(o: Json, name: string, where: string): unknown[] {
  if (!has(o, name)) return [];
  if (!Array.isArray(o[name])) throw new BraidError("BLOCK_INVALID", `${where}: field '${name}' must be an array`);
  return o[name] as unknown[];
}

/**
 * A hex number of at most `bits` bits; `what` names it in errors, thrown with `code`. (Also
 * the state tests' env fields.)
 */
export function hexUint(v: unknown, what: string, bits?: number, code = "BLOCK_INVALID"): bigint {
  if (typeof v !== "string") throw new BraidError(code, `${what} is missing or not a string`);
  let n: bigint;
  try { n = hexToBigInt(v); } catch (e) { throw new BraidError(code, `${what} is not a hex number (${(e as Error).message})`); }
  if (bits !== undefined && !isUint(n, bits)) throw new BraidError(code, `${what} exceeds ${bits} bits`);
  return n;
}
/** Hex bytes, exactly `len` of them when given; `what` names them in errors, thrown with `code`. */
export function hexBytes(v: unknown, what: string, len?: number, code = "BLOCK_INVALID"): Uint8Array {
  if (typeof v !== "string") throw new BraidError(code, `${what} is missing or not a string`);
  let b: Uint8Array;
  try { b = hexToBytes(v); } catch (e) { throw new BraidError(code, `${what} is not hex (${(e as Error).message})`); }
  if (len !== undefined && b.length !== len) throw new BraidError(code, `${what} must be ${len} bytes, got ${b.length}`);
  return b;
}

/** A hex number field; `bits` bounds it (a nonce has 64, a balance or a storage word 256). */
function num(o: Json, name: string, where: string, bits?: number, code = "BLOCK_INVALID"): bigint {
  return hexUint(o[name], `${where}: field '${name}'`, bits, code);
}
/** A hex bytes field. */
function bytes(o: Json, name: string, where: string, len?: number, code = "BLOCK_INVALID"): Uint8Array {
  return hexBytes(o[name], `${where}: field '${name}'`, len, code);
}
/** A 256-bit hex word (a storage key or value); `what` names it in errors. */
function word(v: unknown, what: string): bigint {
  if (typeof v !== "string") throw new BraidError("ALLOC_INVALID", `${what}: expected a hex string`);
  return hexUint(v, what, 256, "ALLOC_INVALID");
}

export function transactionFromRpc(json: unknown, where = "transaction"): Transaction {
  const t = object(json, where);
  const type = Number(has(t, "type") ? num(t, "type", where, 8) : 0n) as TxType;
  if (![0, 1, 2, 3].includes(type)) throw new BraidError("TX_TYPE_NOT_SUPPORTED", `${where}: transaction type ${type} is not supported`);
  const to = t.to === null || t.to === undefined || t.to === "" ? null : bytes(t, "to", where, 20);
  const tx: Transaction = {
    type,
    nonce: num(t, "nonce", where),
    gasLimit: num(t, "gas", where),
    to,
    value: num(t, "value", where),
    data: bytes(t, "input", where),
    accessList: list(t, "accessList", where).map((x, i) => {
      const at = `${where}.accessList[${i}]`, e = object(x, at);
      return { address: bytes(e, "address", at, 20), storageKeys: list(e, "storageKeys", at).map((k, j) => hexBytes(k, `${at}.storageKeys[${j}]`, 32)) };
    }),
    v: num(t, "v", where),
    r: num(t, "r", where),
    s: num(t, "s", where),
  };
  if (has(t, "chainId")) tx.chainId = num(t, "chainId", where);
  if (type === 0 || type === 1) tx.gasPrice = num(t, "gasPrice", where);
  else {
    tx.maxFeePerGas = num(t, "maxFeePerGas", where);
    tx.maxPriorityFeePerGas = num(t, "maxPriorityFeePerGas", where);
  }
  if (type === 3) {
    tx.maxFeePerBlobGas = num(t, "maxFeePerBlobGas", where);
    tx.blobVersionedHashes = list(t, "blobVersionedHashes", where).map((h, j) => hexBytes(h, `${where}.blobVersionedHashes[${j}]`, 32));
  }
  if (has(t, "from")) tx.sender = bytes(t, "from", where, 20);
  return tx;
}

export function blockFromRpc(json: unknown): BlockInput {
  const b = (json && typeof json === "object" && "result" in (json as Json) ? (json as Json).result : json) as Json;
  if (!b || typeof b !== "object") throw new BraidError("BLOCK_INVALID", "block: expected a JSON object");
  const w = "block";
  const txs = b.transactions;
  if (!Array.isArray(txs)) throw new BraidError("BLOCK_INVALID", "block: 'transactions' must be an array of full transactions");
  const withdrawals: Withdrawal[] = list(b, "withdrawals", w).map((x, i) => {
    const at = `withdrawals[${i}]`, e = object(x, at);
    return { address: bytes(e, "address", at, 20), amountGwei: num(e, "amount", at, 64) };
  });
  return {
    header: {
      number: num(b, "number", w, 64),
      timestamp: num(b, "timestamp", w, 64),
      coinbase: bytes(b, "miner", w, 20),
      gasLimit: num(b, "gasLimit", w, 64),
      gasUsed: num(b, "gasUsed", w, 64),
      baseFee: has(b, "baseFeePerGas") ? num(b, "baseFeePerGas", w, 256) : undefined,
      difficulty: num(b, "difficulty", w, 256),
      mixHash: has(b, "mixHash") ? bytes(b, "mixHash", w, 32) : new Uint8Array(32),
      excessBlobGas: has(b, "excessBlobGas") ? num(b, "excessBlobGas", w, 64) : undefined,
      parentBeaconBlockRoot: has(b, "parentBeaconBlockRoot") ? bytes(b, "parentBeaconBlockRoot", w, 32) : undefined,
      receiptsRoot: bytes(b, "receiptsRoot", w, 32),
      logsBloom: bytes(b, "logsBloom", w, 256),
      uncles: list(b, "uncles", w).map((u, i) => hexBytes(u, `block.uncles[${i}]`, 32)),
    },
    transactions: txs.map((t, i) => {
      if (!t || typeof t !== "object") throw new BraidError("BLOCK_INVALID", `transactions[${i}]: expected a full transaction object`);
      return transactionFromRpc(t as Json, `transactions[${i}]`);
    }),
    withdrawals,
  };
}

/**
 * Accounts in geth's alloc format (also a state test's `pre`): address -> {nonce, balance, code,
 * storage}, every field optional. `where` names the object in errors ("alloc", "pre").
 */
export function accountsFromJson(json: unknown, where = "alloc"): Array<[Uint8Array, AccountInit]> {
  const accounts: Array<[Uint8Array, AccountInit]> = [];
  const seen = new Map<string, string>(); // lower-case address to the key that gave it
  for (const [addr, value] of Object.entries(object(json, where, "ALLOC_INVALID"))) {
    const w = `${where}[${addr}]`;
    let address: Uint8Array;
    try { address = hexToBytes(addr); } catch { throw new BraidError("ALLOC_INVALID", `${w}: address is not hex`); }
    if (address.length !== 20) throw new BraidError("ALLOC_INVALID", `${w}: address must be 20 bytes`);
    // Keys that differ only in case (or a 0x prefix) name one account: which would win is an accident of order.
    const canonical = bytesToHex(address);
    const other = seen.get(canonical);
    if (other !== undefined) throw new BraidError("ALLOC_INVALID", `${w}: the same account as ${where}[${other}]`);
    seen.set(canonical, addr);
    const a = object(value, w, "ALLOC_INVALID");
    const storage: Array<[bigint, bigint]> = [];
    if (has(a, "storage")) {
      for (const [k, v] of Object.entries(object(a.storage, `${w}.storage`, "ALLOC_INVALID"))) {
        storage.push([word(k, `${w}.storage: key ${k}`), word(v, `${w}.storage[${k}]`)]);
      }
    }
    accounts.push([address, {
      nonce: has(a, "nonce") ? num(a, "nonce", w, 64, "ALLOC_INVALID") : 0n,
      balance: has(a, "balance") ? num(a, "balance", w, 256, "ALLOC_INVALID") : 0n,
      code: has(a, "code") ? bytes(a, "code", w, undefined, "ALLOC_INVALID") : new Uint8Array(0),
      storage,
    }]);
  }
  return accounts;
}

export function preStateFromAlloc(alloc: unknown, blockHashes?: unknown): PreState {
  const accounts = accountsFromJson(alloc);
  const hashes = new Map<bigint, Uint8Array>();
  if (blockHashes !== undefined && blockHashes !== null) {
    for (const [n, h] of Object.entries(object(blockHashes, "block hashes", "ALLOC_INVALID"))) {
      if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(n)) throw new BraidError("ALLOC_INVALID", `block hashes: key '${n}' is not a block number`);
      hashes.set(BigInt(n), hexBytes(h, `block hashes[${n}]`, 32));
    }
  }
  return { accounts, blockHashes: hashes };
}
