import type { Account } from "@gradual/protocol";
import {
  createProof,
  encodeProof,
  equalSplit,
  type RouteRequest,
  type Submitter,
  type TaskDefinition,
} from "@gradual/sdk";
import { errorMessage } from "./checks.ts";
import { type ContextSource, createRouteContext, createTaskContext } from "./context.ts";
import { describeRefusal } from "./refusals.ts";
import type { RouteTable } from "./routeTable.ts";

/** One call into task code. Plain data: it crosses the worker boundary by structured clone (bigints included). */
export type TaskCall =
  | { readonly kind: "setup"; readonly round: number }
  | { readonly kind: "work"; readonly cycle: number; readonly round: number }
  | {
      readonly kind: "audit";
      readonly cycle: number;
      readonly round: number;
      readonly proof: Uint8Array;
      readonly submitter: Account;
    }
  | {
      readonly kind: "distribution";
      readonly cycle: number;
      readonly round: number;
      readonly submitters: readonly Submitter[];
      readonly bounty: bigint;
    }
  | { readonly kind: "route"; readonly round: number; readonly request: RouteRequest };

/**
 * What task code produced, unchecked. Inside its own thread task code can only throw or return something unusable;
 * timeouts, memory and crashes are seen from outside.
 */
export type RawOutcome =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly reason: "threw" | "access-denied" | "invalid-result" | "nothing-submitted";
      readonly message: string;
    };

async function runWork(definition: TaskDefinition, source: ContextSource, cycle: number, round: number) {
  const ctx = createTaskContext(source, cycle, round);
  await definition.task(ctx);
  return definition.submission(ctx);
}

function encodeOutcome(payload: unknown): RawOutcome {
  if (payload === null || payload === undefined) {
    return { ok: false, reason: "nothing-submitted", message: "submission returned nothing: no proof this cycle" };
  }
  try {
    // encodeProof accepts bytes, a string or JSON; anything else (a function, a bigint deep inside) throws here.
    return { ok: true, value: encodeProof(payload as Parameters<typeof encodeProof>[0]) };
  } catch (error) {
    return { ok: false, reason: "invalid-result", message: `submission: ${errorMessage(error)}` };
  }
}

async function runCall(
  definition: TaskDefinition,
  routes: RouteTable,
  source: ContextSource,
  call: TaskCall,
): Promise<unknown> {
  switch (call.kind) {
    case "setup":
      // Setup has no cycle of its own: ctx.cycle is the round it runs in.
      await definition.setup?.(createTaskContext(source, call.round, call.round));
      return undefined;
    case "work":
      return runWork(definition, source, call.cycle, call.round);
    case "audit":
      return definition.audit(
        createTaskContext(source, call.cycle, call.round),
        createProof(call.proof),
        call.submitter,
      );
    case "distribution": {
      if (!definition.distribution) return equalSplit(call.submitters, call.bounty);
      const ctx = createTaskContext(source, call.cycle, call.round);
      return definition.distribution(ctx, call.submitters, call.bounty);
    }
    case "route": {
      const match = routes.match(call.request.method, call.request.path);
      if (!match) return { status: 404 };
      const request = { ...call.request, params: match.params };
      return match.handler(request, createRouteContext(source, call.round));
    }
  }
}

/**
 * What task code threw, as a failed call: a refusal of the sandbox (Node's permission model) is told as such, with
 * the module that asked (refusals.ts); anything else is the task's own throw.
 */
export function thrownOutcome(error: unknown, bundleUrl: string | undefined): RawOutcome {
  const refused = describeRefusal(error, bundleUrl);
  if (refused !== undefined) return { ok: false, reason: "access-denied", message: refused };
  return { ok: false, reason: "threw", message: errorMessage(error) };
}

/**
 * Runs one call of task code against `source` (the host's services, direct or proxied). Used by the worker and by
 * the in-process runner, so both behave the same; the caller checks the value (checks.ts). `bundleUrl`, where the
 * task's code was loaded from, names the module behind a refusal of the sandbox.
 */
export async function runTaskCall(
  definition: TaskDefinition,
  routes: RouteTable,
  source: ContextSource,
  call: TaskCall,
  bundleUrl?: string,
): Promise<RawOutcome> {
  let value: unknown;
  try {
    value = await runCall(definition, routes, source, call);
  } catch (error) {
    return thrownOutcome(error, bundleUrl);
  }
  return call.kind === "work" ? encodeOutcome(value) : { ok: true, value };
}
