import { AsyncLocalStorage } from "node:async_hooks";
import type { RouteContext, TaskContext } from "@gradual/sdk";
import { KoiiContextError } from "./errors.ts";

/**
 * The namespace wrapper is a module-level singleton (Koii's API), but everything it does belongs to the gradual call
 * in progress: its store, its signer, its ledger reader. Each call into Koii code runs inside `runWithContext`, so
 * concurrent calls (a `task` and an `audit` of different rounds) never mix. Code that runs outside any call (a timer
 * a task started, an Express handler) sees the context of the latest call: every call of one task instance on one
 * node shares the same store, key and ledger, so only the round differs, and the wrapper reads the round from the
 * ledger rather than from the context.
 */

export type KoiiCallContext = TaskContext | RouteContext;

const storage = new AsyncLocalStorage<KoiiCallContext>();
let latest: KoiiCallContext | undefined;
/** Outside any node: the context of a linked task folder's local chain (`gradual koii link`), if one is installed. */
let fallback: (() => KoiiCallContext) | undefined;

/** Installs the context used when no node call is running or ran (a Koii task's own tests, `gradual koii link`). */
export function setFallbackContext(provider: (() => KoiiCallContext) | undefined): void {
  fallback = provider;
}

export function runWithContext<T>(ctx: KoiiCallContext, body: () => Promise<T> | T): Promise<T> {
  latest = ctx;
  return storage.run(ctx, async () => body());
}

/** The context of the call in progress (or of the latest call); throws when no call has run yet. */
export function currentContext(method: string): KoiiCallContext {
  const ctx = storage.getStore() ?? latest ?? fallback?.();
  if (ctx === undefined) {
    throw new KoiiContextError(
      `${method} was called before the node's first call into the task (at module load?): on gradual the wrapper ` +
        "talks to the node through the call in progress; call it from setup, task, submission, audit, distribution or a route",
    );
  }
  return ctx;
}

/** The context if any call has run, for best-effort uses such as logging. */
export function maybeContext(): KoiiCallContext | undefined {
  return storage.getStore() ?? latest ?? fallback?.();
}
