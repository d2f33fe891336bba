import { type Account, formatTokenAmount as formatTokens, type ProtocolEvent } from "@gradual/protocol";

/**
 * The operator's log of duties and money: one line per duty the ledger recorded for this node (committed, revealed,
 * triggered, voted, list posted, proof published) and per payment, claim, slash and clawback concerning it.
 */
export type OwnEventLine = {
  readonly level: "info" | "warn";
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
};

export function describeOwnEvent(event: ProtocolEvent, me: Account, task: string): OwnEventLine | undefined {
  if (!("task" in event) || event.task !== task) return undefined;
  const info = (message: string, fields: Record<string, unknown>): OwnEventLine => ({
    level: "info",
    message,
    fields,
  });
  switch (event.type) {
    case "Staked":
      return event.node === me ? info("staked", { amount: formatTokens(event.amount) }) : undefined;
    case "Committed":
      return event.node === me ? info("committed", { cycle: event.cycle }) : undefined;
    case "Revealed":
      return event.node === me ? info("revealed", { cycle: event.cycle }) : undefined;
    case "AuditTriggered":
      if (event.triggerer === me)
        return info(event.verdict === "valid" ? "appealed (§5.8)" : "triggered", {
          cycle: event.cycle,
          trigger: event.trigger,
          target: event.target,
          kind: event.kind,
        });
      if (event.target === me && event.verdict === "valid")
        return info("appeal of this node's proof (§5.8)", {
          cycle: event.cycle,
          trigger: event.trigger,
          by: event.triggerer,
        });
      if (event.target === me)
        return {
          level: "warn",
          message:
            event.verdict === "unavailable" ? "availability challenge against this node" : "audit against this node",
          fields: { cycle: event.cycle, trigger: event.trigger, by: event.triggerer },
        };
      return undefined;
    case "ProofPublished":
      return event.node === me ? info("proof published", { cycle: event.cycle, trigger: event.trigger }) : undefined;
    case "Voted":
      return event.voter === me
        ? info("voted", { cycle: event.cycle, trigger: event.trigger, choice: event.choice })
        : undefined;
    case "DistributionSubmitted":
      if (event.distributor === me) return info("list posted", { cycle: event.cycle, entries: event.entries });
      return event.replaced === me
        ? info("own list replaced: another poster won the race", { cycle: event.cycle, by: event.distributor })
        : undefined;
    case "DistributionAccepted":
      return event.distributor === me
        ? info("own list accepted", { cycle: event.cycle, total: formatTokens(event.total) })
        : undefined;
    case "DistributionRejected":
      return event.distributor === me
        ? { level: "warn", message: "own list rejected", fields: { cycle: event.cycle, reason: event.reason } }
        : undefined;
    case "Vested":
      return event.node === me
        ? info("paid (vesting)", { cycle: event.cycle, amount: formatTokens(event.amount) })
        : undefined;
    case "Claimed":
      return event.node === me ? info("claimed", { amount: formatTokens(event.amount) }) : undefined;
    case "Slashed":
      return event.node === me
        ? {
            level: "warn",
            message: "SLASHED",
            fields: {
              cycle: event.cycle,
              stake: formatTokens(event.fromStake),
              vesting: formatTokens(event.fromVesting),
            },
          }
        : undefined;
    case "RewardClawedBack":
      return event.node === me
        ? {
            level: "warn",
            message: "reward clawed back",
            fields: { cycle: event.cycle, amount: formatTokens(event.amount) },
          }
        : undefined;
    case "BondForfeited":
      return event.triggerer === me
        ? {
            level: "warn",
            message: "trigger bond forfeited",
            fields: { cycle: event.cycle, amount: formatTokens(event.amount) },
          }
        : undefined;
    case "Unstaked":
      return event.node === me
        ? info("unstaked: unbonding", { amount: formatTokens(event.amount), untilRound: event.untilRound })
        : undefined;
    case "Withdrawn":
      return event.node === me
        ? info("withdrawn: the stake is back in the balance; this node has no more duties in the task", {
            amount: formatTokens(event.amount),
          })
        : undefined;
    case "TaskClosing":
      return { level: "warn", message: "task closing: no new cycle starts; the open ones finish", fields: {} };
    case "TaskClosed":
      return {
        level: "warn",
        message: "task closed: the node only claims what the task still owes it (gradual withdraw for the stake)",
        fields: {},
      };
    case "TaskPaused":
      return { level: "warn", message: "task paused: its escrow cannot cover a round", fields: { round: event.round } };
    case "TaskResumed":
      return info("task resumed", { round: event.round });
    default:
      return undefined;
  }
}
