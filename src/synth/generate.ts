// Synthetic Cancun block fixtures (`braid synth`): blocks built to exercise a parallel executor
// with a known amount of conflict, in the format of ../shared/fixtures/mainnet-blocks/<n>/.
//
// Every transaction is an EIP-1559 (type 2) transaction on chain 1, signed with a private key
// derived from the seed; sender i of a block always uses key i. Contracts are placed in the alloc
// as RUNTIME bytecode (compiled from contracts/*.sol, see solidity.ts) with their storage
// preloaded, no constructor run. The header's gasUsed, receiptsRoot and logsBloom (and
// stateRoot, transactionsRoot, hash) come from executing the block with Braid's sequential
// executor; a transaction that does not succeed aborts the generation.
//
// Kinds and where their conflicts come from:
//   raw-transfers  N ETH transfers, distinct senders -> distinct recipients: no conflict but the
//                  coinbase (its fee credit, which every transaction touches).
//   erc20          N Token.transfer calls, distinct senders -> distinct recipients: disjoint
//                  balance slots of one contract (no storage conflict).
//   erc20-hot      N transfers from distinct senders to ONE recipient: every transaction reads and
//                  writes the same balance slot.
//   amm            N swaps over ceil(N/2) Pair pools, each transaction picking a pool at random:
//                  transactions on the same pool conflict on its reserves slot, others do not.
//   amm-one-pool   N swaps on a single pool: fully serial.
//   chain          every transaction calls Counter.increment(i), which requires count == i and
//                  writes i+1: each transaction depends on the one before (and reverts if reordered).
//   mixed          shuffled: 40% erc20, 30% swaps over ceil(swaps/2) pools, 20% raw transfers, and
//                  the rest (~10%) half hot-recipient transfers, half counter increments.
import { gzipSync } from "node:zlib";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../encoding/errors.js";
import { bytesToHex, hexToBytes } from "../encoding/hex.js";
import { rlpEncode, type RlpItem } from "../encoding/rlp.js";
import { blockFromRpc, preStateFromAlloc } from "../block/parse.js";
import { executeBlock } from "../block/execute.js";
import type { BlockResult } from "../block/types.js";
import { loadBraidModule } from "../node/load.js";
import { EMPTY_TRIE_ROOT, keccak256 } from "../trie/mpt.js";
import { EMPTY_LOGS_HASH, ordinalTrieRoot, stateRoot } from "../trie/state-root.js";
import { encodeTransaction } from "../tx/decode.js";
import { signTransaction, transactionHash } from "../tx/sign.js";
import type { Transaction } from "../tx/types.js";
import { Vm } from "../vm/vm.js";
import { compileContracts } from "./solidity.js";
import { Rng, addressWord, callData, deriveAddress, derivePrivateKey, mappingSlot, word } from "./util.js";

export const SYNTH_KINDS = ["raw-transfers", "erc20", "erc20-hot", "amm", "amm-one-pool", "chain", "mixed"] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];
export type TxCategory = "raw" | "erc20" | "hot" | "swap" | "chain";

export function isSynthKind(s: string): s is SynthKind {
  return (SYNTH_KINDS as readonly string[]).includes(s);
}

/** Gas limit of each kind of transaction: generous but realistic (what wallets typically send). */
export const TX_GAS_LIMIT: Record<TxCategory, bigint> = { raw: 21_000n, erc20: 100_000n, hot: 100_000n, swap: 150_000n, chain: 80_000n };

const GWEI = 10n ** 9n;
const ETHER = 10n ** 18n;
/** First Cancun block and its timestamp on mainnet; synthetic blocks lie in [20M, 21M), before Prague. */
const CANCUN_BLOCK = 19_426_587n;
const CANCUN_TIME = 1_710_338_135n;
/** Total difficulty of mainnet at the merge, what post-merge RPC responses report. */
const TERMINAL_TOTAL_DIFFICULTY = 58_750_003_716_598_352_816_469n;

// Storage slots of the contracts (the layout is checked against solc in solidity.ts).
const TOKEN_BALANCES = 0n;
const TOKEN_TOTAL_SUPPLY = 2n;
const PAIR_RESERVES = 0n;
const PAIR_BALANCE0 = 1n;
const PAIR_BALANCE1 = 2n;
const PAIR_PRICE0_CUMULATIVE = 3n;
const PAIR_PRICE1_CUMULATIVE = 4n;

export interface SynthOptions {
  kind: SynthKind;
  /** Number of transactions, a positive integer. */
  txs: number;
  /** Any string; the same seed gives byte-identical fixtures. Default "1". */
  seed?: string;
}

export interface SynthMeta {
  generator: "braid synth";
  kind: SynthKind;
  txs: number;
  seed: string;
  solc: string;
  number: number;
  gasUsed: number;
  gasLimit: number;
  /** Transactions per category. */
  categories: Record<TxCategory, number>;
  /** The category of each transaction, in block order. */
  txCategories: TxCategory[];
  contracts: { token?: string; counter?: string; pools: string[] };
  hotRecipient?: string;
}

type AllocJson = Record<string, { balance: string; nonce: string; code: string; storage: Record<string, string> }>;

export interface SynthBlock {
  /** The eth_getBlockByNumber(n, true) result. */
  block: Record<string, unknown>;
  alloc: AllocJson;
  meta: SynthMeta;
  /** The sequential execution the header was filled from. */
  result: BlockResult;
}

interface AccountDraft {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<bigint, bigint>;
}

class Alloc {
  readonly accounts = new Map<string, AccountDraft>();

  get(address: Uint8Array): AccountDraft {
    const key = bytesToHex(address);
    let a = this.accounts.get(key);
    if (!a) this.accounts.set(key, (a = { balance: 0n, nonce: 0n, code: new Uint8Array(0), storage: new Map() }));
    return a;
  }

  has(address: Uint8Array): boolean {
    return this.accounts.has(bytesToHex(address));
  }

  setSlot(address: Uint8Array, slot: bigint, value: bigint): void {
    this.get(address).storage.set(slot, value);
  }

  toJson(): AllocJson {
    const out: AllocJson = {};
    const hex32 = (v: bigint) => bytesToHex(word(v));
    for (const [addr, a] of [...this.accounts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      const storage: Record<string, string> = {};
      for (const [k, v] of [...a.storage].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) storage[hex32(k)] = hex32(v);
      out[addr] = { balance: q(a.balance), nonce: q(a.nonce), code: bytesToHex(a.code), storage };
    }
    return out;
  }
}

/** JSON-RPC quantity: minimal hex, "0x0" for zero. */
function q(v: bigint | number): string {
  return "0x" + BigInt(v).toString(16);
}

function plan(kind: SynthKind, n: number, rng: Rng): { cats: TxCategory[]; pools: number } {
  const all = (c: TxCategory) => new Array<TxCategory>(n).fill(c);
  switch (kind) {
    case "raw-transfers": return { cats: all("raw"), pools: 0 };
    case "erc20": return { cats: all("erc20"), pools: 0 };
    case "erc20-hot": return { cats: all("hot"), pools: 0 };
    case "amm": return { cats: all("swap"), pools: Math.max(1, Math.ceil(n / 2)) };
    case "amm-one-pool": return { cats: all("swap"), pools: 1 };
    case "chain": return { cats: all("chain"), pools: 0 };
    case "mixed": {
      const erc = Math.floor(n * 0.4), swap = Math.floor(n * 0.3), raw = Math.floor(n * 0.2);
      const rest = n - erc - swap - raw;
      const hot = Math.ceil(rest / 2), chain = rest - hot;
      const cats: TxCategory[] = [];
      const push = (c: TxCategory, k: number) => { for (let i = 0; i < k; i++) cats.push(c); };
      push("erc20", erc); push("swap", swap); push("raw", raw); push("hot", hot); push("chain", chain);
      return { cats: rng.shuffle(cats), pools: swap > 0 ? Math.max(1, Math.ceil(swap / 2)) : 0 };
    }
  }
}

let sharedVm: Vm | undefined;

/** Builds, signs and executes a synthetic block. Throws BraidError('SYNTH_TX_FAILED') if any transaction fails. */
/** The largest block `synthesizeBlock` makes (a million plain transfers is 21 Ggas). */
export const MAX_SYNTH_TXS = 1_000_000;

export function synthesizeBlock(opts: SynthOptions, vm?: Vm): SynthBlock {
  const { kind, txs: n } = opts;
  const seed = opts.seed ?? "1";
  if (!isSynthKind(kind)) throw new BraidError("SYNTH_USAGE", `unknown synth kind '${kind}' (one of ${SYNTH_KINDS.join(", ")})`);
  if (!Number.isSafeInteger(n) || n < 1) throw new BraidError("SYNTH_USAGE", `the number of transactions must be a positive integer, got ${n}`);
  if (n > MAX_SYNTH_TXS) throw new BraidError("SYNTH_USAGE", `at most ${MAX_SYNTH_TXS.toLocaleString("en-US")} transactions per block, got ${n}`);
  const compiled = compileContracts();
  const rng = new Rng(`braid-synth/${seed}/${kind}/rng`);
  const { cats, pools: poolCount } = plan(kind, n, rng);
  const uses = new Set(cats);

  const number = 20_000_000n + BigInt(rng.int(0, 1_000_000));
  const timestamp = CANCUN_TIME + (number - CANCUN_BLOCK) * 12n;
  const baseFee = rng.big(5n * GWEI, 40n * GWEI);
  const coinbase = deriveAddress(seed, "coinbase");
  const alloc = new Alloc();

  // Contracts: runtime bytecode plus preloaded storage (layout in contracts/*.sol).
  let token: Uint8Array | undefined, counter: Uint8Array | undefined, hotRecipient: Uint8Array | undefined;
  let totalSupply = 0n;
  const creditToken = (holder: Uint8Array, amount: bigint) => {
    const slot = mappingSlot(holder, TOKEN_BALANCES);
    const acct = alloc.get(token!);
    acct.storage.set(slot, (acct.storage.get(slot) ?? 0n) + amount);
    totalSupply += amount;
  };
  if (uses.has("erc20") || uses.has("hot")) {
    token = deriveAddress(seed, "token");
    alloc.get(token).code = compiled.contracts.Token.runtime;
    alloc.get(token).nonce = 1n;
  }
  if (uses.has("hot")) {
    hotRecipient = deriveAddress(seed, "hot-recipient");
    creditToken(hotRecipient, rng.big(10n ** 22n, 10n ** 26n));
  }
  if (uses.has("chain")) {
    counter = deriveAddress(seed, "counter");
    alloc.get(counter).code = compiled.contracts.Counter.runtime;
    alloc.get(counter).nonce = 1n; // count (slot 0) starts at 0: nothing to preload
  }
  const pools: Array<{ address: Uint8Array; r0: bigint; r1: bigint }> = [];
  for (let j = 0; j < poolCount; j++) {
    const address = deriveAddress(seed, "pair", j);
    const r0 = rng.big(10n ** 21n, 10n ** 24n), r1 = rng.big(10n ** 21n, 10n ** 24n);
    const last = timestamp - rng.big(12n, 3600n); // the block's first swap on a pool updates the price accumulators
    const a = alloc.get(address);
    a.code = compiled.contracts.Pair.runtime;
    a.nonce = 1n;
    a.storage.set(PAIR_RESERVES, (last << 224n) | (r1 << 112n) | r0);
    a.storage.set(PAIR_PRICE0_CUMULATIVE, rng.big(1n << 140n, 1n << 180n));
    a.storage.set(PAIR_PRICE1_CUMULATIVE, rng.big(1n << 140n, 1n << 180n));
    pools.push({ address, r0, r1 });
  }

  const signed: Transaction[] = [];
  let recipientIndex = 0, chainIndex = 0, gasLimitSum = 0n;
  const categories: Record<TxCategory, number> = { raw: 0, erc20: 0, hot: 0, swap: 0, chain: 0 };
  for (let i = 0; i < n; i++) {
    const cat = cats[i]!;
    categories[cat]++;
    const privateKey = derivePrivateKey(seed, i);
    // Storage the sender needs (token or pool balances), written once signing gives its address.
    let fund: ((sender: Uint8Array) => void) | undefined;
    const gasLimit = TX_GAS_LIMIT[cat];
    gasLimitSum += gasLimit;
    const tip = rng.big(GWEI / 100n, 2n * GWEI);
    const maxFee = 2n * baseFee + tip;
    let to: Uint8Array, value = 0n, data: Uint8Array = new Uint8Array(0);
    switch (cat) {
      case "raw": {
        to = deriveAddress(seed, "recipient", recipientIndex++);
        value = rng.big(ETHER / 1000n, ETHER / 2n);
        if (rng.chance(0.5)) alloc.get(to).balance = rng.big(ETHER / 100n, 20n * ETHER); // else a new account
        break;
      }
      case "erc20":
      case "hot": {
        const recipient = cat === "hot" ? hotRecipient! : deriveAddress(seed, "recipient", recipientIndex++);
        const amount = rng.big(ETHER, 10_000n * ETHER);
        const senderTokens = amount + (rng.chance(0.8) ? rng.big(1n, 10_000n * ETHER) : 0n);
        fund = (sender) => creditToken(sender, senderTokens);
        if (cat === "erc20" && rng.chance(0.5)) creditToken(recipient, rng.big(1n, 10_000n * ETHER)); // else its first tokens
        to = token!;
        data = callData("transfer(address,uint256)", addressWord(recipient), word(amount));
        break;
      }
      case "swap": {
        const pool = pools[rng.int(0, pools.length)]!;
        const zeroForOne = rng.chance(0.5);
        // 0.01% .. 1% of the pool's initial input reserve: small enough for any sequence of swaps.
        const amountIn = ((zeroForOne ? pool.r0 : pool.r1) * rng.big(1n, 100n)) / 10_000n;
        const [inSlot, outSlot] = zeroForOne ? [PAIR_BALANCE0, PAIR_BALANCE1] : [PAIR_BALANCE1, PAIR_BALANCE0];
        const inBalance = amountIn + (rng.chance(0.8) ? rng.big(1n, amountIn) : 0n);
        const outBalance = rng.chance(0.5) ? rng.big(1n, 10n ** 21n) : 0n;
        fund = (sender) => {
          alloc.setSlot(pool.address, mappingSlot(sender, inSlot), inBalance);
          if (outBalance) alloc.setSlot(pool.address, mappingSlot(sender, outSlot), outBalance);
        };
        to = pool.address;
        data = callData("swap(uint256,bool)", word(amountIn), word(zeroForOne ? 1n : 0n));
        break;
      }
      case "chain": {
        to = counter!;
        data = callData("increment(uint256)", word(BigInt(chainIndex++)));
        break;
      }
    }
    const nonce = rng.big(0n, 2_000n);
    const tx: Transaction = {
      type: 2, chainId: 1n, nonce, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee, gasLimit,
      to, value, data, accessList: [], v: 0n, r: 0n, s: 0n,
    };
    const st = signTransaction(tx, privateKey);
    signed.push(st);
    if (alloc.has(st.sender!)) throw new BraidError("SYNTH_FAILED", `sender ${i} collides with another account`);
    const sender = alloc.get(st.sender!);
    sender.nonce = nonce;
    sender.balance = gasLimit * maxFee + value + rng.big(ETHER / 10n, 5n * ETHER);
    fund?.(st.sender!);
  }
  if (token) alloc.setSlot(token, TOKEN_TOTAL_SUPPLY, totalSupply);
  if (alloc.has(coinbase)) throw new BraidError("SYNTH_FAILED", "the coinbase collides with another account");

  const mb = 1_000_000n;
  const gasLimit = gasLimitSum < 30n * mb ? 30n * mb : ((gasLimitSum + mb - 1n) / mb) * mb;
  const hashes = signed.map((t) => bytesToHex(transactionHash(t)));
  const txJson = signed.map((t, i) => ({
    hash: hashes[i],
    nonce: q(t.nonce),
    blockHash: "", // filled in below
    blockNumber: q(number),
    transactionIndex: q(i),
    from: bytesToHex(t.sender!),
    to: bytesToHex(t.to!),
    value: q(t.value),
    gasPrice: q(baseFee + t.maxPriorityFeePerGas! < t.maxFeePerGas! ? baseFee + t.maxPriorityFeePerGas! : t.maxFeePerGas!),
    gas: q(t.gasLimit),
    maxFeePerGas: q(t.maxFeePerGas!),
    maxPriorityFeePerGas: q(t.maxPriorityFeePerGas!),
    input: bytesToHex(t.data),
    r: q(t.r),
    s: q(t.s),
    v: q(t.v),
    yParity: q(t.v),
    chainId: q(1n),
    accessList: [],
    type: "0x2",
  }));
  const extraData = new TextEncoder().encode(`braid synth ${kind}`.slice(0, 32));
  const header = {
    hash: "",
    parentHash: bytesToHex(rng.bytes(32)),
    sha3Uncles: bytesToHex(EMPTY_LOGS_HASH),
    miner: bytesToHex(coinbase),
    stateRoot: "",
    transactionsRoot: bytesToHex(ordinalTrieRoot(signed.map(encodeTransaction))),
    receiptsRoot: bytesToHex(new Uint8Array(32)),
    logsBloom: bytesToHex(new Uint8Array(256)),
    difficulty: "0x0",
    number: q(number),
    gasLimit: q(gasLimit),
    gasUsed: "0x0",
    timestamp: q(timestamp),
    totalDifficulty: q(TERMINAL_TOTAL_DIFFICULTY),
    extraData: bytesToHex(extraData),
    mixHash: bytesToHex(rng.bytes(32)),
    nonce: "0x0000000000000000",
    baseFeePerGas: q(baseFee),
    withdrawalsRoot: bytesToHex(EMPTY_TRIE_ROOT),
    blobGasUsed: "0x0",
    excessBlobGas: "0x0",
    parentBeaconBlockRoot: bytesToHex(rng.bytes(32)),
  };
  const allocJson = alloc.toJson();
  const blockJson: Record<string, unknown> = { ...header, uncles: [], transactions: txJson, size: "0x0", withdrawals: [] };

  // Execute exactly what will be written (through the same parser the fixture loader uses).
  const machine = vm ?? (sharedVm ??= new Vm(loadBraidModule()));
  const result = executeBlock(machine, blockFromRpc(blockJson), preStateFromAlloc(allocJson), { verifySenders: false });
  result.receipts.forEach((r, i) => {
    if (!r.success) {
      throw new BraidError("SYNTH_TX_FAILED", `synth ${kind}: transaction ${i} (${cats[i]}) ended with status '${r.status}' after ${r.gasUsed} gas`);
    }
  });
  const post = machine.dumpState().filter((a) => a.nonce !== 0n || a.balance !== 0n || a.code.length > 0 || a.storage.length > 0);
  header.stateRoot = bytesToHex(stateRoot(post));
  header.gasUsed = q(result.gasUsed);
  header.receiptsRoot = bytesToHex(result.receiptsRoot!);
  header.logsBloom = bytesToHex(result.logsBloom);

  const headerRlp: RlpItem[] = [
    hexToBytes(header.parentHash), hexToBytes(header.sha3Uncles), coinbase, hexToBytes(header.stateRoot),
    hexToBytes(header.transactionsRoot), hexToBytes(header.receiptsRoot), result.logsBloom, 0n, number, gasLimit,
    result.gasUsed, timestamp, extraData, hexToBytes(header.mixHash), new Uint8Array(8), baseFee, EMPTY_TRIE_ROOT,
    0n, 0n, hexToBytes(header.parentBeaconBlockRoot),
  ];
  header.hash = bytesToHex(keccak256(rlpEncode(headerRlp)));
  const size = rlpEncode([headerRlp, signed.map(encodeTransaction), [], []]).length;
  for (const t of txJson) t.blockHash = header.hash;
  const block: Record<string, unknown> = { ...header, uncles: [], transactions: txJson, size: q(size), withdrawals: [] };

  const meta: SynthMeta = {
    generator: "braid synth", kind, txs: n, seed, solc: compiled.solcVersion,
    number: Number(number), gasUsed: Number(result.gasUsed), gasLimit: Number(gasLimit),
    categories, txCategories: cats,
    contracts: {
      ...(token ? { token: bytesToHex(token) } : {}),
      ...(counter ? { counter: bytesToHex(counter) } : {}),
      pools: pools.map((p) => bytesToHex(p.address)),
    },
    ...(hotRecipient ? { hotRecipient: bytesToHex(hotRecipient) } : {}),
  };
  return { block, alloc: allocJson, meta, result };
}

/**
 * Writes block.json.gz, alloc.json.gz (what src/node/fixture.ts loads) and synth.json (the
 * generator's metadata) into `dir`, creating it; stale uncompressed copies are removed.
 */
export function writeSynthFixture(dir: string, sb: SynthBlock): void {
  mkdirSync(dir, { recursive: true });
  for (const stale of ["block.json", "alloc.json", "block_hashes.json", "block_hashes.json.gz"]) {
    if (existsSync(join(dir, stale))) rmSync(join(dir, stale));
  }
  writeFileSync(join(dir, "block.json.gz"), gzipSync(JSON.stringify(sb.block)));
  writeFileSync(join(dir, "alloc.json.gz"), gzipSync(JSON.stringify(sb.alloc)));
  writeFileSync(join(dir, "synth.json"), JSON.stringify(sb.meta, null, 1) + "\n");
}

