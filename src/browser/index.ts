// Browser entry points: Web Worker pool, wasm loading from a URL, block fixtures over HTTP.
// Use with ParallelExecutor (../parallel/execute.js) and Vm (../vm/vm.js) in a cross-origin
// isolated page; see browser/index.html for a page that runs a block without a bundler.
export { BrowserWorkerPool, type BrowserWorkerPoolOptions, type BootMessage } from "./pool.js";
export { loadBraidModuleFromUrl, DEFAULT_WASM_URL } from "./load.js";
export { fetchBlockFixture, fetchFixtureJson, type FetchedBlockFixture } from "./fixture.js";
export { documentImportMap, normalizeImportMap, resolveSpecifier, linkWithImportMap, scanModuleSpecifiers } from "./import-map.js";
export type { ImportMap, ResolvedImportMap, SpecifierSite } from "./import-map.js";
