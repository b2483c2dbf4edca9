// Command-line arguments shared by the `braid` commands: one parser, one usage error (exit 2).
import { hexToBytes } from "../encoding/hex.js";

export class UsageError extends Error {}

/** Splits `--flag`, `--name value` and positional arguments; unknown options are usage errors. */
export function parseArgs(argv: string[], flags: string[], valued: string[]): { opts: Record<string, string | true>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const name = a.slice(2);
      if (flags.includes(name)) opts[name] = true;
      else if (valued.includes(name)) {
        if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
        opts[name] = argv[++i];
      } else throw new UsageError(`unknown option ${a}`);
    } else rest.push(a);
  }
  return { opts, rest };
}

/** A hex argument as bytes; a usage error naming `what` when it is not hex. */
export function hexOption(v: string, what: string): Uint8Array {
  try {
    return hexToBytes(v.trim());
  } catch (e) {
    throw new UsageError(`${what} is not valid hex: ${(e as Error).message}`);
  }
}

/** A positive integer option (`dflt` when absent), at most `max`. */
export function positiveOption(v: string | true | undefined, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !/^[1-9][0-9]*$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  if (Number(v) > max) throw new UsageError(`--${name} must be at most ${max}, got ${v}`);
  return Number(v);
}

/**
 * Most worker threads a command starts: each holds a context of its own in the shared memory
 * (stacks, EVM memory, local tables): 48 did not fit in the 4 GiB a wasm memory can have. The
 * remote-state runs use 16 on 2 cores.
 */
export const MAX_THREADS = 32;
