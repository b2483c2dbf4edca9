// The opcode table, as data: for each opcode the fork that introduced it, its stack inputs and
// outputs and its static gas; then the forks that repriced it. `build_opinfo` folds both into a
// per-fork 256-entry table that the interpreter reads once per instruction.
import * as F from "./fork";

// [opcode, introduced, stack in, stack out, static gas]
const OPS: StaticArray<u32> = [
  0x00, F.FRONTIER, 0, 0, 0, // STOP
  0x01, F.FRONTIER, 2, 1, 3, // ADD
  0x02, F.FRONTIER, 2, 1, 5, // MUL
  0x03, F.FRONTIER, 2, 1, 3, // SUB
  0x04, F.FRONTIER, 2, 1, 5, // DIV
  0x05, F.FRONTIER, 2, 1, 5, // SDIV
  0x06, F.FRONTIER, 2, 1, 5, // MOD
  0x07, F.FRONTIER, 2, 1, 5, // SMOD
  0x08, F.FRONTIER, 3, 1, 8, // ADDMOD
  0x09, F.FRONTIER, 3, 1, 8, // MULMOD
  0x0a, F.FRONTIER, 2, 1, 10, // EXP
  0x0b, F.FRONTIER, 2, 1, 5, // SIGNEXTEND
  0x10, F.FRONTIER, 2, 1, 3, // LT
  0x11, F.FRONTIER, 2, 1, 3, // GT
  0x12, F.FRONTIER, 2, 1, 3, // SLT
  0x13, F.FRONTIER, 2, 1, 3, // SGT
  0x14, F.FRONTIER, 2, 1, 3, // EQ
  0x15, F.FRONTIER, 1, 1, 3, // ISZERO
  0x16, F.FRONTIER, 2, 1, 3, // AND
  0x17, F.FRONTIER, 2, 1, 3, // OR
  0x18, F.FRONTIER, 2, 1, 3, // XOR
  0x19, F.FRONTIER, 1, 1, 3, // NOT
  0x1a, F.FRONTIER, 2, 1, 3, // BYTE
  0x1b, F.CONSTANTINOPLE, 2, 1, 3, // SHL
  0x1c, F.CONSTANTINOPLE, 2, 1, 3, // SHR
  0x1d, F.CONSTANTINOPLE, 2, 1, 3, // SAR
  0x1e, F.OSAKA, 1, 1, 5, // CLZ
  0x20, F.FRONTIER, 2, 1, 30, // KECCAK256
  0x30, F.FRONTIER, 0, 1, 2, // ADDRESS
  0x31, F.FRONTIER, 1, 1, 20, // BALANCE
  0x32, F.FRONTIER, 0, 1, 2, // ORIGIN
  0x33, F.FRONTIER, 0, 1, 2, // CALLER
  0x34, F.FRONTIER, 0, 1, 2, // CALLVALUE
  0x35, F.FRONTIER, 1, 1, 3, // CALLDATALOAD
  0x36, F.FRONTIER, 0, 1, 2, // CALLDATASIZE
  0x37, F.FRONTIER, 3, 0, 3, // CALLDATACOPY
  0x38, F.FRONTIER, 0, 1, 2, // CODESIZE
  0x39, F.FRONTIER, 3, 0, 3, // CODECOPY
  0x3a, F.FRONTIER, 0, 1, 2, // GASPRICE
  0x3b, F.FRONTIER, 1, 1, 20, // EXTCODESIZE
  0x3c, F.FRONTIER, 4, 0, 20, // EXTCODECOPY
  0x3d, F.BYZANTIUM, 0, 1, 2, // RETURNDATASIZE
  0x3e, F.BYZANTIUM, 3, 0, 3, // RETURNDATACOPY
  0x3f, F.CONSTANTINOPLE, 1, 1, 400, // EXTCODEHASH
  0x40, F.FRONTIER, 1, 1, 20, // BLOCKHASH
  0x41, F.FRONTIER, 0, 1, 2, // COINBASE
  0x42, F.FRONTIER, 0, 1, 2, // TIMESTAMP
  0x43, F.FRONTIER, 0, 1, 2, // NUMBER
  0x44, F.FRONTIER, 0, 1, 2, // DIFFICULTY / PREVRANDAO
  0x45, F.FRONTIER, 0, 1, 2, // GASLIMIT
  0x46, F.ISTANBUL, 0, 1, 2, // CHAINID
  0x47, F.ISTANBUL, 0, 1, 5, // SELFBALANCE
  0x48, F.LONDON, 0, 1, 2, // BASEFEE
  0x49, F.CANCUN, 1, 1, 3, // BLOBHASH
  0x4a, F.CANCUN, 0, 1, 2, // BLOBBASEFEE
  0x50, F.FRONTIER, 1, 0, 2, // POP
  0x51, F.FRONTIER, 1, 1, 3, // MLOAD
  0x52, F.FRONTIER, 2, 0, 3, // MSTORE
  0x53, F.FRONTIER, 2, 0, 3, // MSTORE8
  0x54, F.FRONTIER, 1, 1, 50, // SLOAD
  0x55, F.FRONTIER, 2, 0, 0, // SSTORE (all dynamic)
  0x56, F.FRONTIER, 1, 0, 8, // JUMP
  0x57, F.FRONTIER, 2, 0, 10, // JUMPI
  0x58, F.FRONTIER, 0, 1, 2, // PC
  0x59, F.FRONTIER, 0, 1, 2, // MSIZE
  0x5a, F.FRONTIER, 0, 1, 2, // GAS
  0x5b, F.FRONTIER, 0, 0, 1, // JUMPDEST
  0x5c, F.CANCUN, 1, 1, 100, // TLOAD
  0x5d, F.CANCUN, 2, 0, 100, // TSTORE
  0x5e, F.CANCUN, 3, 0, 3, // MCOPY
  0x5f, F.SHANGHAI, 0, 1, 2, // PUSH0
  0xf0, F.FRONTIER, 3, 1, 32000, // CREATE
  0xf1, F.FRONTIER, 7, 1, 40, // CALL
  0xf2, F.FRONTIER, 7, 1, 40, // CALLCODE
  0xf3, F.FRONTIER, 2, 0, 0, // RETURN
  0xf4, F.HOMESTEAD, 6, 1, 40, // DELEGATECALL
  0xf5, F.CONSTANTINOPLE, 4, 1, 32000, // CREATE2
  0xfa, F.BYZANTIUM, 6, 1, 40, // STATICCALL
  0xfd, F.BYZANTIUM, 2, 0, 0, // REVERT
  0xff, F.FRONTIER, 1, 0, 0, // SELFDESTRUCT
];

// [opcode, fork, new static gas]
const REPRICES: StaticArray<u32> = [
  0x31, F.TANGERINE, 400, 0x3b, F.TANGERINE, 700, 0x3c, F.TANGERINE, 700, 0x54, F.TANGERINE, 200,
  0xf1, F.TANGERINE, 700, 0xf2, F.TANGERINE, 700, 0xf4, F.TANGERINE, 700, 0xfa, F.TANGERINE, 700,
  0xff, F.TANGERINE, 5000,
  0x31, F.ISTANBUL, 700, 0x3f, F.ISTANBUL, 700, 0x54, F.ISTANBUL, 800, // EIP-1884
  // EIP-2929: the static part is the warm cost; cold surcharges are dynamic.
  0x31, F.BERLIN, 100, 0x3b, F.BERLIN, 100, 0x3c, F.BERLIN, 100, 0x3f, F.BERLIN, 100,
  0x54, F.BERLIN, 100, 0xf1, F.BERLIN, 100, 0xf2, F.BERLIN, 100, 0xf4, F.BERLIN, 100,
  0xfa, F.BERLIN, 100,
];

// opinfo word: bits 0..15 static gas, 16..20 stack inputs, 21 grows the stack, 22 undefined, 23 output
// (the dispatch loop shifts the undefined bit into the sign bit, dropping the ones above it)
export const OPI_GAS_MASK: u32 = 0xffff;
export const OPI_IN_SHIFT: u32 = 16;
export const OPI_GROWS_SHIFT: u32 = 21;
export const OPI_GROWS: u32 = 1 << OPI_GROWS_SHIFT;
export const OPI_UNDEFINED_SHIFT: u32 = 22;
export const OPI_UNDEFINED: u32 = 1 << OPI_UNDEFINED_SHIFT;
export const OPI_OUT: u32 = 1 << 23; // pushes one result (all but DUP/SWAP push at most one)

@inline function pack(gas: u32, inputs: u32, outputs: u32): u32 {
  return gas | (inputs << OPI_IN_SHIFT) | (outputs > inputs ? OPI_GROWS : 0) | (outputs > 0 ? OPI_OUT : 0);
}

export function build_opinfo(dst: usize, fork: u32): void {
  for (let op: u32 = 0; op < 256; op++) store<u32>(dst + (op << 2), OPI_UNDEFINED);
  for (let i = 0; i < OPS.length; i += 5) {
    const op = <u32>unchecked(OPS[i]);
    if (<u32>unchecked(OPS[i + 1]) > fork) continue;
    store<u32>(dst + (op << 2), pack(<u32>unchecked(OPS[i + 4]), <u32>unchecked(OPS[i + 2]), <u32>unchecked(OPS[i + 3])));
  }
  for (let i = 0; i < REPRICES.length; i += 3) {
    const op = <u32>unchecked(REPRICES[i]);
    if (<u32>unchecked(REPRICES[i + 1]) > fork) continue;
    const p = dst + (op << 2);
    const cur = load<u32>(p);
    if (cur & OPI_UNDEFINED) continue;
    store<u32>(p, (cur & ~OPI_GAS_MASK) | <u32>unchecked(REPRICES[i + 2]));
  }
  // PUSH1..PUSH32, DUP1..16, SWAP1..16, LOG0..4: regular families.
  for (let n: u32 = 1; n <= 32; n++) store<u32>(dst + ((0x5f + n) << 2), pack(3, 0, 1));
  for (let n: u32 = 1; n <= 16; n++) store<u32>(dst + ((0x7f + n) << 2), pack(3, n, n + 1));
  for (let n: u32 = 1; n <= 16; n++) store<u32>(dst + ((0x8f + n) << 2), pack(3, n + 1, n + 1));
  for (let n: u32 = 0; n <= 4; n++) store<u32>(dst + ((0xa0 + n) << 2), pack(375 * (n + 1), n + 2, 0));
  // 0xfe INVALID stays undefined: the designated invalid instruction.
}
