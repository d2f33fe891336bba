import { format } from "node:util";
import { isMainThread, workerData } from "node:worker_threads";
import { accountToKoiiKey, isAccount } from "../keys.ts";
import { maybeContext } from "./context.ts";

/**
 * The constants @_koii/namespace-wrapper exports. Koii's wrapper reads them from the process arguments the desktop
 * node passes; here they come from the gradual node: at load time from the sandbox's start data when there is one,
 * and from every call's context after that. They are `let` bindings so that importers see the values as they are
 * filled in (ES modules export live bindings).
 */

/**
 * The task id as Koii writes one: base58 of the gradual task id's 32 bytes (64 hex on the ledger), so that Koii code
 * doing `new PublicKey(TASK_ID)` works. The wrapper's methods take either form.
 */
export let TASK_ID: string | undefined;
/** This node's key in base58: on gradual the node's one key is both Koii's main and staking key. */
export let MAIN_ACCOUNT_PUBKEY: string | undefined;
/** This node's stake in the task, in base units, as read from the ledger at the latest call (0 before staking). */
export let STAKE = 0;
/** This node's URL as recorded on the ledger with its stake (where other nodes and users reach it). */
export let SERVICE_URL: string | undefined;
/** Always true: on gradual a task only ever runs under a node (a local test run is a node too). */
export const taskNodeAdministered = true;
/** Koii's secret for task-to-node RPC: there is no such RPC on gradual. */
export const SECRET_KEY: string | undefined = undefined;
/** Koii's K2 RPC URL: there is no K2 on gradual. */
export const K2_NODE_URL: string | undefined = undefined;
/** Koii's node RPC port: there is no such RPC on gradual. */
export const TASK_NODE_PORT: number | undefined = undefined;

export function adoptIdentity(taskId: string, node: string): void {
  TASK_ID = isAccount(taskId) ? accountToKoiiKey(taskId) : taskId;
  MAIN_ACCOUNT_PUBKEY = accountToKoiiKey(node);
}

export function adoptStake(stake: number, url: string | undefined): void {
  STAKE = stake;
  SERVICE_URL = url;
}

/**
 * Koii gives a task exactly its operator-supplied variables as environment variables (KOII_API.md §e). gradual gives
 * them as ctx.config; they are copied into process.env so Koii code reads them where it always does. In the sandbox
 * process.env is the task process's own (and starts with only HOME and TMPDIR); in-process it is the host's.
 */
export function applyTaskVariables(config: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === "string") process.env[name] = value;
  }
}

/**
 * The sandbox's start data: a task process puts it on globalThis under this symbol before it loads the bundle; a
 * sandbox worker thread has it as its workerData. Undefined in-process.
 */
function sandboxInit(): unknown {
  const fromProcess = (globalThis as Record<symbol, unknown>)[Symbol.for("gradual.sandbox.init")];
  if (fromProcess !== undefined) return fromProcess;
  return isMainThread ? undefined : workerData;
}

/** At load time in a sandbox: take the task id, node and variables from the sandbox's start data. */
function adoptWorkerData(): void {
  const data = sandboxInit();
  if (typeof data !== "object" || data === null) return;
  const init = data as { taskId?: unknown; node?: unknown; config?: unknown };
  if (typeof init.taskId === "string" && isAccount(init.node)) adoptIdentity(init.taskId, init.node);
  if (typeof init.config === "object" && init.config !== null)
    applyTaskVariables(init.config as Record<string, string>);
}

/**
 * Koii's node writes a task's stdout and stderr to its task.log. In a gradual sandbox, console output of the
 * task goes to the node's log instead (info for log/info/debug, warn, error), tagged as task output by the node. Not
 * done in-process, where the console belongs to the host.
 */
function routeConsoleToNodeLog(): void {
  if (sandboxInit() === undefined) return;
  const original = {
    log: console.log,
    info: console.info,
    debug: console.debug,
    warn: console.warn,
    error: console.error,
  };
  const route =
    (level: "info" | "warn" | "error", fallback: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      const ctx = maybeContext();
      if (ctx === undefined) fallback(...args);
      else ctx.log[level](format(...args));
    };
  console.log = route("info", original.log);
  console.info = route("info", original.info);
  console.debug = route("info", original.debug);
  console.warn = route("warn", original.warn);
  console.error = route("error", original.error);
}

adoptWorkerData();
routeConsoleToNodeLog();
