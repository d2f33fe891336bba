import type { VectorCase } from "../scenarios.ts";
import { AUDIT_CASES } from "./audits.ts";
import { AVAILABILITY_CASES } from "./availability.ts";
import { DISTRIBUTION_CASES } from "./distribution.ts";
import { EDGE_CASES, TRANSFER_CASES } from "./edge.ts";
import { PAIRED_CASES } from "./paired.ts";
import { STAKING_CASES } from "./staking.ts";
import { SUBMISSION_CASES } from "./submissions.ts";
import { TASK_CASES } from "./tasks.ts";
import { WINDOW_CASES } from "./windows.ts";

/** Every spec vector the generator writes, in folder order. */
export const ALL_CASES: readonly VectorCase[] = [
  ...EDGE_CASES,
  ...TRANSFER_CASES,
  ...TASK_CASES,
  ...STAKING_CASES,
  ...SUBMISSION_CASES,
  ...AUDIT_CASES,
  ...AVAILABILITY_CASES,
  ...DISTRIBUTION_CASES,
  ...WINDOW_CASES,
  ...PAIRED_CASES,
];
