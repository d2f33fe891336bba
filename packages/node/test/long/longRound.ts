import { DEVNET_PARAMS, type TaskParams } from "@gradual/protocol";

/**
 * A devnet-like round stretched so its work period is 40 s at the devnet's 400 ms slots: 120 slots, of which the
 * last 20 are the commit window; review and list windows in proportion.
 */
export const LONG_ROUND: TaskParams = {
  ...DEVNET_PARAMS,
  roundSlots: 120,
  commitSlots: 20,
  revealSlots: 20,
  auditSlots: 30,
  voteSlots: 20,
  distributionSlots: 20,
  distributionAuditSlots: 30,
};
