// Chain configurations for nodes that are not mainnet: development chains (anvil, hardhat, a
// geth --dev node) run every fork from genesis.
import { BraidError } from "../encoding/errors.js";
import { Fork, forkName } from "../fork.js";
import { MAINNET, type ChainConfig } from "../block/chain.js";

const BY_NUMBER: Fork[] = [
  Fork.Frontier, Fork.Homestead, Fork.TangerineWhistle, Fork.SpuriousDragon, Fork.Byzantium, Fork.Constantinople,
  Fork.Petersburg, Fork.Istanbul, Fork.MuirGlacier, Fork.Berlin, Fork.London, Fork.ArrowGlacier, Fork.GrayGlacier, Fork.Paris,
];
const BY_TIME: Fork[] = [Fork.Shanghai, Fork.Cancun, Fork.Prague, Fork.Osaka];

/** A chain with every fork up to and including `fork` active from block 0. */
export function devChain(chainId: bigint, fork: Fork): ChainConfig {
  return {
    chainId,
    byNumber: BY_NUMBER.filter((f) => f <= fork).map((f) => [f, 0n]),
    byTime: BY_TIME.filter((f) => f <= fork).map((f) => [f, 0n]),
  };
}

/**
 * The newest fork a header's fields show (each fork from London on adds a field). A header
 * without baseFeePerGas is taken as Berlin: older forks cannot be told apart by their headers.
 */
export function forkFromHeader(json: Record<string, unknown>): Fork {
  const has = (k: string) => json[k] !== undefined && json[k] !== null;
  if (has("requestsHash")) return Fork.Prague;
  if (has("parentBeaconBlockRoot")) return Fork.Cancun;
  if (has("withdrawalsRoot")) return Fork.Shanghai;
  if (has("baseFeePerGas")) return json.difficulty === "0x0" ? Fork.Paris : Fork.London;
  return Fork.Berlin;
}

/** MAINNET for chain id 1; otherwise a development chain at the fork the header shows. */
export function chainForNode(chainId: bigint, header: Record<string, unknown>, supported: readonly Fork[]): ChainConfig {
  if (chainId === 1n) return MAINNET;
  const fork = forkFromHeader(header);
  if (!supported.includes(fork)) {
    throw new BraidError("FORK_NOT_SUPPORTED", `chain ${chainId}: its headers show ${forkName(fork)}, which Braid does not implement (start anvil with --hardfork cancun)`);
  }
  return devChain(chainId, fork);
}
