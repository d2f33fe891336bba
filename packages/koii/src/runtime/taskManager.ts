import { currentContext } from "./context.ts";
import { KoiiUnsupportedError } from "./errors.ts";

/**
 * @_koii/task-manager's registry: `initializeTaskManager({ setup, task, submission, audit, distribution, routes })`
 * runs once at module load (from the task's src/index) and the runtime reads the functions back through
 * `getTaskManager()`. The checks and their messages follow Koii's task manager.
 */

export type KoiiSubmitter = { publicKey: string; votes: number; stake: number };
export type KoiiDistributionList = Record<string, number>;

export type KoiiUserFunctions = {
  setup: () => Promise<void> | void;
  task: (roundNumber: number) => Promise<unknown> | unknown;
  submission: (roundNumber: number) => Promise<string | undefined | unknown> | unknown;
  audit: (
    submission: string,
    roundNumber: number,
    submitterKey: string,
  ) => Promise<boolean | undefined | unknown> | unknown;
  distribution: (
    submitters: KoiiSubmitter[],
    bounty: number,
    roundNumber: number,
  ) => Promise<KoiiDistributionList | unknown> | KoiiDistributionList | unknown;
  routes: () => Promise<void> | void;
};

const REQUIRED = ["setup", "task", "submission", "audit", "distribution", "routes"] as const;

export type ExtensionConfig = { readonly percent: number; readonly publicKey: string };

export class KoiiTaskManager {
  customSetup: KoiiUserFunctions["setup"] = async () => {};
  executeTask: KoiiUserFunctions["task"] = async () => {};
  fetchSubmission: KoiiUserFunctions["submission"] = async () => "";
  auditSubmission: KoiiUserFunctions["audit"] = async () => false;
  makeDistributionList: KoiiUserFunctions["distribution"] = () => ({});
  setupRoutes: KoiiUserFunctions["routes"] = async () => {};
  isInitialized = false;

  initialize(userFunctions: KoiiUserFunctions): void {
    const functions = (userFunctions ?? {}) as Record<string, unknown>;
    const missing = REQUIRED.filter((name) => !functions[name]);
    if (missing.length > 0) {
      const noun = missing.length > 1 ? "functions" : "function";
      throw new Error(`Missing required ${noun}: ${missing.join("(), ")}()`);
    }
    const notFunctions = REQUIRED.filter((name) => typeof functions[name] !== "function");
    if (notFunctions.length > 0) {
      const noun = notFunctions.length > 1 ? "functions" : "a function";
      throw new Error(`Not ${noun}: ${notFunctions.join("(), ")}()`);
    }
    this.customSetup = userFunctions.setup;
    this.executeTask = userFunctions.task;
    this.fetchSubmission = userFunctions.submission;
    this.auditSubmission = userFunctions.audit;
    this.makeDistributionList = userFunctions.distribution;
    this.setupRoutes = userFunctions.routes;
    this.isInitialized = true;
  }

  registerExtension(extension: string, _config: ExtensionConfig): void {
    throw new KoiiUnsupportedError(
      `taskManager.registerExtension(${JSON.stringify(extension)})`,
      "extensions (Orca) take a commission from the distribution list, which gradual's ledger does not pay",
    );
  }

  getExtensions(): string[] {
    return [];
  }

  hasExtension(_extension: string): boolean {
    return false;
  }

  getExtensionConfig(extension: string): ExtensionConfig {
    throw new Error(`Extension ${extension} is not registered.`);
  }
}

const taskManager = new KoiiTaskManager();

export function initializeTaskManager(userFunctions: KoiiUserFunctions): void {
  taskManager.initialize(userFunctions);
}

/** Koii's wait: every 100 ms for at most 2 s, for tasks that initialise a little after module load. */
export async function getTaskManager(): Promise<KoiiTaskManager> {
  if (taskManager.isInitialized) return taskManager;
  return new Promise((resolve, reject) => {
    const interval = setInterval(() => {
      if (!taskManager.isInitialized) return;
      clearInterval(interval);
      clearTimeout(timeout);
      resolve(taskManager);
    }, 100);
    const timeout = setTimeout(() => {
      clearInterval(interval);
      reject(
        new Error(
          "Task manager is not ready after 2 seconds: src/index must call initializeTaskManager({ setup, task, submission, audit, distribution, routes }) when it loads",
        ),
      );
    }, 2000);
  });
}

/**
 * The node duties as a linked task folder's local chain runs them (`gradual koii link`: Koii's own tests and
 * `simulate` script call them one by one); unset on a node, where the node runs the duties itself.
 */
export type LocalDuties = {
  readonly submitTask: (round: number) => Promise<void>;
  readonly auditTask: (round: number) => Promise<void>;
  readonly selectAndGenerateDistributionList: (round: number) => Promise<void>;
  readonly submitDistributionList: (round: number) => Promise<void>;
  readonly auditDistribution: (round: number) => Promise<void>;
  readonly stakeOnChain: (amount: number) => Promise<void>;
};

let localDuties: LocalDuties | undefined;

export function setLocalDuties(duties: LocalDuties | undefined): void {
  localDuties = duties;
}

export function getLocalDuties(): LocalDuties | undefined {
  return localDuties;
}

function nodeDuty(name: string, what: string): never {
  throw new KoiiUnsupportedError(
    `taskRunner.${name}`,
    `the gradual node ${what} itself, in the protocol's windows; to run a Koii task through rounds locally use \`gradual koii test DIR\``,
  );
}

/**
 * Koii's `taskRunner` (its coreLogic): each method runs one node duty for a round. On gradual the node runs the
 * duties, so only `task` (used by Koii's `yarn test`) works; the others say so.
 */
export const taskRunner = {
  async task(roundNumber: number): Promise<unknown> {
    currentContext("taskRunner.task");
    return (await getTaskManager()).executeTask(roundNumber);
  },
  async submitTask(roundNumber: number): Promise<void> {
    if (localDuties !== undefined) return localDuties.submitTask(roundNumber);
    return nodeDuty("submitTask", "commits and reveals each round's submission");
  },
  async auditTask(roundNumber: number): Promise<void> {
    if (localDuties !== undefined) return localDuties.auditTask(roundNumber);
    return nodeDuty("auditTask", "audits its assigned submissions");
  },
  async selectAndGenerateDistributionList(roundNumber: number, _isPreviousRoundFailed?: boolean): Promise<void> {
    if (localDuties !== undefined) return localDuties.selectAndGenerateDistributionList(roundNumber);
    return nodeDuty(
      "selectAndGenerateDistributionList",
      "posts its list's Merkle root when it beats the list in force (any valid submitter may post)",
    );
  },
  async submitDistributionList(roundNumber: number): Promise<void> {
    if (localDuties !== undefined) return localDuties.submitDistributionList(roundNumber);
    return nodeDuty("submitDistributionList", "submits the distribution list");
  },
  async auditDistribution(roundNumber: number): Promise<void> {
    if (localDuties !== undefined) return localDuties.auditDistribution(roundNumber);
    return nodeDuty("auditDistribution", "recomputes and audits the distribution list");
  },
};
