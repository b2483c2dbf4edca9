// A thin wrapper over tinybench 6: one task per Bench, so each engine/case gets its own budget.
import { Bench } from "tinybench";
const gc = globalThis.gc;
/** Measures `fn` (sync or async) and returns latency statistics in ms. */
export async function measure(name, fn, o) {
    const warm = (o.warmupMs ?? 0) > 0 || (o.warmupIterations ?? 0) > 0;
    const bench = new Bench({
        name,
        time: o.timeMs,
        iterations: o.iterations,
        warmup: warm,
        warmupTime: o.warmupMs ?? 0,
        warmupIterations: o.warmupIterations ?? 0,
        throws: true,
        setup: () => gc?.(),
    });
    bench.add(name, fn, {
        async: o.async ?? false,
        beforeEach: o.beforeEach ? async () => { await o.beforeEach(); } : undefined,
        afterEach: o.afterEach ? async () => { await o.afterEach(); } : undefined,
    });
    await bench.run();
    const task = bench.tasks[0];
    const r = task.result;
    if (r.state === "errored")
        throw r.error;
    if (r.state !== "completed" && r.state !== "aborted-with-statistics")
        throw new Error(`${name}: task ended in state ${r.state}`);
    const l = r.latency;
    return { medianMs: l.p50, meanMs: l.mean, minMs: l.min, maxMs: l.max, rmePct: l.rme, samples: l.samplesCount };
}
//# sourceMappingURL=timing.js.map