/**
 * `npm run soak:ledger`: the kill test with 100 SIGKILLs (KILLS=n to change), printing each step.
 */
import { runKillTest } from "../test/support/killHarness.ts";

const kills = Number(process.env.KILLS ?? 100);
const report = await runKillTest({ kills, log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(
  `soak: ok: ${report.kills} kills, ${report.acknowledged} acknowledged transactions, head ${report.head}\n`,
);
