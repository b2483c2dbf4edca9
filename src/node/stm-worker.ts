// Node worker_threads entry for a Block-STM worker.
import { parentPort } from "node:worker_threads";
import { createWorkerBody } from "../worker/body.js";
import type { ToWorker } from "../parallel/pool.js";
import { useMclBn254 } from "./bn254.js";
import { useNativeKzg } from "./kzg.js";
import { useNativeSecp256k1 } from "./secp256k1.js";

useNativeSecp256k1();
useMclBn254();
useNativeKzg();

const port = parentPort!;
const handle = createWorkerBody((m) => port.postMessage(m));
port.on("message", (m: ToWorker) => handle(m));
