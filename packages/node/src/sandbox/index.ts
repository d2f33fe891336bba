export { failureCode, type TaskFailureCode } from "./codes.ts";
export { createInProcessTaskRunner } from "./inProcessRunner.ts";
export type { SandboxUser } from "./processConnection.ts";
export { createSandboxedTaskRunner, type SandboxedTaskRunnerOptions } from "./sandboxedRunner.ts";
export * from "./types.ts";
