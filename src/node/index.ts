// braid-evm/node: the Node adapters (file loading, worker_threads).
export { loadBraidModule } from "./load.js";
export { NodeWorkerPool } from "./pool.js";
export { loadBlockFixture, type BlockFixture } from "./fixture.js";
export { useNativeSecp256k1 } from "./secp256k1.js";
export { useMclBn254 } from "./bn254.js";
export { useNativeKzg, warmNativeKzg, type NativeKzgContext } from "./kzg.js";
