// A tiny EVM assembler for hand-written test bytecode.
//   asm(push(1), push(0), "MSTORE", "STOP")  ->  Uint8Array 60 01 60 00 52 00
// Items are opcode names, raw bytes (Uint8Array / number[]), or the result of push()/pushN().

export const OP: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, EXP: 0x0a,
  LT: 0x10, GT: 0x11, EQ: 0x14, ISZERO: 0x15, AND: 0x16, NOT: 0x19, SHL: 0x1b, SHR: 0x1c,
  KECCAK256: 0x20,
  ADDRESS: 0x30, BALANCE: 0x31, ORIGIN: 0x32, CALLER: 0x33, CALLVALUE: 0x34,
  CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, CODESIZE: 0x38, CODECOPY: 0x39,
  GASPRICE: 0x3a, EXTCODESIZE: 0x3b, EXTCODECOPY: 0x3c, RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e,
  EXTCODEHASH: 0x3f,
  BLOCKHASH: 0x40, COINBASE: 0x41, NUMBER: 0x43, SELFBALANCE: 0x47,
  POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55,
  JUMP: 0x56, JUMPI: 0x57, PC: 0x58, MSIZE: 0x59, GAS: 0x5a, JUMPDEST: 0x5b,
  TLOAD: 0x5c, TSTORE: 0x5d, MCOPY: 0x5e, PUSH0: 0x5f,
  DUP1: 0x80, DUP16: 0x8f, SWAP1: 0x90, SWAP16: 0x9f,
  LOG0: 0xa0, LOG1: 0xa1, LOG2: 0xa2, LOG3: 0xa3, LOG4: 0xa4,
  CREATE: 0xf0, CALL: 0xf1, CALLCODE: 0xf2, RETURN: 0xf3, DELEGATECALL: 0xf4, CREATE2: 0xf5,
  STATICCALL: 0xfa, REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
};

export type AsmItem = string | number[] | Uint8Array;

/** Big-endian bytes of `v`, at least `size` bytes long (minimal length when size is omitted). */
export function beBytes(v: bigint | number, size = 0): number[] {
  let x = BigInt(v);
  if (x < 0n) throw new RangeError("negative push");
  const out: number[] = [];
  while (x > 0n) { out.unshift(Number(x & 0xffn)); x >>= 8n; }
  while (out.length < size) out.unshift(0);
  return out;
}

/** PUSH1..PUSH32 of `v` with the smallest width (PUSH1 for 0, never PUSH0: it costs 3 everywhere). */
export function push(v: bigint | number | Uint8Array): number[] {
  const bytes = v instanceof Uint8Array ? [...v] : beBytes(v, 1);
  return pushN(bytes.length, bytes);
}

/** PUSHn with exactly n immediate bytes. */
export function pushN(n: number, v: bigint | number | number[]): number[] {
  if (n < 1 || n > 32) throw new RangeError(`PUSH${n}`);
  const bytes = Array.isArray(v) ? v : beBytes(v, n);
  if (bytes.length !== n) throw new RangeError(`value does not fit PUSH${n}`);
  return [0x5f + n, ...bytes];
}

export function asm(...items: AsmItem[]): Uint8Array {
  const out: number[] = [];
  for (const it of items) {
    if (typeof it === "string") {
      const op = OP[it];
      if (op === undefined) throw new Error(`unknown opcode ${it}`);
      out.push(op);
    } else out.push(...it);
  }
  return Uint8Array.from(out);
}

export function toHex(b: Uint8Array): string {
  return "0x" + Buffer.from(b).toString("hex");
}

/** Memory cost in gas of `words` 32-byte words: 3a + a^2/512 (yellow paper C_mem). */
export function memCost(words: number | bigint): bigint {
  const a = BigInt(words);
  return 3n * a + (a * a) / 512n;
}

export const words = (bytes: number | bigint): bigint => (BigInt(bytes) + 31n) / 32n;
