import type { TaskRunner } from "../sandbox/types.ts";

/**
 * Deliberate misbehaviour for demos and tests (`gradual node --misbehave garbage:N`): every N-th cycle the node
 * submits a proof that is not the task's output. Its peers' audits catch it, it is triggered, and an upheld trigger
 * slashes it, which is what the devnet shows. Never enabled unless asked for.
 */
export function withGarbageEvery(runner: TaskRunner, every: number): TaskRunner {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`--misbehave garbage:N expects N >= 1, got ${every}`);
  return {
    setup: () => runner.setup(),
    work: async (cycle, round) => {
      if (cycle % every !== 0) return runner.work(cycle, round);
      return {
        ok: true,
        value: new TextEncoder().encode(JSON.stringify({ garbage: true, cycle, note: "not the task's output" })),
      };
    },
    audit: (cycle, round, proof, submitter) => runner.audit(cycle, round, proof, submitter),
    distribution: (cycle, round, submitters, bounty) => runner.distribution(cycle, round, submitters, bounty),
    route: (request) => runner.route(request),
    close: () => runner.close(),
  };
}
