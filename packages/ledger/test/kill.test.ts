import { it } from "node:test";
import { runKillTest } from "./support/killHarness.ts";

/**
 * SIGKILL under load, 10 times (100 in `npm run soak:ledger`): every acknowledged transaction survives with the
 * same result, and the replayed log verifies.
 */
it("survives kill -9 at random moments under load, losing nothing acknowledged", {
  timeout: 180_000,
}, async (context) => {
  await runKillTest({ kills: 10, log: (line) => context.diagnostic(line) });
});
