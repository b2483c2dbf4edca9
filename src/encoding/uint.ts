// Unsigned ranges of Ethereum's integer fields: nonces, gas and timestamps in 64 bits, balances,
// fees and storage words in 256. Shared by the parsers and the checks on values given in code.
export const U64_MAX = (1n << 64n) - 1n;
export const U256_MAX = (1n << 256n) - 1n;

const MAX = new Map<number, bigint>([[64, U64_MAX], [256, U256_MAX]]);

/** Whether `v` is a bigint in [0, 2^bits - 1]. */
export function isUint(v: unknown, bits: number): v is bigint {
  if (typeof v !== "bigint" || v < 0n) return false;
  let max = MAX.get(bits);
  if (max === undefined) MAX.set(bits, (max = (1n << BigInt(bits)) - 1n));
  return v <= max;
}
