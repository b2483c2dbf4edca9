// Node worker_threads entry for a Block-STM worker.
import { parentPort } from "node:worker_threads";
import { createWorkerBody } from "../worker/body.js";
import type { ToWorker } from "../parallel/pool.js";

const port = parentPort!;
const handle = createWorkerBody((m) => port.postMessage(m));
port.on("message", (m: ToWorker) => handle(m));
