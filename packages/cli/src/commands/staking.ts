import {
  formatTokenAmount,
  parseTokenAmount,
  reject,
  roundOf,
  type WithdrawNode,
  type WithdrawParams,
  withdrawableFrom,
  withdrawRejection,
} from "@gradual/protocol";
import type { Command } from "commander";
import { CliError, describeRefusal } from "../output.ts";
import { callLedger } from "./account.ts";
import { addEvmFlags, type EvmFlags } from "./evmSend.ts";
import { accountOfKeyFile } from "./keys.ts";
import { clientFor, sendAndReport } from "./task.ts";

const HEX64 = /^[0-9a-f]{64}$/;

/** Where `gradual node` serves its proofs by default (--host 127.0.0.1 --port 7001). */
const DEFAULT_NODE_URL = "http://127.0.0.1:7001";

/** `gradual stake|unstake|withdraw|claim`: a node operator's money moves, one signed transaction each. */
export function register(program: Command): void {
  const stake = program
    .command("stake")
    .argument("<task>", "task id")
    .description("Stake tokens in a task (active after the task's warm-up; weight ramps up over rampRounds)")
    .requiredOption("--key <file>", "node key file (ed25519 for the gradual ledger, evm for the Gradual contract)")
    .requiredOption("--amount <tokens>", "amount in tokens")
    .option(
      "--node-url <url>",
      `URL where this node serves its proofs (default: ${DEFAULT_NODE_URL}, what \`gradual node\` listens on)`,
    )
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--json", "print the ledger's answer as JSON")
    .addHelpText(
      "after",
      `
Other nodes fetch this node's proofs from --node-url after its reveal: give the address they can reach. A node
started with \`gradual node --stake N\` stakes by itself with its --public-url, so this command is for staking
more, or before the node runs.

With an EVM key (gradual keys new --type evm) the stake is a call of the Gradual contract: give --rpc and
--contract, and --ledger the indexer's URL (gradual indexer). The same holds for unstake, withdraw and claim.

Examples:
  gradual stake 9c1f...e2 --key node.json --amount 100 --node-url http://203.0.113.7:7001
  gradual stake 9c1f...e2 --key evm.json --rpc http://127.0.0.1:8545 --contract 0xCf7E...0Fc9 \\
    --ledger http://127.0.0.1:8898 --amount 100 --node-url http://203.0.113.7:7001`,
    );
  addEvmFlags(stake).action(
    async (
      task: string,
      options: { key: string; amount: string; nodeUrl?: string; ledger?: string; json?: boolean } & EvmFlags,
    ) => {
      let amount: bigint;
      try {
        amount = parseTokenAmount(options.amount);
      } catch (error) {
        throw new CliError("CLI__BAD_INPUT", `--amount: ${(error as Error).message}`);
      }
      await sendAndReport(
        options,
        { kind: "stake", task: taskId(task), amount, nodeUrl: options.nodeUrl ?? DEFAULT_NODE_URL },
        `stake in ${task}`,
      );
    },
  );
  for (const [name, describe] of [
    ["unstake", "Start unbonding your whole stake (still slashable for unbondingRounds; then withdraw)"],
    ["withdraw", "Return unbonded stake to your balance once unbondingRounds have passed"],
    [
      "claim",
      "Move what a task holds for you and has unlocked to your balance: vested rewards, returned bonds, a closed task's escrow",
    ],
  ] as const) {
    const command = program
      .command(name)
      .argument("<task>", "task id")
      .description(describe)
      .requiredOption("--key <file>", "node key file (ed25519 for the gradual ledger, evm for the Gradual contract)")
      .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
      .option("--json", "print the ledger's answer as JSON");
    if (name === "unstake") {
      command
        .option("--force", "unstake even though a commitment's reveal is still due (forfeits that cycle's pay)")
        .addHelpText(
          "after",
          `
A reveal needs stake: when the node has committed a cycle it has not revealed yet (with paired reveals, revealSlots
0, every working node has: a cycle is revealed a round after its commit), unstake refuses with
UNSTAKE__REVEAL_PENDING and names the slot the reveal window closes. Stop the node and run it again with
\`gradual node --leave\` (it commits nothing more, reveals, then unstakes), or stop it and wait until that slot
(never enough with paired reveals), or pass --force. In a devnet the nodes run in the devnet's process: --force.`,
        );
    }
    command.addHelpText("after", `\nExample:\n  gradual ${name} 9c1f...e2 --key node.json`);
    addEvmFlags(command).action(
      async (task: string, options: { key: string; ledger?: string; json?: boolean; force?: boolean } & EvmFlags) => {
        if (name === "unstake" && options.force !== true) await refuseWhileRevealDue(options, taskId(task));
        if (name === "withdraw") await refuseEarlyWithdraw(options, taskId(task));
        // --force with a reveal due: said after the unstake lands, so that the lost pay is not silent.
        const forfeited = name === "unstake" && options.force === true ? await revealDue(options, taskId(task)) : null;
        await sendAndReport(options, { kind: name, task: taskId(task) }, `${name} ${task}`);
        if (name === "unstake" && options.json !== true) {
          if (forfeited !== null)
            process.stdout.write(`cycle ${forfeited.cycle} will not be paid: its reveal needs stake (--force)\n`);
          await sayWhenWithdrawable(options, taskId(task));
        }
      },
    );
  }
}

/**
 * Before an unstake: a commitment whose reveal is still due would lose its cycle's pay, since a reveal needs stake
 * (§3.4; with paired reveals, §2.2, a working node always has one). Read from the ledger or the indexer. Waiting for
 * the reveal only helps once the node is stopped (a running node commits the next cycle), and never with paired
 * reveals: the message says so, with how far the slot is.
 */
async function refuseWhileRevealDue(options: { key: string; ledger?: string } & EvmFlags, task: string): Promise<void> {
  const pending = await revealDue(options, task);
  if (pending === null) return;
  const { client, url } = clientFor(options);
  const view = await callLedger(url, () => client.getTask(task));
  throw new CliError(
    "UNSTAKE__REVEAL_PENDING",
    revealPendingMessage({
      cycle: pending.cycle,
      revealClosesAt: pending.revealClosesAt,
      slot: view?.slot,
      paired: view?.task.params.revealSlots === 0,
      slotMs: await slotLength(client),
    }),
  );
}

/** The node's commitment whose reveal is still due (null: none), from the ledger or the indexer. */
async function revealDue(
  options: { key: string; ledger?: string } & EvmFlags,
  task: string,
): Promise<{ readonly cycle: number; readonly revealClosesAt: number } | null> {
  const { client, url } = clientFor(options);
  const account = await accountOfKeyFile(options.key);
  const node = await callLedger(url, () => client.getNode(task, account));
  return node?.pendingReveal ?? null;
}

/** The ledger's slot length in ms, or undefined where it does not say (an indexer). */
async function slotLength(client: ReturnType<typeof clientFor>["client"]): Promise<number | undefined> {
  try {
    const { slotMs } = await client.getChain();
    return Number.isSafeInteger(slotMs) && slotMs > 0 ? slotMs : undefined;
  } catch {
    return undefined;
  }
}

/** UNSTAKE__REVEAL_PENDING's message: what is pending, when, and what works (stopping the node comes first). */
export function revealPendingMessage(facts: {
  readonly cycle: number;
  readonly revealClosesAt: number;
  /** The ledger's current slot, when known. */
  readonly slot: number | undefined;
  /** The task pairs reveals with the next commit (revealSlots 0, §2.2): a working node always has one pending. */
  readonly paired: boolean;
  readonly slotMs: number | undefined;
}): string {
  const { cycle, revealClosesAt, slot, paired, slotMs } = facts;
  const pay = `forfeits cycle ${cycle}'s pay`;
  const devnet = "in a devnet (its nodes run in its process), --force";
  if (paired)
    return (
      `the node committed cycle ${cycle} and has not revealed it; with paired reveals (revealSlots 0) its reveal goes ` +
      `with its next commit, so a working node always has one pending, and a reveal needs stake. Stop the node and ` +
      `run it with \`gradual node --leave\` (it reveals, then unstakes), or pass --force (${pay}); ${devnet}`
    );
  let distance = "";
  if (slot !== undefined) {
    const slots = Math.max(0, revealClosesAt - slot);
    const seconds = slotMs === undefined ? "" : `, about ${Math.ceil((slots * slotMs) / 1000)} s`;
    distance = ` (now slot ${slot}: ${slots} slot${slots === 1 ? "" : "s"}${seconds} away)`;
  }
  return (
    `the node committed cycle ${cycle} and has not revealed it; its reveal window closes at slot ${revealClosesAt}` +
    `${distance}, and a reveal needs stake: unstaking now ${pay}. Stop the node first (while it runs it commits the ` +
    `next cycle), then wait until slot ${revealClosesAt}; or run it with \`gradual node --leave\` (it reveals, then ` +
    `unstakes); or pass --force (${pay}); ${devnet}`
  );
}

/**
 * After an unstake: the first round `gradual withdraw` can succeed, the rule `withdraw` checks (the later of the
 * unbonding end and the late-challenge end of the node's last revealed cycle, §3.4, §5.7), naming which holds it.
 */
async function sayWhenWithdrawable(options: { key: string; ledger?: string } & EvmFlags, task: string): Promise<void> {
  const { node, view } = await nodeAndTask(options, task);
  if (node === undefined || view === undefined || BigInt(node.unbonding) === 0n) return;
  process.stdout.write(
    `unbonding ${formatTokenAmount(BigInt(node.unbonding))} tokens until round ${node.unbondingUntilRound}; ` +
      `gradual withdraw ${task} from round ${describeWithdrawable(view.task.params, node)}\n`,
  );
}

/** The key's node record and the task, read from the ledger (or the indexer) together. */
async function nodeAndTask(options: { key: string; ledger?: string } & EvmFlags, task: string) {
  const { client, url } = clientFor(options);
  const account = await accountOfKeyFile(options.key);
  const [node, view] = await Promise.all([
    callLedger(url, () => client.getNode(task, account)),
    callLedger(url, () => client.getTask(task)),
  ]);
  return { node, view };
}

/** `R on` or `R on (the late-challenge window of cycle C holds the stake until then)`. */
export function describeWithdrawable(params: WithdrawParams, node: WithdrawNode): string {
  const from = withdrawableFrom(params, node);
  return from.heldBy === "unbonding"
    ? `${from.round} on`
    : `${from.round} on (the late-challenge window of cycle ${from.cycle} holds the stake until then)`;
}

/**
 * Before a withdraw: the ledger's own rule (`withdrawRejection`) at the round the transaction would land in, so that
 * a withdraw that would be refused is not sent; refused with the protocol's code and the round it can succeed from.
 */
async function refuseEarlyWithdraw(options: { key: string; ledger?: string } & EvmFlags, task: string): Promise<void> {
  const { node, view } = await nodeAndTask(options, task);
  if (view === undefined) return; // the ledger names the missing task itself
  const refusal =
    node === undefined || BigInt(node.unbonding) === 0n
      ? reject("WITHDRAW__NOTHING_UNBONDING", { task })
      : withdrawRejection(task, view.task.params, node, roundOf(view.task, view.nextSlot));
  if (refusal === null) return;
  const held =
    refusal.code === "WITHDRAW__STILL_CHALLENGEABLE" && node !== undefined
      ? ` (the late-challenge window of cycle ${node.lastRevealCycle} holds the stake until then)`
      : refusal.code === "WITHDRAW__NOTHING_UNBONDING"
        ? ` (gradual unstake ${task} first)`
        : "";
  throw new CliError(
    refusal.code,
    `${describeRefusal(refusal.code, refusal.message, refusal.context)}${held}; nothing was sent`,
  );
}

function taskId(value: string): string {
  if (!HEX64.test(value))
    throw new CliError(
      "CLI__BAD_INPUT",
      `expected a task id of 64 lowercase hex characters, got ${JSON.stringify(value)}`,
    );
  return value;
}
