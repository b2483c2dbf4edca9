// Lets a Block-STM worker in a long precompile hand part of it to an idle worker. One slot per run
// (HS_* in the shared memory, staged with the block): the poster copies the other part's input
// there and goes on with its own part; a thread between tasks (stm_worker's idle loop) takes the
// job and writes its output back. A job no one has started when the poster finishes its own part
// is taken back and run by the poster, so posting never costs more than the copy.
//
// Jobs are pure functions of their input, registered by kind in every thread (the module that
// posts a kind registers it when it loads, so every thread that can post it can also run it).
// Browser-safe: shared memory and Atomics only; waits happen on worker threads, or on Node's main
// thread when the coordinator joins the run (browsers never run stm_worker on the main thread).
import * as L from "../wasm/layout.js";

/** Whether idle workers help (ParallelOptions.help): "share" (default), "wait" (tests) or "off". */
export type HelpMode = "share" | "wait" | "off";

/** A job: its output for `input`, or undefined when this thread cannot run it (the poster then does). */
export type HelpJob = (input: Uint8Array) => Uint8Array | undefined;

const jobs = new Map<number, HelpJob>();

/** Registers job `kind` (same function in every thread; kinds are the callers' constants). */
export function registerHelpJob(kind: number, job: HelpJob): void {
  jobs.set(kind, job);
}

/** This thread's open desk: the run's slot while this thread runs stm_worker with another thread. */
let desk: { memory: WebAssembly.Memory; slot: number } | undefined;

/** Opens the desk on `slot` (0 closes it); called from stm_worker through the `help_desk` import. */
export function openHelpDesk(memory: WebAssembly.Memory, slot: number): void {
  desk = slot === 0 ? undefined : { memory, slot };
}

/** Whether this thread could hand work to another now. */
export function helpDeskOpen(): boolean {
  return desk !== undefined;
}

const view = (memory: WebAssembly.Memory) => new Int32Array(memory.buffer);
const word = (slot: number, field: number) => (slot + field) >>> 2;

/** Runs the job posted in `slot` if it is still there to take (the `help_run` import). */
export function takeHelpJob(memory: WebAssembly.Memory, slot: number): void {
  const i32 = view(memory);
  const state = word(slot, L.HS_STATE);
  if (Atomics.compareExchange(i32, state, L.HELP_POSTED, L.HELP_TAKEN) !== L.HELP_POSTED) return;
  const u8 = new Uint8Array(memory.buffer);
  const input = u8.slice(slot + L.HS_IN, slot + L.HS_IN + i32[word(slot, L.HS_IN_LEN)]!);
  const job = jobs.get(i32[word(slot, L.HS_KIND)]!);
  let status = L.HELP_OK;
  let out: Uint8Array | undefined;
  try {
    out = job?.(input);
    if (out !== undefined && out.length > L.HS_OUT_CAP) out = undefined; // too big for the slot: the poster runs it
  } catch (e) {
    status = L.HELP_FAILED;
    out = new TextEncoder().encode(String((e as Error)?.message ?? e)).subarray(0, L.HS_OUT_CAP);
  }
  if (out === undefined) {
    status = L.HELP_UNKNOWN;
    out = new Uint8Array(0);
  }
  u8.set(out, slot + L.HS_OUT);
  i32[word(slot, L.HS_OUT_LEN)] = out.length;
  i32[word(slot, L.HS_STATUS)] = status;
  if (status !== L.HELP_UNKNOWN) Atomics.add(i32, word(slot, L.HS_HELPED), 1);
  Atomics.store(i32, state, L.HELP_DONE); // after the output: the poster reads it once it sees DONE
  Atomics.notify(i32, state);
}

/** How long a poster in HELP_MODE_WAIT waits for a helper before running the job itself. */
const WAIT_MODE_LIMIT_MS = 10_000;

/**
 * Runs `mine` here and job `kind` on `theirs` on another thread if one is free; returns both
 * outputs. Undefined when there is no desk, the slot is in use or `theirs` does not fit (the caller
 * then does the whole work as usual). An error of either part is thrown here, once the slot is
 * free again, whichever thread ran it.
 */
export function shareWork(kind: number, theirs: Uint8Array, mine: () => Uint8Array): { mine: Uint8Array; theirs: Uint8Array } | undefined {
  const job = jobs.get(kind);
  if (desk === undefined || job === undefined || theirs.length > L.HS_IN_CAP) return undefined;
  const { memory, slot } = desk;
  const i32 = view(memory);
  const state = word(slot, L.HS_STATE);
  if (Atomics.compareExchange(i32, state, L.HELP_EMPTY, L.HELP_FILLING) !== L.HELP_EMPTY) return undefined;
  new Uint8Array(memory.buffer).set(theirs, slot + L.HS_IN);
  i32[word(slot, L.HS_IN_LEN)] = theirs.length;
  i32[word(slot, L.HS_KIND)] = kind;
  Atomics.store(i32, state, L.HELP_POSTED);
  Atomics.notify(i32, i32[word(slot, L.HS_WAKE)]! >>> 2); // napping workers look now
  const mineOut = attempt(mine);
  const theirsOut = collect(i32, memory, slot, () => job(theirs));
  if ("error" in mineOut) throw mineOut.error;
  if ("error" in theirsOut) throw theirsOut.error;
  return { mine: mineOut.out, theirs: theirsOut.out };
}

type Outcome = { out: Uint8Array } | { error: unknown };

function attempt(run: () => Uint8Array | undefined): Outcome {
  try {
    const out = run();
    return out === undefined ? { error: new Error("help job refused its own input") } : { out };
  } catch (error) {
    return { error };
  }
}

/** The other part's output: taken back and run here if no one started it, else awaited. The slot is left empty. */
function collect(i32: Int32Array, memory: WebAssembly.Memory, slot: number, run: () => Uint8Array | undefined): Outcome {
  const state = word(slot, L.HS_STATE);
  const wait = i32[word(slot, L.HS_MODE)] === L.HELP_MODE_WAIT;
  const giveUpAt = performance.now() + WAIT_MODE_LIMIT_MS;
  while (wait && Atomics.load(i32, state) === L.HELP_POSTED && performance.now() < giveUpAt) Atomics.wait(i32, state, L.HELP_POSTED, 50);
  if (Atomics.compareExchange(i32, state, L.HELP_POSTED, L.HELP_EMPTY) === L.HELP_POSTED) return attempt(run);
  for (let s = Atomics.load(i32, state); s !== L.HELP_DONE; s = Atomics.load(i32, state)) Atomics.wait(i32, state, s);
  const status = i32[word(slot, L.HS_STATUS)];
  const out = new Uint8Array(memory.buffer).slice(slot + L.HS_OUT, slot + L.HS_OUT + i32[word(slot, L.HS_OUT_LEN)]!);
  Atomics.store(i32, state, L.HELP_EMPTY);
  if (status === L.HELP_OK) return { out };
  if (status === L.HELP_FAILED) return { error: new Error(new TextDecoder().decode(out)) };
  return attempt(run); // the helper did not know the job
}
