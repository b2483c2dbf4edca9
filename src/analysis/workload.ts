// Profiled workloads for the ILP report: a block (executeBlock) or one call of some code (runCode),
// giving every code that ran with its per-block counts and the addresses it is known under.
import { executeBlock } from "../block/execute.js";
import type { BlockInput, BlockResult, PreState } from "../block/types.js";
import { bytesToHex } from "../encoding/hex.js";
import { runCode, RUN_TARGET, type RunCodeResult } from "../vm/run-code.js";
import type { Vm } from "../vm/vm.js";
import { codeHashHex, profileRun, type CodeProfile } from "./profile.js";

export interface ProfiledCode extends CodeProfile {
  /** Addresses holding this code (pre-state, or created in the block). */
  addresses: string[];
}

export interface Workload<R> {
  result: R;
  codes: ProfiledCode[];
  unattributed: number;
}

function withAddresses(codes: Map<string, CodeProfile>, known: Map<string, string[]>): ProfiledCode[] {
  return [...codes.values()].map((c) => ({ ...c, addresses: known.get(c.codeHash) ?? [] }));
}

/** Executes the block (senders trusted) with block counting on. */
export function profileBlock(vm: Vm, block: BlockInput, pre: PreState): Workload<BlockResult> {
  const p = profileRun(vm, () => executeBlock(vm, block, pre, { verifySenders: false }));
  const known = new Map<string, string[]>();
  const add = (hash: string, addr: string) => known.set(hash, [...(known.get(hash) ?? []), addr]);
  const preAddrs = new Set<string>();
  for (const [addr, a] of pre.accounts) {
    preAddrs.add(bytesToHex(addr));
    if (a.code.length) add(codeHashHex(a.code), bytesToHex(addr));
  }
  for (const [addr, post] of p.result.stateDiff) {
    if (post && !preAddrs.has(addr) && p.codes.has(post.codeHash)) add(post.codeHash, addr); // created in the block
  }
  return { result: p.result, codes: withAddresses(p.codes, known), unattributed: p.unattributed };
}

/** Runs `code` once as a call with `input` (see runCode) with block counting on. */
export function profileCode(vm: Vm, code: Uint8Array, input: Uint8Array, gas?: bigint): Workload<RunCodeResult> {
  const p = profileRun(vm, () => runCode(vm, { code, input, gas }));
  const known = new Map([[codeHashHex(code), [bytesToHex(RUN_TARGET)]]]);
  return { result: p.result, codes: withAddresses(p.codes, known), unattributed: p.unattributed };
}
