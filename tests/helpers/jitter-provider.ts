// A state provider whose round trips take 0, 1 or 2 event-loop turns and timers at random
// (seeded): replies arrive in another order and at other moments than the requests went out,
// which shakes the routing of worker requests and the run-ahead rounds. No synchronous path.
import { MemoryStateProvider } from "../../src/remote/memory-provider.js";
import type { PreState } from "../../src/block/types.js";
import type { StateProvider, StateRequest, StateResponse } from "../../src/state/provider.js";

export class JitterProvider implements StateProvider {
  private readonly inner: MemoryStateProvider;
  private state: number;
  constructor(pre: PreState, seed: number) {
    this.inner = new MemoryStateProvider(pre);
    this.state = seed >>> 0;
  }
  async fetch(req: StateRequest): Promise<StateResponse> {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    const d = (this.state >>> 16) % 3;
    if (d === 0) await Promise.resolve();
    else await new Promise((r) => setTimeout(r, d - 1));
    return this.inner.fetchSync!(req);
  }
}
