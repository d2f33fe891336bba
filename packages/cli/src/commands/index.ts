import type { Command } from "commander";
import { register as registerAccount } from "./account.ts";
import { register as registerDashboard } from "./dashboard.ts";
import { register as registerDevnet } from "./devnet.ts";
import { register as registerKeys } from "./keys.ts";
import { register as registerKoii } from "./koii.ts";
import { register as registerLedger } from "./ledger.ts";
import { register as registerNode } from "./node.ts";
import { register as registerSim } from "./sim.ts";
import { register as registerStaking } from "./staking.ts";
import { register as registerT8n } from "./t8n.ts";
import { register as registerTask } from "./task.ts";
import { register as registerTransfer } from "./transfer.ts";

/**
 * Every command lives in its own file under commands/ and exports `register(program)`. Add new commands here.
 */
export function registerCommands(program: Command): void {
  void program;
  registerT8n(program);
  registerLedger(program);
  registerKeys(program);
  registerAccount(program);
  registerTransfer(program);
  registerTask(program);
  registerStaking(program);
  registerNode(program);
  registerDevnet(program);
  registerDashboard(program);
  registerKoii(program);
  registerSim(program);
}
