import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * `gradual task init NAME`: a task that counts words of a text in its config, proves the count, and is audited by
 * recounting. Small, but every function is real, and `gradual task test NAME` passes on it.
 */
export function scaffoldTask(directory: string, name: string): void {
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "my-task";
  mkdirSync(join(directory, "test"), { recursive: true });
  writeFileSync(
    join(directory, "task.ts"),
    `import { defineTask } from "@gradual/sdk";

/** Counts the words of config.text for each cycle; auditors recount. Replace with your task's real work. */
function countWords(text: string, cycle: number): { cycle: number; words: number } {
  return { cycle, words: text.split(/\\s+/).filter((word) => word.length > 0).length };
}

export default defineTask({
  async task(ctx) {
    const result = countWords(ctx.config.text ?? "", ctx.cycle);
    await ctx.store.set(\`result/\${ctx.cycle}\`, result);
    ctx.log.info("counted", { cycle: ctx.cycle, words: result.words });
  },
  async submission(ctx) {
    return (await ctx.store.get(\`result/\${ctx.cycle}\`)) ?? null;
  },
  async audit(ctx, proof) {
    const claimed = proof.json<{ cycle: number; words: number } | null>();
    const expected = countWords(ctx.config.text ?? "", ctx.cycle);
    return claimed !== null && claimed.cycle === expected.cycle && claimed.words === expected.words;
  },
  routes(router) {
    router.get("/result/:cycle", async (request, ctx) => ({ body: (await ctx.store.get(\`result/\${request.path.split("/").pop()}\`)) ?? null }));
  },
});
`,
  );
  writeFileSync(
    join(directory, "task.yml"),
    `name: ${safeName}
entry: ./task.ts
preset: devnet
bountyPerRound: "100"
funding: "2000"
config:
  text: "the quick brown fox jumps over the lazy dog"
`,
  );
  writeFileSync(
    join(directory, "test", "task.test.ts"),
    `import assert from "node:assert/strict";
import { test } from "node:test";
import { createProof, encodeProof } from "@gradual/sdk";
import task from "../task.ts";

function context(cycle: number) {
  const data = new Map<string, unknown>();
  return {
    taskId: "0".repeat(64),
    cycle,
    round: cycle,
    node: "1".repeat(64),
    sign: async () => "",
    signJson: async () => "",
    store: {
      get: async (key: string) => data.get(key) as never,
      set: async (key: string, value: unknown) => void data.set(key, value),
      delete: async (key: string) => void data.delete(key),
      keys: async () => [...data.keys()],
    },
    log: { info() {}, warn() {}, error() {} },
    fetch,
    ledger: { get: async () => null as never },
    config: { text: "one two three" },
  };
}

test("an honest proof passes another node's audit and a forged one fails", async () => {
  const worker = context(5);
  await task.task(worker);
  const proof = createProof(encodeProof(await task.submission(worker)));
  assert.equal(await task.audit(context(5), proof, "1".repeat(64)), true);
  const forged = createProof(encodeProof({ cycle: 5, words: 4 }));
  assert.equal(await task.audit(context(5), forged, "1".repeat(64)), false);
});
`,
  );
  writeFileSync(
    join(directory, "README.md"),
    `# ${safeName}

A gradual task. \`task.ts\` does the work, proves it, and audits other nodes' proofs; \`task.yml\` sets its
parameters, bounty and config (see docs/task-config.md and docs/writing-a-task.md in the gradual repository).

- \`npx gradual task test ${safeName}\`: several sandboxed nodes run it for a few rounds on an in-memory ledger.
- \`node --import tsx --test test/task.test.ts\`: the unit test.
- \`npx gradual devnet --task ${safeName}\`: run it on a local devnet with real node processes.
- \`npx gradual task create --config ${safeName}/task.yml --key creator.json\`: publish it to a ledger.
`,
  );
}
