// Dataflow of one basic block by symbolic stack simulation. Every instruction becomes a node of a
// DAG; a node's stack inputs are either outputs of earlier nodes of the block or entry-stack slots
// (the values on the stack when the block is entered, numbered 0 = top, 1, 2, ... as the block
// reaches deeper). DUPn/SWAPn/POP only move references. Side effects add ordering edges
// (effects.ts); GAS follows every earlier node. Each value also carries its provenance and,
// when constant, its value, which the long-latency operations report for their keys.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bigIntToBytes, bytesToBigInt } from "../encoding/hex.js";
import type { BasicBlock } from "./blocks.js";
import { pushValue } from "./blocks.js";
import { EffectOrder, hasEffect } from "./effects.js";
import { fold, isPure } from "./evaluate.js";
import { isLongLatency, isShuffle, stateKeyInput, unitLatency, weightedLatency } from "./latency.js";
import { MAX_TRACKED, SymbolicMemory } from "./memory.js";
import { OPS, immediateSize, opName } from "./opcodes.js";
import { CALLDATA, CONST, ENTRY, PROVENANCES, STATE, type Provenance } from "./provenance.js";

export interface KeyInfo {
  provenance: Provenance;
  /** The key or address word, when its provenance is "constant". */
  value?: bigint;
}

export interface LongLatencyOp {
  pc: number;
  op: string;
  /** Cost in the weighted latency model (latency.ts). */
  latency: number;
  /** Storage key, account address (CALL family: the target), block number, or KECCAK256 input. */
  key?: KeyInfo;
}

export interface BlockSummary {
  index: number;
  start: number;
  end: number;
  instructions: number;
  /** Longest path through the DAG, unit latency (0-latency shuffles excluded); at least 1. */
  criticalPath: number;
  /** Longest path with the weighted latency model. */
  weightedCriticalPath: number;
  /** instructions / criticalPath. */
  ilp: number;
  /** DUPn/SWAPn/POP/JUMPDEST among the instructions (zero latency). */
  shuffles: number;
  /** Entry-stack slots the block reads. */
  entrySlots: number;
  longLatency: LongLatencyOp[];
}

/** A stack operand: an earlier node's output or an entry-stack slot. */
export type Operand = { node: number } | { entry: number };

export interface DepNode {
  pc: number;
  op: string;
  /** Stack inputs, top first (none for DUP/SWAP/POP, which only move references). */
  inputs: Operand[];
  /** Earlier nodes this one must follow for its side effects (or, for GAS, everything). */
  after: number[];
  /** Unit-latency finish time (the longest path ending here). */
  depth: number;
}

export interface BlockGraph extends BlockSummary {
  nodes: DepNode[];
}

// Environment values known before execution (provenance "calldata"), and ops whose result is state.
const ENV_OPS = new Set([0x30, 0x32, 0x33, 0x34, 0x36, 0x3a, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x48, 0x4a]);
const STATE_OPS = new Set([0x31, 0x3b, 0x3d, 0x3f, 0x40, 0x47, 0x54, 0x5a, 0x5c, 0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa]);
const COPIES: Record<number, number> = { 0x37: CALLDATA, 0x3e: STATE, 0x3c: STATE };
// Constant memory offsets above this are treated as unknown; sizes above MAX_TRACKED likewise.
const OFFSET_LIMIT = BigInt(1 << 30);
const SIZE_LIMIT = BigInt(MAX_TRACKED);

/** Simulates one block. Values are node ids (>= 0) or entry slots (-1 - slot). */
class Simulator {
  private stack: number[] = [];
  entries = 0;
  private prov: number[] = [];
  private konst: Array<bigint | undefined> = [];
  private depth: number[] = [];
  private wdepth: number[] = [];
  maxDepth = 0;
  maxW = 0;
  private order = new EffectOrder();
  private mem = new SymbolicMemory();
  private ins: number[] = []; // the current instruction's inputs, top of stack first
  readonly longOps: LongLatencyOp[] = [];
  readonly nodes: DepNode[] | undefined;

  constructor(private readonly code: Uint8Array, graph: boolean) {
    this.nodes = graph ? [] : undefined;
  }

  private provOf(v: number): number { return v >= 0 ? this.prov[v] : ENTRY; }
  private constOf(v: number): bigint | undefined { return v >= 0 ? this.konst[v] : undefined; }
  private inProv(): number {
    let p = CONST;
    for (const v of this.ins) p = Math.max(p, this.provOf(v));
    return p;
  }
  /** Input `i` as a number when it is a constant not above `max`. */
  private small(i: number, max = OFFSET_LIMIT): number | undefined {
    const v = this.constOf(this.ins[i]);
    return v !== undefined && v <= max ? Number(v) : undefined;
  }
  private reach(n: number): void {
    while (this.stack.length < n) this.stack.unshift(-1 - this.entries++);
  }

  step(pc: number): void {
    const op = this.code[pc];
    const id = this.prov.length;
    if (isShuffle(op)) return this.shuffle(pc, op, id);
    const info = OPS[op];
    const pops = info?.pops ?? 0;
    this.reach(pops);
    const st = this.stack, ins: number[] = [];
    for (let i = 0; i < pops; i++) ins.push(st.pop()!);
    this.ins = ins;

    const [p, value] = this.valueOf(op, pc);
    this.memoryWrite(op);
    let d = 0, w = 0;
    for (const v of ins) if (v >= 0) { d = Math.max(d, this.depth[v]); w = Math.max(w, this.wdepth[v]); }
    let after: number[] = [];
    if (op === 0x5a) { // GAS follows everything before it
      d = this.maxDepth; w = this.maxW;
      if (this.nodes) after = Array.from({ length: id }, (_, i) => i);
    } else if (hasEffect(op)) {
      after = this.order.add(id, op);
      for (const v of after) { d = Math.max(d, this.depth[v]); w = Math.max(w, this.wdepth[v]); }
    }
    d += unitLatency(op); w += weightedLatency(op);
    this.maxDepth = Math.max(this.maxDepth, d); this.maxW = Math.max(this.maxW, w);
    this.prov.push(p); this.konst.push(p === CONST ? value : undefined); this.depth.push(d); this.wdepth.push(w);
    if (info?.pushes === 1) st.push(id);

    if (isLongLatency(op)) {
      const keyAt = stateKeyInput(op);
      let key: KeyInfo | undefined;
      if (keyAt !== undefined) key = keyInfo(this.provOf(ins[keyAt]), this.constOf(ins[keyAt]));
      else if (op === 0x20) key = keyInfo(p, value);
      this.longOps.push({ pc, op: opName(op), latency: weightedLatency(op), ...(key ? { key } : {}) });
    }
    this.nodes?.push({ pc, op: opName(op), inputs: ins.map((v) => (v >= 0 ? { node: v } : { entry: -1 - v })), after, depth: d });
  }

  /** DUPn, SWAPn, POP and JUMPDEST: move references; the node has no value and no latency. */
  private shuffle(pc: number, op: number, id: number): void {
    const st = this.stack;
    if (op >= 0x80 && op <= 0x8f) { this.reach(op - 0x7f); st.push(st[st.length - (op - 0x7f)]); }
    else if (op >= 0x90) {
      this.reach(op - 0x8e);
      const a = st.length - 1, b = a - (op - 0x8f);
      const t = st[a]; st[a] = st[b]; st[b] = t;
    } else if (op === 0x50) { this.reach(1); st.pop(); }
    this.prov.push(CONST); this.konst.push(undefined); this.depth.push(0); this.wdepth.push(0);
    this.nodes?.push({ pc, op: opName(op), inputs: [], after: [], depth: 0 });
  }

  /** Provenance and (when constant) value of what `op` pushes. */
  private valueOf(op: number, pc: number): [number, bigint | undefined] {
    if (op === 0x5f || immediateSize(op) > 0) return [CONST, pushValue(this.code, pc)];
    if (op === 0x58) return [CONST, BigInt(pc)];
    if (op === 0x38) return [CONST, BigInt(this.code.length)];
    if (isPure(op)) {
      const p = this.inProv();
      const args = this.ins.map((v) => this.constOf(v));
      return [p, p === CONST && args.every((a) => a !== undefined) ? fold(op, args as bigint[]) : undefined];
    }
    if (ENV_OPS.has(op)) return [CALLDATA, undefined];
    if (op === 0x35 || op === 0x49) return [Math.max(CALLDATA, this.inProv()), undefined];
    if (op === 0x59) return [ENTRY, undefined];
    if (STATE_OPS.has(op)) return [STATE, undefined];
    if (op === 0x51 || op === 0x20) {
      const off = this.small(0);
      const len = op === 0x51 ? 32 : this.small(1, SIZE_LIMIT);
      if (off === undefined || len === undefined) return [Math.max(this.inProv(), this.mem.readUnknown()), undefined];
      const r = this.mem.read(off, len);
      if (!r.data) return [r.prov, undefined];
      return [r.prov, bytesToBigInt(op === 0x51 ? r.data : keccak_256(r.data))];
    }
    return [CONST, undefined]; // pushes nothing
  }

  /** What `op` writes to memory, into the symbolic memory. */
  private memoryWrite(op: number): void {
    const mem = this.mem, ins = this.ins;
    switch (op) {
      case 0x52: case 0x53: {
        const off = this.small(0), c = this.constOf(ins[1]);
        if (off === undefined) return mem.writeUnknown(this.inProv());
        const data = c === undefined ? undefined : op === 0x52 ? bigIntToBytes(c, 32) : Uint8Array.of(Number(c & 0xffn));
        return mem.write(off, op === 0x52 ? 32 : 1, this.provOf(ins[1]), data);
      }
      case 0x37: case 0x39: case 0x3e: case 0x3c: {
        const k = op === 0x3c ? 1 : 0; // EXTCODECOPY: (address, dst, src, len)
        const dst = this.small(k), len = this.small(k + 2, SIZE_LIMIT);
        // CODECOPY from a huge constant offset reads zeros, as from the code's end
        const src = this.small(k + 1) ?? (this.constOf(ins[k + 1]) !== undefined ? this.code.length : undefined);
        const p = Math.max(op === 0x39 ? CONST : COPIES[op], this.inProv());
        if (dst === undefined || len === undefined) return mem.writeUnknown(p);
        if (op !== 0x39 || src === undefined) return mem.write(dst, len, p);
        const code = this.code, data = new Uint8Array(len);
        data.set(code.subarray(Math.min(src, code.length), Math.min(src + len, code.length)));
        return mem.write(dst, len, CONST, data);
      }
      case 0x5e: {
        const dst = this.small(0), src = this.small(1), len = this.small(2, SIZE_LIMIT);
        if (dst === undefined || src === undefined || len === undefined) return mem.writeUnknown(Math.max(this.inProv(), mem.readUnknown()));
        return mem.copy(dst, src, len);
      }
      case 0xf1: case 0xf2: case 0xf4: case 0xfa: {
        const n = op === 0xf1 || op === 0xf2 ? 5 : 4; // retOffset, retSize follow the arguments
        const off = this.small(n), len = this.small(n + 1, SIZE_LIMIT);
        return off === undefined || len === undefined ? mem.writeUnknown(STATE) : mem.write(off, len, STATE);
      }
    }
  }
}

/** Simulates `block` of `code`; with `graph`, keeps the DAG's nodes too. */
export function analyzeBlock(code: Uint8Array, block: BasicBlock, graph: true): BlockGraph;
export function analyzeBlock(code: Uint8Array, block: BasicBlock, graph?: boolean): BlockSummary;
export function analyzeBlock(code: Uint8Array, block: BasicBlock, graph = false): BlockSummary | BlockGraph {
  const sim = new Simulator(code, graph);
  let shuffles = 0;
  for (const pc of block.pcs) {
    sim.step(pc);
    if (isShuffle(code[pc])) shuffles++;
  }
  const instructions = block.pcs.length;
  const criticalPath = Math.max(1, sim.maxDepth);
  const summary: BlockSummary = {
    index: block.index, start: block.start, end: block.end, instructions, criticalPath,
    weightedCriticalPath: Math.max(1, sim.maxW), ilp: instructions / criticalPath, shuffles, entrySlots: sim.entries, longLatency: sim.longOps,
  };
  return sim.nodes ? { ...summary, nodes: sim.nodes } : summary;
}

function keyInfo(p: number, value: bigint | undefined): KeyInfo {
  return p === CONST && value !== undefined ? { provenance: PROVENANCES[p], value } : { provenance: PROVENANCES[p] };
}
