import type { NODE_ERROR_CODES } from "@gradual/protocol";
import type { TaskFailure } from "./types.ts";

/**
 * Stable codes of task call failures, as the node logs them (docs/writing-a-task.md "Limits"; their meanings are in
 * the error registry). Never renumbered or renamed: operators grep their logs for them.
 */
const TASK_FAILURE_CODES = {
  threw: "TASK__THREW",
  "access-denied": "SANDBOX__ACCESS_DENIED",
  "invalid-result": "TASK__INVALID_RESULT",
  "proof-too-large": "TASK__PROOF_TOO_LARGE",
  timeout: "SANDBOX__TIMEOUT",
  "out-of-memory": "SANDBOX__OOM",
  crashed: "SANDBOX__CRASHED",
  "bad-message": "SANDBOX__BAD_MESSAGE",
  "output-flood": "SANDBOX__OUTPUT_FLOOD",
  "nothing-submitted": "TASK__NOTHING_SUBMITTED",
} as const satisfies Record<TaskFailure["reason"], keyof typeof NODE_ERROR_CODES>;

export type TaskFailureCode = (typeof TASK_FAILURE_CODES)[keyof typeof TASK_FAILURE_CODES];

export function failureCode(failure: Pick<TaskFailure, "reason">): TaskFailureCode {
  return TASK_FAILURE_CODES[failure.reason];
}
