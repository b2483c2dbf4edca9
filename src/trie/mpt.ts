import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, compareBytes, hexToBytes } from '../encoding/hex.js';
import { rlpEncodeBytes, rlpEncodeListOfEncoded } from '../encoding/rlp.js';

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Uint8Array = hexToBytes(
  '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
);

const RLP_EMPTY_STRING: Uint8Array = Uint8Array.of(0x80);

let hashImpl: (data: Uint8Array) => Uint8Array = keccak_256;

/** keccak256, re-exported so that callers of the trie need no second hash import. */
export function keccak256(data: Uint8Array): Uint8Array {
  return hashImpl(data);
}

/**
 * Replaces the Keccak-256 implementation used by the trie and block code (a Vm installs Braid's
 * wasm Keccak, several times faster than the JavaScript one). It must return a fresh array.
 */
export function setKeccak256(fn: (data: Uint8Array) => Uint8Array): void {
  hashImpl = fn;
}

interface Entry {
  nibbles: Uint8Array;
  value: Uint8Array;
}

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}

/** Hex-prefix encoding (Yellow Paper appendix C) of nibbles[from, to). */
function hexPrefix(nibbles: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const n = to - from;
  const odd = n & 1;
  const out = new Uint8Array((n >> 1) + 1);
  const flag = leaf ? 2 : 0;
  let p = from;
  if (odd) {
    out[0] = ((flag | 1) << 4) | nibbles[p++]!;
  } else {
    out[0] = flag << 4;
  }
  for (let i = 1; i < out.length; i++, p += 2) out[i] = (nibbles[p]! << 4) | nibbles[p + 1]!;
  return out;
}

/** How a child node appears inside its parent: embedded RLP if < 32 bytes, else its hash. */
function reference(encodedNode: Uint8Array): Uint8Array {
  return encodedNode.length < 32 ? encodedNode : rlpEncodeBytes(hashImpl(encodedNode));
}

/** RLP encoding of the node holding entries[lo, hi) (sorted, distinct keys, non-empty values) below `depth` nibbles. */
function buildNode(entries: Entry[], lo: number, hi: number, depth: number): Uint8Array {
  const first = entries[lo]!;
  if (hi - lo === 1) {
    return rlpEncodeListOfEncoded([
      rlpEncodeBytes(hexPrefix(first.nibbles, depth, first.nibbles.length, true)),
      rlpEncodeBytes(first.value),
    ]);
  }
  // Common prefix of all keys = common prefix of the first and the last (keys are sorted).
  const last = entries[hi - 1]!;
  const max = Math.min(first.nibbles.length, last.nibbles.length);
  let p = depth;
  while (p < max && first.nibbles[p] === last.nibbles[p]) p++;
  if (p > depth) {
    return rlpEncodeListOfEncoded([
      rlpEncodeBytes(hexPrefix(first.nibbles, depth, p, false)),
      reference(buildNode(entries, lo, hi, p)),
    ]);
  }
  // Branch. A key ending exactly here sorts first and goes into the value slot.
  const slots = new Array<Uint8Array>(17);
  let i = lo;
  let value: Uint8Array = RLP_EMPTY_STRING;
  if (first.nibbles.length === depth) {
    value = rlpEncodeBytes(first.value);
    i++;
  }
  for (let nib = 0; nib < 16; nib++) {
    let j = i;
    while (j < hi && entries[j]!.nibbles[depth] === nib) j++;
    slots[nib] = j > i ? reference(buildNode(entries, i, j, depth + 1)) : RLP_EMPTY_STRING;
    i = j;
  }
  slots[16] = value;
  return rlpEncodeListOfEncoded(slots);
}

/**
 * Prepares entries: drops empty values (an empty value means "absent" in a trie), keeps the last
 * value for duplicate keys, sorts by key.
 */
function prepare(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Entry[] {
  let dupes = false;
  const list: Array<[Uint8Array, Uint8Array]> = [];
  for (const [k, v] of pairs) list.push([k, v]);
  list.sort((a, b) => compareBytes(a[0], b[0]));
  for (let i = 1; i < list.length; i++) {
    if (compareBytes(list[i - 1]![0], list[i]![0]) === 0) {
      dupes = true;
      break;
    }
  }
  let sorted = list;
  if (dupes) {
    // Last write wins, in input order.
    const byKey = new Map<string, [Uint8Array, Uint8Array]>();
    for (const [k, v] of pairs) byKey.set(bytesToHex(k), [k, v]);
    sorted = [...byKey.values()].sort((a, b) => compareBytes(a[0], b[0]));
  }
  const out: Entry[] = [];
  for (const [k, v] of sorted) if (v.length > 0) out.push({ nibbles: toNibbles(k), value: v });
  return out;
}

/**
 * Root hash of the Merkle-Patricia trie holding the given (key, value) pairs. Entries with an
 * empty value are treated as absent; for duplicate keys the last one wins.
 */
export function trieRoot(entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const prepared = prepare(entries);
  if (prepared.length === 0) return EMPTY_TRIE_ROOT.slice();
  return hashImpl(buildNode(prepared, 0, prepared.length, 0));
}

/** Root of the "secure" trie: every key is replaced by keccak256(key). */
export function secureTrieRoot(entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  return trieRoot(entries.map(([k, v]) => [hashImpl(k), v] as const));
}
