// braid-evm/node: the Node adapters (file loading, worker_threads).
export { loadBraidModule } from "./load.js";
export { NodeWorkerPool } from "./pool.js";
export { loadBlockFixture, type BlockFixture } from "./fixture.js";
export { useNativeSecp256k1 } from "./secp256k1.js";
