// Block headers from eth_getBlockByNumber: the fields are re-encoded (RLP) and hashed, so a
// header is only used once it hashes to the value it claims (or to one the caller trusts).
import { BraidError } from "../encoding/errors.js";
import { bytesToHex, equalBytes, hexToBigInt, hexToBytes, isBytes } from "../encoding/hex.js";
import { rlpEncode, type RlpItem } from "../encoding/rlp.js";
import { keccak256 } from "../trie/mpt.js";

type Json = Record<string, unknown>;

/** A header whose hash has been recomputed from its fields. */
export interface RpcHeader {
  number: bigint;
  hash: Uint8Array;
  parentHash: Uint8Array;
  /** keccak256 of the RLP list of the uncle headers. */
  sha3Uncles: Uint8Array;
  stateRoot: Uint8Array;
  transactionsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  timestamp: bigint;
  /** The fork-dependent fields present, in order (e.g. "withdrawalsRoot"). */
  optional: string[];
  /** The node's JSON (with transactions, when fetched with them). */
  json: Json;
}

type Kind = number | "int" | "bytes"; // a number is a fixed byte length

const BASE: Array<[string, Kind]> = [
  ["parentHash", 32], ["sha3Uncles", 32], ["miner", 20], ["stateRoot", 32], ["transactionsRoot", 32],
  ["receiptsRoot", 32], ["logsBloom", 256], ["difficulty", "int"], ["number", "int"], ["gasLimit", "int"],
  ["gasUsed", "int"], ["timestamp", "int"], ["extraData", "bytes"], ["mixHash", 32], ["nonce", 8],
];

/** Fields added by forks (London, Shanghai, Cancun x3, Prague): each requires all before it. */
const OPTIONAL: Array<[string, Kind]> = [
  ["baseFeePerGas", "int"], ["withdrawalsRoot", 32], ["blobGasUsed", "int"], ["excessBlobGas", "int"],
  ["parentBeaconBlockRoot", 32], ["requestsHash", 32],
];

function invalid(where: string, msg: string): BraidError {
  return new BraidError("HEADER_INVALID", `${where}: ${msg}`);
}

function read(o: Json, name: string, kind: Kind, where: string): Uint8Array | bigint {
  const v = o[name];
  if (typeof v !== "string") throw invalid(where, `field '${name}' is missing or not a string`);
  try {
    if (kind === "int") return hexToBigInt(v);
    const b = hexToBytes(v);
    if (typeof kind === "number" && b.length !== kind) throw invalid(where, `field '${name}' must be ${kind} bytes, got ${b.length}`);
    return b;
  } catch (e) {
    if (e instanceof BraidError && e.code === "HEADER_INVALID") throw e;
    throw invalid(where, `field '${name}' is not hex: ${(e as Error).message}`);
  }
}

/** The RLP list a header hashes over, and the names of the optional fields it holds. */
export function headerFields(json: Json, where = "header"): { fields: RlpItem[]; optional: string[] } {
  const fields: RlpItem[] = BASE.map(([n, k]) => read(json, n, k, where));
  const optional: string[] = [];
  let missing: string | undefined;
  for (const [n, k] of OPTIONAL) {
    if (json[n] === undefined || json[n] === null) {
      missing ??= n;
      continue;
    }
    if (missing) throw invalid(where, `has '${n}' but not '${missing}', which comes before it`);
    fields.push(read(json, n, k, where));
    optional.push(n);
  }
  return { fields, optional };
}

/** keccak256(RLP(header)). */
export function computeHeaderHash(json: Json, where = "header"): Uint8Array {
  return keccak256(rlpEncode(headerFields(json, where).fields));
}

/**
 * Parses an eth_getBlockByNumber result and checks that its fields hash to its `hash` (and, if
 * given, to `expected`, a hash the caller already trusts).
 */
export function verifyHeader(json: unknown, expected?: Uint8Array, where?: string): RpcHeader {
  if (expected !== undefined && !isBytes(expected, 32)) throw new BraidError("OPTIONS_INVALID", `${where ?? "header"}: the trusted hash must be 32 bytes`);
  if (!json || typeof json !== "object" || Array.isArray(json)) throw invalid(where ?? "header", "expected a block object (null: no such block?)");
  const o = json as Json;
  const w = where ?? (typeof o.number === "string" ? `header ${hexToBigInt(o.number)}` : "header");
  const { fields, optional } = headerFields(o, w);
  const hash = keccak256(rlpEncode(fields));
  const claimed = read(o, "hash", 32, w) as Uint8Array;
  if (!equalBytes(hash, claimed)) {
    throw new BraidError("HEADER_HASH_MISMATCH", `${w}: fields hash to ${bytesToHex(hash)}, but the node says ${bytesToHex(claimed)}`);
  }
  if (expected && !equalBytes(hash, expected)) {
    throw new BraidError("HEADER_HASH_MISMATCH", `${w}: hashes to ${bytesToHex(hash)}, expected ${bytesToHex(expected)}`);
  }
  return {
    number: fields[8] as bigint,
    hash,
    parentHash: fields[0] as Uint8Array,
    sha3Uncles: fields[1] as Uint8Array,
    stateRoot: fields[3] as Uint8Array,
    transactionsRoot: fields[4] as Uint8Array,
    receiptsRoot: fields[5] as Uint8Array,
    timestamp: fields[11] as bigint,
    optional,
    json: o,
  };
}
