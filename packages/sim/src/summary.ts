import type { SimResult } from "./driver.ts";
import { formatTokens, ratio } from "./units.ts";

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
  const rows: string[][] = [
    ["bounty reserved", `${formatTokens(m.bountyReserved)} tokens`],
    [
      "paid to honest nodes",
      `${formatTokens(m.paidHonest)} (${percent(Number(m.paidHonest) / Math.max(Number(m.bountyReserved), 1))})`,
    ],
    [
      "unfair extraction",
      `${formatTokens(f.whole.unfair)} (${percent(ratio(f.whole.unfair, f.whole.bounty))} of the bounty, against the fair ` +
        `share of every valid worker${stay})`,
    ],
    ["honest pay lost", `${formatTokens(f.whole.honestLostPay)} (fair share − paid, over honest nodes)`],
    [
      "coalition net",
      `${formatTokens(f.coalition.net)} (paid ${formatTokens(f.coalition.paid)}, fair ${formatTokens(f.coalition.fair)}, ` +
        `slashed ${formatTokens(f.coalition.slashed)})`,
    ],
    ["paid unfairly (per list)", `${formatTokens(m.unfair)} (${percent(m.unfairShare)} of the bounty${window})`],
    [
      "honest stake slashed",
      `${formatTokens(m.honestSlashed)} (${percent(m.honestSlashedShare)}), ${m.honestNodesSlashed} node(s)`,
    ],
    ["attacker stake slashed", `${formatTokens(m.attackerSlashed)} (${percent(m.attackerSlashedShare)})`],
    [
      "triggers",
      `${m.triggers.proof} on proofs, ${m.triggers.distribution} on lists: ${m.triggers.upheld} upheld, ` +
        `${m.triggers.rejected} rejected, ${m.triggers.unavailable} unavailable`,
    ],
    [
      "false triggers",
      `${m.falseTriggers.triggers} (${m.falseTriggers.upheld} upheld): net cost ${formatTokens(m.falseTriggers.triggererCost)} ` +
        `to the triggerers, ${formatTokens(m.falseTriggers.targetCost)} to the targets`,
    ],
    [
      "audit checks per round",
      `${m.auditChecksPerRound.toFixed(0)} (all pairs would be ${m.allPairsChecksPerRound.toFixed(0)})`,
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
    "unfair",
    "slashed",
    "triggers",
    "bonds lost",
    "losing votes",
  ];
  const groups = m.groups.map((group) => [
    group.group,
    group.strategy,
    String(group.nodes),
    formatTokens(group.stake),
    formatTokens(group.paid),
    formatTokens(group.unfair),
    formatTokens(group.slashedStake + group.slashedVesting),
    String(group.triggers),
    formatTokens(group.bondsLost),
    String(group.losingVotes),
  ]);
  lines.push(...pad([header, ...groups], 2));
  lines.push("");
  const refused = Object.entries(result.refusals).map(([code, count]) => `${code} ${count}`);
  if (refused.length > 0) lines.push(`refused but included: ${refused.join(", ")}`);
  lines.push(
    `invariants held: ${result.checks.totals} running-total checks, ${result.checks.records} record recounts, ` +
      `${result.checks.full} full recounts`,
  );
  return lines.join("\n");
}
