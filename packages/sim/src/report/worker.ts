import { parentPort } from "node:worker_threads";
import { type Job, runJob } from "./jobs.ts";

/** A report worker: runs the jobs it is sent, one at a time, and posts each result back. */
parentPort?.on("message", (job: Job) => {
  parentPort?.postMessage(runJob(job));
});
