// Compiles the Solidity contracts in contracts/ with solc-js (the `solc` npm package) and checks
// the storage layout the generator relies on. The runtime bytecode is cached per process.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { BraidError } from "../encoding/errors.js";
import { hexToBytes } from "../encoding/hex.js";

export type ContractName = "Token" | "Pair" | "Counter";

export interface CompiledContract {
  name: ContractName;
  /** Runtime (deployed) bytecode: placed directly in the alloc, no constructor is run. */
  runtime: Uint8Array;
  /** Storage variables: label -> [slot, byte offset within the slot]. */
  layout: Map<string, [bigint, number]>;
}

export interface CompiledContracts {
  solcVersion: string;
  contracts: Record<ContractName, CompiledContract>;
}

/**
 * The layout each contract's NatSpec comment documents and the generator writes to. A mismatch
 * (someone edited a contract) fails loudly instead of producing a fixture with garbage storage.
 */
const EXPECTED_LAYOUT: Record<ContractName, Array<[string, bigint, number]>> = {
  Token: [["balanceOf", 0n, 0], ["allowance", 1n, 0], ["totalSupply", 2n, 0]],
  Pair: [
    ["reserve0", 0n, 0], ["reserve1", 0n, 14], ["blockTimestampLast", 0n, 28],
    ["balance0", 1n, 0], ["balance1", 2n, 0], ["price0CumulativeLast", 3n, 0], ["price1CumulativeLast", 4n, 0],
  ],
  Counter: [["count", 0n, 0]],
};

const NAMES: ContractName[] = ["Token", "Pair", "Counter"];
/** The EVM version the bytecode targets: synthetic blocks are Cancun blocks. */
export const EVM_VERSION = "cancun";

let cached: CompiledContracts | undefined;

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage?: string; message: string }>;
  contracts?: Record<string, Record<string, {
    evm: { deployedBytecode: { object: string } };
    storageLayout: { storage: Array<{ label: string; slot: string; offset: number }> };
  }>>;
}

/** Contracts directory: <package root>/contracts (this file is src/synth/ or dist/synth/). */
export function contractsDir(): URL {
  return new URL("../../contracts/", import.meta.url);
}

export function compileContracts(): CompiledContracts {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let solc: { compile(input: string): string; version(): string };
  try {
    solc = require("solc");
  } catch (e) {
    throw new BraidError("SYNTH_SOLC_MISSING", `braid synth needs the 'solc' npm package (npm install --save-dev solc): ${(e as Error).message}`);
  }
  const sources: Record<string, { content: string }> = {};
  for (const n of NAMES) sources[`${n}.sol`] = { content: readFileSync(new URL(`${n}.sol`, contractsDir()), "utf8") };
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      outputSelection: { "*": { "*": ["evm.deployedBytecode.object", "storageLayout"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) {
    throw new BraidError("SYNTH_COMPILE_FAILED", `solc: ${errors.map((e) => e.formattedMessage ?? e.message).join("\n")}`);
  }
  const contracts = {} as Record<ContractName, CompiledContract>;
  for (const n of NAMES) {
    const c = out.contracts?.[`${n}.sol`]?.[n];
    if (!c || !c.evm.deployedBytecode.object) throw new BraidError("SYNTH_COMPILE_FAILED", `solc produced no runtime bytecode for ${n}`);
    const layout = new Map<string, [bigint, number]>();
    for (const s of c.storageLayout.storage) layout.set(s.label, [BigInt(s.slot), s.offset]);
    for (const [label, slot, offset] of EXPECTED_LAYOUT[n]) {
      const got = layout.get(label);
      if (!got || got[0] !== slot || got[1] !== offset) {
        throw new BraidError("SYNTH_LAYOUT", `contracts/${n}.sol: expected '${label}' at slot ${slot} offset ${offset}, solc says ${got ? `slot ${got[0]} offset ${got[1]}` : "absent"}`);
      }
    }
    if (layout.size !== EXPECTED_LAYOUT[n].length) {
      throw new BraidError("SYNTH_LAYOUT", `contracts/${n}.sol: storage variables changed (${[...layout.keys()].join(", ")})`);
    }
    contracts[n] = { name: n, runtime: hexToBytes(c.evm.deployedBytecode.object), layout };
  }
  cached = { solcVersion: solc.version(), contracts };
  return cached;
}
