import { type FormatTokenAmountOptions, formatTokenAmount } from "@gradual/protocol";
import type { SimResult } from "./driver.ts";
import { ratio } from "./ratio.ts";

/** Amounts in the simulator's tables and reports: tokens to three decimals (cut, not rounded), thousands grouped. */
export const REPORT_AMOUNT: FormatTokenAmountOptions = { maxFractionDigits: 3, grouping: true };

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

/** Aligns columns: text columns (the first `textColumns`) to the left, numbers to the right. */
function pad(rows: readonly (readonly string[])[], textColumns: number): string[] {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd(),
  );
}

/** The human summary `gradual sim` prints: the run, the headline metrics, one line per group. */
export function formatSummary(result: SimResult): string {
  const m = result.metrics;
  const lines: string[] = [];
  lines.push(
    `scenario ${result.scenario}, rules ${result.rules}, seed ${result.seed}: ${result.rounds} rounds, ` +
      `${result.nodes} nodes, ${result.transactions} transactions, final slot ${result.finalSlot}`,
  );
  if (result.stateRoot !== null) lines.push(`state root ${result.stateRoot}`);
  lines.push("");
  const window =
    m.attackWindow === null
      ? ""
      : `; ${percent(m.unfairShareInAttackWindow)} of the bounty of rounds ${m.attackWindow.fromRound}-${m.attackWindow.toRound - 1}`;
  const f = m.fairness;
  const stay =
    f.stay === null
      ? ""
      : `; ${percent(ratio(f.stayAndVesting.unfair, f.stayAndVesting.bounty))} over the stay and vesting period`;
  const honestClawedBack = f.nodes
    .filter((node) => node.nodeClass === "honest")
    .reduce((sum, node) => sum + node.clawedBack, 0n);
  const clawed =
    honestClawedBack > 0n
      ? `; ${formatTokenAmount(honestClawedBack, REPORT_AMOUNT)} of it clawed back by late challenges`
      : "";
  const rows: string[][] = [
    ["bounty reserved", `${formatTokenAmount(m.bountyReserved, REPORT_AMOUNT)} tokens`],
    [
      "paid to honest nodes",
      `${formatTokenAmount(m.paidHonest, REPORT_AMOUNT)} (${percent(Number(m.paidHonest) / Math.max(Number(m.bountyReserved), 1))})${clawed}`,
    ],
    [
      "unfair extraction",
      `${formatTokenAmount(f.whole.unfair, REPORT_AMOUNT)} (${percent(ratio(f.whole.unfair, f.whole.bounty))} of the bounty, against the fair ` +
        `share of every valid worker${stay})`,
    ],
    [
      "honest pay lost",
      `${formatTokenAmount(f.whole.honestLostPay, REPORT_AMOUNT)} (fair share − paid, and what late challenges clawed back, over honest nodes)`,
    ],
    [
      "coalition net",
      `${formatTokenAmount(f.coalition.net, REPORT_AMOUNT)} (paid ${formatTokenAmount(f.coalition.paid, REPORT_AMOUNT)}, fair ${formatTokenAmount(f.coalition.fair, REPORT_AMOUNT)}, ` +
        `slashed ${formatTokenAmount(f.coalition.slashed, REPORT_AMOUNT)}; bonds not included)`,
    ],
    [
      "paid unfairly (per payment)",
      `${formatTokenAmount(m.unfair, REPORT_AMOUNT)} (${percent(m.unfairShare)} of the bounty${window}; each payment ` +
        `against an equal split of its cycle among the real workers it paid, so it misses shares taken by leaving ` +
        `others unpaid: "unfair extraction" counts those)`,
    ],
    [
      "honest stake slashed",
      `${formatTokenAmount(m.honestSlashed, REPORT_AMOUNT)} (${percent(m.honestSlashedShare)}), ${m.honestNodesSlashed} node(s)`,
    ],
    [
      "attacker stake slashed",
      `${formatTokenAmount(m.attackerSlashed, REPORT_AMOUNT)} (${percent(m.attackerSlashedShare)})`,
    ],
    [
      "triggers",
      `${m.triggers.proof} on proofs (${m.triggers.appeals} of them appeals), ${m.triggers.distribution} on lists: ` +
        `${m.triggers.upheld} upheld, ` +
        `${m.triggers.disputed} disputed, ${m.triggers.rejected} rejected, ${m.triggers.unavailable} unavailable`,
    ],
    [
      "false triggers",
      `${m.falseTriggers.triggers} against valid work (${m.falseTriggers.upheld} upheld, ${m.falseTriggers.disputed} disputed): ` +
        `${netCost(m.falseTriggers.triggererCost, "the triggerers", "in whistleblower rewards")}, ` +
        `${netCost(m.falseTriggers.targetCost, "the targets", "in bonds", " in bonds and stake")}` +
        (m.falseTriggers.upheld + m.falseTriggers.disputed > 0
          ? `; a proof upheld or disputed at its review (not a disputed late one) also goes unpaid ("honest pay lost")`
          : ""),
    ],
    [
      "audit checks per round",
      `${m.auditChecksPerRound.toFixed(0)} (all pairs of a review would be ${m.allPairsChecksPerRound.toFixed(0)}; ` +
        `checks for late challenges and appeals, and re-checks after a trigger, come on top)`,
    ],
    ["lists", `${m.lists.accepted} accepted, ${m.lists.rejected} rejected, ${m.lists.missing} missing`],
    ["cycles", `${m.cycles.paid} paid, ${m.cycles.failed} failed, ${m.cycles.empty} without submitters`],
  ];
  lines.push(...pad(rows, 2));
  lines.push("");
  const header = [
    "group",
    "strategy",
    "nodes",
    "stake",
    "paid",
    "unfair (per payment)",
    "slashed",
    "triggers",
    "bonds lost",
    "losing votes",
  ];
  const groups = m.groups.map((group) => [
    group.group,
    group.strategy,
    String(group.nodes),
    formatTokenAmount(group.stake, REPORT_AMOUNT),
    formatTokenAmount(group.paid, REPORT_AMOUNT),
    formatTokenAmount(group.unfair, REPORT_AMOUNT),
    formatTokenAmount(group.slashedStake + group.slashedVesting, REPORT_AMOUNT),
    String(group.triggers),
    formatTokenAmount(group.bondsLost, REPORT_AMOUNT),
    String(group.losingVotes),
  ]);
  lines.push(...pad([header, ...groups], 2));
  lines.push("");
  const refused = Object.entries(result.refusals).map(([code, count]) => `${code} ${count}`);
  if (refused.length > 0) {
    lines.push(`transactions refused (included with their code, docs/errors.md): ${refused.join(", ")}`);
  }
  lines.push(
    `invariants held: ${result.checks.totals} running-total checks, ${result.checks.records} record recounts, ` +
      `${result.checks.full} full recounts`,
  );
  return lines.join("\n");
}

/** A net cost in words: `net cost X to who`, or `who gained X <how>` when it is negative (never a negative cost). */
function netCost(amount: bigint, who: string, gained: string, lost = ""): string {
  return amount < 0n
    ? `${who} gained ${formatTokenAmount(-amount, REPORT_AMOUNT)} ${gained}`
    : `net cost ${formatTokenAmount(amount, REPORT_AMOUNT)} to ${who}${lost}`;
}
