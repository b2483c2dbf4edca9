// Where a value comes from, from most to least predictable before the transaction runs:
// - constant: only PUSHes (and PC, CODESIZE, code bytes) and pure arithmetic on them;
// - calldata: also the call's input and environment values known before execution (CALLER,
//   ORIGIN, ADDRESS, CALLVALUE, GASPRICE and the block fields);
// - entry-stack: also the stack, or memory, as they were when the block was entered;
// - state: also something read from state inside the block (storage, balances, code, block
//   hashes), a call's result or return data, or GAS.
// Combining values takes the least predictable provenance, so ranks are ordered.

export type Provenance = "constant" | "calldata" | "entry-stack" | "state";

export const CONST = 0, CALLDATA = 1, ENTRY = 2, STATE = 3;
export const PROVENANCES: Provenance[] = ["constant", "calldata", "entry-stack", "state"];
