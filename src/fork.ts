// Hard forks Braid knows, in activation order. The numeric ids are shared with the
// wasm module (assembly/fork.ts): a rule that starts at fork F applies when `fork >= F`.
export enum Fork {
  Frontier = 0,
  Homestead = 1,
  TangerineWhistle = 2, // EIP-150
  SpuriousDragon = 3, // EIP-158/160/161/170
  Byzantium = 4,
  Constantinople = 5,
  Petersburg = 6, // ConstantinopleFix
  Istanbul = 7,
  MuirGlacier = 8,
  Berlin = 9,
  London = 10,
  ArrowGlacier = 11,
  GrayGlacier = 12,
  Paris = 13, // the Merge
  Shanghai = 14,
  Cancun = 15,
  Prague = 16,
  Osaka = 17,
}

// Names as used by the Ethereum test suites (and accepted on the CLI, case-insensitive).
const NAMES: Record<string, Fork> = {
  frontier: Fork.Frontier,
  homestead: Fork.Homestead,
  eip150: Fork.TangerineWhistle,
  tangerinewhistle: Fork.TangerineWhistle,
  eip158: Fork.SpuriousDragon,
  spuriousdragon: Fork.SpuriousDragon,
  byzantium: Fork.Byzantium,
  constantinople: Fork.Constantinople,
  constantinoplefix: Fork.Petersburg,
  petersburg: Fork.Petersburg,
  istanbul: Fork.Istanbul,
  muirglacier: Fork.MuirGlacier,
  berlin: Fork.Berlin,
  london: Fork.London,
  arrowglacier: Fork.ArrowGlacier,
  graylacier: Fork.GrayGlacier,
  grayglacier: Fork.GrayGlacier,
  paris: Fork.Paris,
  merge: Fork.Paris,
  shanghai: Fork.Shanghai,
  cancun: Fork.Cancun,
  prague: Fork.Prague,
  osaka: Fork.Osaka,
};

/** Parses a fork name; returns undefined for an unknown name. */
export function parseFork(name: string): Fork | undefined {
  return NAMES[name.toLowerCase()];
}

export function forkName(fork: Fork): string {
  return Fork[fork];
}

/** Forks the interpreter fully implements. */
export const SUPPORTED_FORKS: readonly Fork[] = [
  Fork.Frontier, Fork.Homestead, Fork.TangerineWhistle, Fork.SpuriousDragon, Fork.Byzantium,
  Fork.Constantinople, Fork.Petersburg, Fork.Istanbul, Fork.MuirGlacier, Fork.Berlin, Fork.London,
  Fork.ArrowGlacier, Fork.GrayGlacier, Fork.Paris, Fork.Shanghai, Fork.Cancun,
];
