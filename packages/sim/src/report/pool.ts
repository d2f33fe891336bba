import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Job, type JobResult, runJob } from "./jobs.ts";

export type PoolOptions = {
  /** Worker threads; 1 runs everything in this thread. Default: the machine's parallelism, at most 4. */
  readonly workers?: number;
  readonly onResult?: (result: JobResult, done: number, total: number) => void;
  /**
   * A job's expected cost (any unit). Workers take the most expensive jobs first, so that the last jobs to finish
   * are short and no worker idles while another runs a long job alone; results keep the job order either way.
   */
  readonly cost?: (job: Job) => number;
};

/**
 * Compiled (dist/), a worker runs worker.js directly; from the TypeScript sources (tests, through tsx) it goes through
 * workerBootstrap.mjs, which registers tsx in the worker first (a worker does not inherit the parent's loader).
 */
const WORKER_SCRIPT = import.meta.url.endsWith(".ts")
  ? new URL("./workerBootstrap.mjs", import.meta.url)
  : new URL("./worker.js", import.meta.url);

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/**
 * Runs jobs on worker threads and returns the results in job order, whatever order they finished in, so a report
 * never depends on scheduling.
 */
export async function runJobs(jobs: readonly Job[], options: PoolOptions = {}): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  const workers = Math.min(options.workers ?? defaultWorkers(), jobs.length);
  let done = 0;
  const finish = (result: JobResult) => {
    results[jobs.findIndex((job) => job.index === result.index)] = result;
    done += 1;
    options.onResult?.(result, done, jobs.length);
  };
  if (workers <= 1) {
    for (const job of jobs) {
      finish(runJob(job));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const cost = options.cost;
  const order =
    cost === undefined
      ? [...jobs]
      : jobs
          .map((job, position) => ({ job, position, cost: cost(job) }))
          .sort((left, right) => right.cost - left.cost || left.position - right.position)
          .map((item) => item.job);
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const worker = new Worker(WORKER_SCRIPT);
      try {
        while (next < order.length) {
          const job = order[next] as Job;
          next += 1;
          const result = await new Promise<JobResult>((resolve, reject) => {
            const onError = (error: Error) => reject(error);
            worker.once("error", onError);
            worker.once("message", (message: JobResult) => {
              worker.off("error", onError);
              resolve(message);
            });
            worker.postMessage(job);
          });
          finish(result);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}
