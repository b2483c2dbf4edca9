// Mainnet fork schedule and block rewards.
import { Fork } from "../fork.js";
import { BraidError } from "../encoding/errors.js";

export interface ChainConfig {
  chainId: bigint;
  /** [fork, first block number] for block-activated forks, ascending. */
  byNumber: Array<[Fork, bigint]>;
  /** [fork, first timestamp] for time-activated forks, ascending. */
  byTime: Array<[Fork, bigint]>;
  /** The DAO fork's block (mainnet 1,920,000): its irregular state change (src/block/dao.ts). */
  daoForkBlock?: bigint;
}

export const MAINNET: ChainConfig = {
  chainId: 1n,
  byNumber: [
    [Fork.Frontier, 0n],
    [Fork.Homestead, 1_150_000n],
    [Fork.TangerineWhistle, 2_463_000n],
    [Fork.SpuriousDragon, 2_675_000n],
    [Fork.Byzantium, 4_370_000n],
    [Fork.Petersburg, 7_280_000n], // Constantinople and Petersburg activated together on mainnet
    [Fork.Istanbul, 9_069_000n],
    [Fork.MuirGlacier, 9_200_000n],
    [Fork.Berlin, 12_244_000n],
    [Fork.London, 12_965_000n],
    [Fork.ArrowGlacier, 13_773_000n],
    [Fork.GrayGlacier, 15_050_000n],
    [Fork.Paris, 15_537_394n],
  ],
  byTime: [
    [Fork.Shanghai, 1_681_338_455n],
    [Fork.Cancun, 1_710_338_135n],
  ],
  daoForkBlock: 1_920_000n,
};

/** `chain` as given (MAINNET when absent), checked: a malformed one is OPTIONS_INVALID, not a TypeError later. */
export function chainOption(chain: unknown): ChainConfig {
  if (chain === undefined || chain === null) return MAINNET;
  const c = chain as Partial<ChainConfig>;
  const schedule = (list: unknown) => Array.isArray(list) && list.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "number" && typeof e[1] === "bigint");
  if (typeof c !== "object" || typeof c.chainId !== "bigint" || !schedule(c.byNumber) || !schedule(c.byTime) || (c.daoForkBlock !== undefined && typeof c.daoForkBlock !== "bigint")) {
    throw new BraidError("OPTIONS_INVALID", "chain: expected { chainId: bigint, byNumber and byTime: arrays of [Fork, bigint], daoForkBlock?: bigint }");
  }
  return c as ChainConfig;
}

export function forkAt(chain: ChainConfig, number: bigint, timestamp: bigint): Fork {
  let fork = Fork.Frontier;
  for (const [f, n] of chain.byNumber) if (number >= n) fork = f;
  for (const [f, t] of chain.byTime) if (timestamp >= t && fork >= Fork.Paris) fork = f;
  return fork;
}

const ETHER = 10n ** 18n;

/** The miner's base reward before the merge (0 after). */
export function blockReward(fork: Fork): bigint {
  if (fork >= Fork.Paris) return 0n;
  if (fork >= Fork.Petersburg || fork === Fork.Constantinople) return 2n * ETHER;
  if (fork >= Fork.Byzantium) return 3n * ETHER;
  return 5n * ETHER;
}
