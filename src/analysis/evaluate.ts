// Constant folding of the EVM's pure arithmetic on 256-bit words (BigInt), for keys and addresses
// whose provenance is "constant".

const MOD = 1n << 256n;
const MASK = MOD - 1n;
const SIGN = 1n << 255n;

const signed = (x: bigint) => (x & SIGN ? x - MOD : x);
const word = (x: bigint) => ((x % MOD) + MOD) % MOD;

function exp(base: bigint, e: bigint): bigint {
  let r = 1n;
  let b = base & MASK;
  while (e > 0n) {
    if (e & 1n) r = (r * b) & MASK;
    b = (b * b) & MASK;
    e >>= 1n;
  }
  return r;
}

/** Opcodes whose result depends only on their stack inputs (what `fold` evaluates). */
export function isPure(op: number): boolean {
  return (op >= 0x01 && op <= 0x0b) || (op >= 0x10 && op <= 0x1e);
}

/** The result of pure opcode `op` on inputs `a` (top of stack first). */
export function fold(op: number, a: bigint[]): bigint {
  const [x, y, z] = a;
  switch (op) {
    case 0x01: return (x + y) & MASK;
    case 0x02: return (x * y) & MASK;
    case 0x03: return word(x - y);
    case 0x04: return y === 0n ? 0n : x / y;
    case 0x05: {
      if (y === 0n) return 0n;
      return word(signed(x) / signed(y)); // BigInt division truncates toward zero, as SDIV does
    }
    case 0x06: return y === 0n ? 0n : x % y;
    case 0x07: return y === 0n ? 0n : word(signed(x) % signed(y));
    case 0x08: return z === 0n ? 0n : (x + y) % z;
    case 0x09: return z === 0n ? 0n : (x * y) % z;
    case 0x0a: return exp(x, y);
    case 0x0b: {
      if (x >= 31n) return y;
      const bit = x * 8n + 7n;
      const low = (1n << bit) - 1n;
      return y & (1n << bit) ? y | (MASK ^ low) : y & low;
    }
    case 0x10: return x < y ? 1n : 0n;
    case 0x11: return x > y ? 1n : 0n;
    case 0x12: return signed(x) < signed(y) ? 1n : 0n;
    case 0x13: return signed(x) > signed(y) ? 1n : 0n;
    case 0x14: return x === y ? 1n : 0n;
    case 0x15: return x === 0n ? 1n : 0n;
    case 0x16: return x & y;
    case 0x17: return x | y;
    case 0x18: return x ^ y;
    case 0x19: return MASK ^ x;
    case 0x1a: return x >= 32n ? 0n : (y >> (8n * (31n - x))) & 0xffn;
    case 0x1b: return x >= 256n ? 0n : (y << x) & MASK;
    case 0x1c: return x >= 256n ? 0n : y >> x;
    case 0x1d: return x >= 256n ? (y & SIGN ? MASK : 0n) : word(signed(y) >> x);
    case 0x1e: return x === 0n ? 256n : BigInt(255 - (x.toString(2).length - 1));
    default: throw new Error(`not a pure opcode: 0x${op.toString(16)}`);
  }
}
