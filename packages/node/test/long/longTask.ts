/**
 * The long-task case for real (`npm run test:long-task`, about 2 minutes, not in the default run): on the devnet's
 * 400 ms slots, a round whose work period is 40 s, and a task whose task() sleeps 35 s, longer than the fixed 30 s
 * call limit the sandbox used to have. The node must commit and reveal its proof.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../../src/bundle.ts";
import { runLocalNetwork } from "../../src/local/localNetwork.ts";
import { createSandboxedTaskRunner } from "../../src/sandbox/sandboxedRunner.ts";
import { LONG_ROUND } from "./longRound.ts";

const directory = await mkdtemp(path.join(tmpdir(), "gradual-long-task-"));
try {
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "sleepingTask.ts");
  const bundlePath = await writeBundleFile((await bundleTask(source)).code, { directory });
  const started = performance.now();
  const result = await runLocalNetwork({
    nodes: 1,
    rounds: 1,
    seed: "long-task-35s",
    params: LONG_ROUND,
    slotMs: 400,
    config: { sleepMs: "35000" },
    createRunner: (host, limits) => createSandboxedTaskRunner({ bundlePath, host, limits }),
    onReport: (line) => console.log(line),
  });
  const work = result.calls.filter((call) => call.call === "task+submission");
  assert.ok(work.length >= 1, "the node worked");
  assert.deepEqual(
    work.filter((call) => !call.ok),
    [],
  );
  assert.ok(
    result.events.some((event) => event.type === "Committed"),
    "the 35 s proof was committed",
  );
  assert.ok(
    result.events.some((event) => event.type === "Revealed"),
    "and revealed",
  );
  console.log(
    `ok: ${work.length} call(s) of 35 s committed and revealed in ${Math.round((performance.now() - started) / 1000)} s`,
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
