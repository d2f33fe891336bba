import { createLedgerClient, resolveLedgerUrl } from "@gradual/ledger/client";
import { formatTokenAmount } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError, printJson } from "../output.ts";
import { callLedger } from "./account.ts";
import { accountOfKeyFile } from "./keys.ts";
import { explainCycle, readNodeHistory, summarize } from "./nodeStatus.ts";

const HEX64 = /^[0-9a-f]{64}$/;

type NodeStatusFlags = {
  task: string;
  account?: string;
  key?: string;
  cycle?: string;
  ledger?: string;
  json?: boolean;
};

/** `gradual node status`: earnings, vesting, duties done and missed, and why a cycle paid or not. */
export function registerNodeStatus(node: Command): void {
  node
    .command("status")
    .description("Show a node's earnings, vesting, duties done and missed; with --cycle N, why it was (not) paid")
    .requiredOption("--task <id>", "task id")
    .option("--account <hex>", "the node's account (64 hex)")
    .option("--key <file>", "the node's key file, ed25519 or EVM (instead of --account)")
    .option("--cycle <n>", "explain this cycle: paid, not paid or slashed, and why, with the transactions")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--json", "print { node, summary, cycle } as JSON (amounts in base units, as strings)")
    .addHelpText(
      "after",
      `
Everything comes from the ledger's HTTP API: the node's record and the events of every block since the task was
created (reading them takes a request per 100 blocks).

Examples:
  gradual node status --task 9c1f...e2 --key node.json
  gradual node status --task 9c1f...e2 --account 3f2a...e9 --cycle 12 --json`,
    )
    .action(async (options: NodeStatusFlags) => {
      if (!HEX64.test(options.task))
        throw new CliError("CLI__BAD_INPUT", "--task: expected a task id of 64 lowercase hex characters");
      const account = await accountOf(options);
      const cycle = options.cycle === undefined ? undefined : Number(options.cycle);
      if (cycle !== undefined && (!Number.isInteger(cycle) || cycle < 0))
        throw new CliError("CLI__BAD_INPUT", `--cycle: expected a cycle number, got ${JSON.stringify(options.cycle)}`);
      const url = resolveLedgerUrl(options.ledger);
      const client = createLedgerClient({ url, timeoutMs: 30_000 });
      const task = await callLedger(url, () => client.getTask(options.task));
      if (task === undefined)
        throw new CliError("TASK__NOT_FOUND", `no task ${options.task} on the ledger at ${url} (gradual task list)`);
      const view = await callLedger(url, () => client.getNode(options.task, account));
      const { createdSlot } = task.task;
      const history = await callLedger(url, () => readNodeHistory(client, options.task, account, createdSlot));
      const summary = summarize(history);
      const explained = cycle === undefined ? undefined : explainCycle(history, cycle);
      if (options.json) {
        printJson({ node: view ?? null, summary, ...(explained === undefined ? {} : { cycle: explained }) });
        return;
      }
      const tokens = (value: string | undefined) => `${formatTokenAmount(BigInt(value ?? "0"))} tokens`;
      const lines = [`node      ${account} in task ${options.task}`, `ledger    ${url} (block ${history.head})`];
      if (view === undefined) lines.push("stake     none: this account has not staked in the task");
      else
        lines.push(
          `stake     ${tokens(view.stake)} (weight ${tokens(view.weight)}, unbonding ${tokens(view.unbonding)})`,
          `vesting   ${tokens(view.locked)} locked, ${tokens(view.claimable)} claimable`,
          `slashed   ${tokens(view.slashedTotal)} in ${view.slashCount} slash(es)`,
          // No missed-duty count: nobody is drawn to post a list any more (protocol.md deviation 35).
          `votes     ${view.losingVotes} losing, ${view.equivocations} equivocations`,
        );
      lines.push(
        `earned    ${tokens(summary.paidTotal)} in ${summary.cyclesPaid} cycle(s); claimed ${tokens(summary.claimedTotal)}`,
        `done      ${
          Object.entries(summary.done)
            .map(([kind, count]) => `${count} ${kind}`)
            .join(", ") || "nothing yet"
        }${summary.refused > 0 ? `; ${summary.refused} refused` : ""}`,
      );
      if (explained !== undefined) {
        lines.push(`cycle ${explained.cycle}   ${explained.verdict.toUpperCase()}`);
        for (const reason of explained.reasons)
          lines.push(
            `  - ${reason.text}${reason.block === undefined ? "" : ` (block ${reason.block}${reason.tx ? `, tx ${reason.tx}` : ""})`}`,
          );
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}

async function accountOf(options: NodeStatusFlags): Promise<string> {
  if (options.account !== undefined) {
    if (!HEX64.test(options.account))
      throw new CliError("CLI__BAD_INPUT", "--account: expected 64 lowercase hex characters");
    return options.account;
  }
  // Reading needs no signature: an ed25519 key (the ledger) or an EVM key (a chain, over its indexer) names the node.
  if (options.key !== undefined) return accountOfKeyFile(options.key);
  throw new CliError("CLI__MISSING_ARGUMENT", "expected --account HEX or --key FILE");
}
