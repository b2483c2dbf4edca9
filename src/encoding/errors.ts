/**
 * The one error class Braid throws for bad input (malformed hex/RLP, invalid transactions, ...).
 * `code` is a stable machine-readable identifier; transaction-validity codes follow the names of
 * the Ethereum test suite's `TransactionException.*` values (e.g. `INTRINSIC_GAS_TOO_LOW`).
 */
export class BraidError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BraidError';
    this.code = code;
  }
}

/** True if `e` is a BraidError (optionally with the given code). */
export function isBraidError(e: unknown, code?: string): e is BraidError {
  return e instanceof BraidError && (code === undefined || e.code === code);
}

/** Runs `f`; a BraidError it throws comes out with `prefix` before its message (same code). */
export function withPrefix<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isBraidError(e)) throw new BraidError(e.code, `${prefix}${e.message}`);
    throw e;
  }
}

/** An options argument: absent (undefined or null) is no options; anything but an object is OPTIONS_INVALID. */
export function optionsOf<T extends object>(opts: T | null | undefined, what: string): T {
  if (opts === undefined || opts === null) return {} as T;
  if (typeof opts !== "object") throw new BraidError("OPTIONS_INVALID", `${what}: options must be an object, got ${String(opts)}`);
  return opts;
}
