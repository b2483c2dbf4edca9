// Node worker_threads entry for a Block-STM worker.
import { parentPort } from "node:worker_threads";
import { createWorkerBody } from "../worker/body.js";
import type { ToWorker } from "../parallel/pool.js";
import { useNativeSecp256k1 } from "./secp256k1.js";

useNativeSecp256k1();

const port = parentPort!;
const handle = createWorkerBody((m) => port.postMessage(m));
port.on("message", (m: ToWorker) => handle(m));
