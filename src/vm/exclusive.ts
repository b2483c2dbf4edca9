// One block at a time on a Vm. The asynchronous executors (ParallelExecutor.execute,
// executeRemote) await between staging and execution; a second call on the same Vm in that gap
// would re-stage its memory under the first (two execute() calls in a Promise.all gave a wrong
// state). They queue instead; a synchronous call meanwhile is refused.
import { BraidError } from "../encoding/errors.js";
import type { Vm } from "./vm.js";

const queues = new WeakMap<Vm, Promise<void>>();
const running = new WeakSet<Vm>();

/** Runs `fn` with `vm` to itself: a call made while another one runs waits for it, in call order. */
export async function exclusive<T>(vm: Vm, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(vm);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => { release = resolve; });
  const tail = before ? before.then(() => mine) : mine;
  queues.set(vm, tail);
  if (before) await before;
  running.add(vm);
  try {
    return await fn();
  } finally {
    running.delete(vm);
    release();
    if (queues.get(vm) === tail) queues.delete(vm);
  }
}

/** Refuses a synchronous call (`what`) on a Vm that an asynchronous executor is using. */
export function assertIdle(vm: Vm, what: string): void {
  if (running.has(vm)) throw new BraidError("VM_BUSY", `${what}: the Vm is executing another block (await that call first, or use another Vm)`);
}
