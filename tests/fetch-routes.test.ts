// FetchRoutes (src/parallel/pool.ts): a worker pool routes each state request to the handler of
// the run that posted its context, and a run detaches only its own handlers. Before, a pool held
// one handler, which an earlier run cleared when its replies came in late, in the middle of a
// later remote run: that run's workers then asked for state with no one to answer (the Node pool
// threw in a message handler, which ends the process). tests/random-blocks.test.ts runs it whole.
import { describe, expect, it } from "vitest";
import { FetchRoutes } from "../src/parallel/pool.js";

describe("FetchRoutes", () => {
  it("an earlier run settling late does not detach a later run's handler", () => {
    const routes = new FetchRoutes();
    const served: string[] = [];
    const detachOld = routes.attach([100], undefined); // a Block-STM run on local state: nothing to route
    const detachRemote = routes.attach([100, 200], (ctx, ticket) => served.push(`remote ${ctx}/${ticket}`));
    detachOld(); // its reply came in late
    expect(routes.route(100, 1)).toBe(true);
    expect(routes.route(200, 1)).toBe(true);
    detachRemote();
    expect(routes.route(100, 2)).toBe(false);
    expect(served).toEqual(["remote 100/1", "remote 200/1"]);
  });

  it("a run detaches only the contexts it still owns", () => {
    const routes = new FetchRoutes();
    const served: string[] = [];
    const detachFirst = routes.attach([100], () => served.push("first"));
    const detachSecond = routes.attach([100], () => served.push("second"));
    detachFirst();
    expect(routes.route(100, 1)).toBe(true);
    detachSecond();
    expect(routes.route(100, 2)).toBe(false);
    expect(served).toEqual(["second"]);
  });
});
