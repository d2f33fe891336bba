// The protocol types a task needs, so task code imports @gradual/sdk only.
export type { Account, DistributionEntry, Hash } from "@gradual/protocol";
export { jsonPayloadBytes, TASK_PAYLOAD_DOMAIN, taskPayloadBytes } from "@gradual/protocol";
export { defineTask } from "./defineTask.ts";
export { equalSplit } from "./distribution.ts";
export { parseTaskLimitsConfig, TASK_LIMIT_RANGES, type TaskLimitsConfig } from "./limits.ts";
export { memoryBlobs } from "./memoryBlobs.ts";
export { memoryStore } from "./memoryStore.ts";
export { createProof, encodeProof, proofDigest } from "./proof.ts";
export type * from "./types.ts";
