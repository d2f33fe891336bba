import { type LedgerClient, loadKeyFile } from "@gradual/ledger/client";
import { formatTokenAmount } from "@gradual/protocol";

/**
 * Keeps a devnet's task funded so that `npm start` runs until stopped: once a round, when the escrow holds less than
 * `lowRounds` bounties, the creator tops it up with `topUpRounds` bounties from its balance (asking the devnet faucet
 * when its balance is short). When it cannot, it says once that the task will pause and how to fund it.
 */
export type EscrowKeeperOptions = {
  readonly client: LedgerClient;
  readonly taskId: string;
  readonly creatorKeyFile: string;
  readonly write: (line: string) => void;
  readonly lowRounds?: bigint;
  readonly topUpRounds?: bigint;
};

export function createEscrowKeeper(options: EscrowKeeperOptions) {
  const { client, taskId, write } = options;
  const lowRounds = options.lowRounds ?? 4n;
  const topUpRounds = options.topUpRounds ?? 20n;
  const creator = loadKeyFile(options.creatorKeyFile);
  let warned = false;
  let busy = false;
  const warnOnce = (reason: string) => {
    if (warned) return;
    warned = true;
    write(
      `  escrow    cannot top up the task (${reason}); it pauses when the escrow runs out. Fund it with: gradual task fund ${taskId} --amount N --key ${options.creatorKeyFile} --ledger ...`,
    );
  };
  return {
    /** Checks the escrow and tops it up if low; never throws (the devnet keeps running). */
    async check(): Promise<void> {
      if (busy) return;
      busy = true;
      try {
        const view = await client.getTask(taskId);
        if (view === undefined) return;
        const { task } = view;
        if (task.status === "closing" || task.status === "closed") return;
        const bounty = BigInt(task.params.bountyPerRound);
        if (BigInt(task.escrow) >= bounty * lowRounds && task.status !== "paused") return;
        const amount = bounty * topUpRounds;
        const balance = BigInt((await client.getAccount(creator.publicKey)).balance);
        if (balance < amount) await client.faucet(creator.publicKey, amount - balance, { timeoutMs: 10_000 });
        const result = await client.send(creator, { kind: "fundTask", task: taskId, amount }, { timeoutMs: 10_000 });
        if (result.status === "included" && !result.result.ok) return warnOnce(result.result.code);
        warned = false;
        write(
          `  escrow    creator topped up the task with ${formatTokenAmount(amount)} tokens (the devnet keeps it funded)`,
        );
      } catch (error) {
        warnOnce((error as Error).message);
      } finally {
        busy = false;
      }
    },
  };
}
