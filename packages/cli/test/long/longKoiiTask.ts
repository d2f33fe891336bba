/**
 * The long Koii task for real (`npm run test:long-koii`, about 12 minutes, not in the default run): examples/koii/long-work,
 * whose task() works for two minutes every round, on a devnet of `gradual node` processes whose rounds allow it
 * (200 slots of 1 s: a work period of 133 s). Every node must reveal a proof the others accept, and a list must pay
 * them, in at least one cycle.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startKoiiDevnet } from "../../src/koii/devnet.ts";
import { makeTempDir, removeDir } from "../e2e/support.ts";
import { acceptedList, EXAMPLES, waitForSettledCycles } from "../koii/support.ts";

const NODES = 2;
const dataDir = makeTempDir("koii-long-work");
const started = performance.now();
const net = await startKoiiDevnet({
  dataDir,
  task: `${EXAMPLES}long-work`,
  honestNodes: NODES,
  slotMs: 1_000,
  roundSlots: 200,
  nodeArgs: ["--quiet"],
  write: (text) => process.stdout.write(text),
});
try {
  const cycles = await waitForSettledCycles(net.client, net.taskId, 1, 20 * 60_000, (settled) =>
    settled.some(
      (cycle) =>
        cycle.reveals.length === NODES &&
        cycle.reveals.every((reveal) => reveal.status === "valid") &&
        cycle.distributions.some((distribution) => distribution.status === "accepted"),
    ),
  );
  const paid = cycles.find(
    (cycle) => cycle.reveals.length === NODES && cycle.distributions.some((item) => item.status === "accepted"),
  );
  assert.ok(paid !== undefined);
  const list = acceptedList(paid);
  assert.equal(list.filter((entry) => BigInt(entry.amount) > 0n).length, NODES, "both nodes paid");
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const digest = (text: string) => createHash("sha256").update(text).digest("hex");
  console.log(
    `ok: cycle ${paid.cycle}: ${NODES} nodes revealed two-minute proofs (${paid.reveals
      .map((reveal) => reveal.proofDigest.slice(0, 12))
      .join(
        ", ",
      )}), all valid, list accepted, ${minutes} min in all (digest of "worked 120 s in 120 steps": ${digest("worked 120 s in 120 steps").slice(0, 12)})`,
  );
} finally {
  await net.stop();
  removeDir(dataDir);
}
