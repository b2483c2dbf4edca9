// EIP-1186 proofs (eth_getProof) checked against a trusted root with @ethereumjs/mpt. Only what
// the proof proves is used; the node's plain-text claims must agree with it.
import { verifyMerkleProof } from "@ethereumjs/mpt";
import { BraidError } from "../encoding/errors.js";
import { bigIntToBytes, bytesToBigInt, bytesToHex, equalBytes, hexToBigInt, hexToBytes } from "../encoding/hex.js";
import { rlpDecode } from "../encoding/rlp.js";
import { EMPTY_TRIE_ROOT } from "../trie/mpt.js";
import { EMPTY_CODE_HASH } from "../trie/state-root.js";

type Json = Record<string, unknown>;

export interface ProvenAccount {
  exists: boolean;
  nonce: bigint;
  balance: bigint;
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}

function fail(msg: string, cause?: unknown): BraidError {
  return new BraidError("PROOF_INVALID", msg, cause === undefined ? undefined : { cause });
}

function proofNodes(v: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(v)) throw fail(`${what}: proof is not an array`);
  try {
    return v.map((n) => hexToBytes(n as string));
  } catch (e) {
    throw fail(`${what}: proof node is not hex: ${(e as Error).message}`, e);
  }
}

async function prove(root: Uint8Array, key: Uint8Array, proof: Uint8Array[], what: string): Promise<Uint8Array | null> {
  try {
    return await verifyMerkleProof(key, proof, { root, useKeyHashing: true });
  } catch (e) {
    throw fail(`${what}: proof does not verify against root ${bytesToHex(root)}`, e);
  }
}

function claim(o: Json, name: string, what: string): string {
  const v = o[name];
  if (typeof v !== "string") throw fail(`${what}: field '${name}' is missing or not a string`);
  return v;
}

/** Verifies an eth_getProof result's account proof; an exclusion proof gives `exists: false`. */
export async function verifyAccountProof(stateRoot: Uint8Array, address: Uint8Array, result: unknown): Promise<ProvenAccount> {
  const what = `account ${bytesToHex(address)}`;
  if (!result || typeof result !== "object") throw fail(`${what}: eth_getProof returned no object`);
  const o = result as Json;
  const leaf = await prove(stateRoot, address, proofNodes(o.accountProof, what), what);
  let acct: ProvenAccount;
  if (leaf === null) {
    acct = { exists: false, nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH };
  } else {
    let f: unknown;
    try { f = rlpDecode(leaf); } catch (e) { throw fail(`${what}: account leaf is not RLP`, e); }
    if (!Array.isArray(f) || f.length !== 4 || f.some((x) => !(x instanceof Uint8Array))
      || (f[2] as Uint8Array).length !== 32 || (f[3] as Uint8Array).length !== 32) {
      throw fail(`${what}: account leaf is not [nonce, balance, storageRoot, codeHash]`);
    }
    const [n, b, s, c] = f as Uint8Array[];
    acct = { exists: true, nonce: bytesToBigInt(n!), balance: bytesToBigInt(b!), storageRoot: s!, codeHash: c! };
  }
  try {
    const ok = hexToBigInt(claim(o, "nonce", what)) === acct.nonce && hexToBigInt(claim(o, "balance", what)) === acct.balance
      && equalBytes(hexToBytes(claim(o, "storageHash", what)), acct.storageRoot) && equalBytes(hexToBytes(claim(o, "codeHash", what)), acct.codeHash);
    if (!ok) throw fail(`${what}: the node's nonce/balance/storageHash/codeHash disagree with its own proof`);
  } catch (e) {
    if (e instanceof BraidError && e.code === "PROOF_INVALID") throw e;
    throw fail(`${what}: malformed eth_getProof fields: ${(e as Error).message}`, e);
  }
  return acct;
}

/** Verifies one `storageProof` entry for `slot` against the account's (proven) storage root. */
export async function verifyStorageProof(storageRoot: Uint8Array, address: Uint8Array, slot: bigint, entry: unknown): Promise<bigint> {
  const what = `account ${bytesToHex(address)} slot ${bytesToHex(bigIntToBytes(slot, 32))}`;
  if (!entry || typeof entry !== "object") throw fail(`${what}: no storage proof returned`);
  const o = entry as Json;
  let claimedKey: bigint, claimedValue: bigint;
  try {
    claimedKey = hexToBigInt(claim(o, "key", what));
    claimedValue = hexToBigInt(claim(o, "value", what));
  } catch (e) {
    if (e instanceof BraidError && e.code === "PROOF_INVALID") throw e;
    throw fail(`${what}: malformed storage proof fields: ${(e as Error).message}`, e);
  }
  if (claimedKey !== slot) throw fail(`${what}: the node answered for slot 0x${claimedKey.toString(16)} instead`);
  let value = 0n;
  // An empty storage root (itself proven by the account proof) holds no slot: nothing to check.
  if (!equalBytes(storageRoot, EMPTY_TRIE_ROOT)) {
    const leaf = await prove(storageRoot, bigIntToBytes(slot, 32), proofNodes(o.proof, what), what);
    if (leaf !== null) {
      let v: unknown;
      try { v = rlpDecode(leaf); } catch (e) { throw fail(`${what}: storage leaf is not RLP`, e); }
      if (!(v instanceof Uint8Array) || v.length > 32) throw fail(`${what}: storage leaf is not a value of at most 32 bytes`);
      value = bytesToBigInt(v);
    }
  }
  if (value !== claimedValue) throw fail(`${what}: the node says 0x${claimedValue.toString(16)} but its proof gives 0x${value.toString(16)}`);
  return value;
}
