/**
 * Whether a Koii devnet's task worked: each node counts its calls of `task` + `submission` (GET /health `taskCalls`),
 * the devnet reads them every round (a node stopped by Ctrl-C keeps its last answer) and, when it ends, prints the
 * totals and fails (KOII_DEVNET__TASK_FAILED, exit 1) when no call on any node submitted a proof (docs/koii.md).
 */

/** One node's answer, as /health gives it. */
export type NodeTaskCalls = {
  readonly label: string;
  readonly submitted: number;
  readonly nothing: number;
  readonly failed: number;
  readonly lastFailure: { readonly cycle: number; readonly code: string; readonly message: string } | null;
  readonly runnerLoaded: boolean;
  readonly lastError: string | null;
};

const count = (value: unknown): number =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0;

/** A node's /health body as its task-call counts; undefined when it has none (another version of the node). */
export function taskCallsOf(label: string, body: unknown): NodeTaskCalls | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const health = body as Record<string, unknown>;
  const calls = health.taskCalls as Record<string, unknown> | null | undefined;
  if (typeof calls !== "object" || calls === null) return undefined;
  const last = calls.lastFailure as Record<string, unknown> | null | undefined;
  return {
    label,
    submitted: count(calls.submitted),
    nothing: count(calls.nothing),
    failed: count(calls.failed),
    lastFailure:
      typeof last === "object" && last !== null
        ? { cycle: count(last.cycle), code: String(last.code), message: String(last.message) }
        : null,
    runnerLoaded: health.runnerLoaded === true,
    lastError: typeof health.lastError === "string" ? health.lastError : null,
  };
}

/** Reads every node's /health on each `poll()`, keeping the latest answer of each node. */
export function createTaskCallTally(nodes: readonly { readonly label: string; readonly url: string }[]) {
  const latest = new Map<string, NodeTaskCalls>();
  let polling: Promise<void> | undefined;
  const pollOnce = async (): Promise<void> => {
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(3_000) });
          const calls = taskCallsOf(node.label, await response.json());
          if (calls !== undefined) latest.set(node.label, calls);
        } catch {
          // Stopped or busy: its last answer stands.
        }
      }),
    );
  };
  return {
    /** One round of requests (calls made while one is under way share it). */
    poll(): Promise<void> {
      polling ??= pollOnce().finally(() => {
        polling = undefined;
      });
      return polling;
    },
    /** The latest answer of each node, in the nodes' order (undefined for a node that never answered). */
    latest(): (NodeTaskCalls | undefined)[] {
      return nodes.map((node) => latest.get(node.label));
    },
  };
}

export type TaskCallVerdict = {
  /** The totals, for the devnet's last line. */
  readonly line: string;
  /** Why the run failed (KOII_DEVNET__TASK_FAILED), or undefined when some call submitted a proof. */
  readonly failure: string | undefined;
};

/**
 * The verdict on a devnet's task calls: it failed unless some call on some node submitted a proof (every call
 * failed, every submission returned nothing, or the task never ran). Failures beside successes are counted, not
 * fatal: a task that scrapes may miss a round.
 */
export function taskCallVerdict(nodes: readonly (NodeTaskCalls | undefined)[], dataDir: string): TaskCallVerdict {
  const known = nodes.filter((node): node is NodeTaskCalls => node !== undefined);
  const sum = (pick: (node: NodeTaskCalls) => number) => known.reduce((total, node) => total + pick(node), 0);
  const submitted = sum((node) => node.submitted);
  const nothing = sum((node) => node.nothing);
  const failed = sum((node) => node.failed);
  const made = submitted + nothing + failed;
  const logs = `the nodes' logs: ${dataDir}/node-N.log`;
  const last = known
    .filter((node) => node.lastFailure !== null)
    .sort((a, b) => (b.lastFailure?.cycle ?? 0) - (a.lastFailure?.cycle ?? 0))[0];
  const lastText =
    last?.lastFailure === null || last === undefined
      ? ""
      : `; last: ${last.label} in cycle ${last.lastFailure.cycle}: ${last.lastFailure.code}: ${last.lastFailure.message}`;
  const perNode = known.map((node) => `${node.label} ${node.submitted}/${node.failed}`).join(", ");
  const line =
    known.length === 0
      ? "task calls: unknown (no node answered /health)"
      : `task calls (task + submission): ${made} made, ${submitted} submitted a proof, ${nothing} submitted nothing, ` +
        `${failed} failed (submitted/failed per node: ${perNode})`;
  let failure: string | undefined;
  if (known.length === 0) failure = `no node answered /health, so nothing shows that the task worked (${logs})`;
  else if (submitted > 0) failure = undefined;
  else if (failed > 0) {
    failure =
      failed === made
        ? `every task call failed: ${failed} of ${made}${lastText} (${logs})`
        : `no task call submitted a proof: ${failed} of ${made} failed, the others submitted nothing${lastText} (${logs})`;
  } else if (nothing > 0) {
    failure = `no task call submitted a proof: submission() returned nothing in all ${nothing} call(s) (${logs})`;
  } else {
    const unloaded = known.find((node) => !node.runnerLoaded && node.lastError !== null);
    failure =
      unloaded === undefined
        ? "no task call was made: a node works once its stake is active, after its warm-up; run more rounds (--rounds)"
        : `no task call was made: the task did not start on ${unloaded.label}: ${unloaded.lastError} (${logs})`;
  }
  return { line, failure };
}
