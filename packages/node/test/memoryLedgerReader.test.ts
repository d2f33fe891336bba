import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPair } from "@gradual/ledger/client";
import { taskView } from "@gradual/ledger/views";
import { DEVNET_PARAMS, GradualError, TOKEN } from "@gradual/protocol";
import { toWire } from "@gradual/wire";
import { createLocalTask } from "../src/local/createLocalTask.ts";
import { MemoryChain } from "../src/local/memoryChain.ts";
import { createMemoryLedgerReader } from "../src/local/memoryLedgerReader.ts";

/** The one ledger reader of the local runs, on its own: what it answers, and how it fails like the ledger. */

function chainWithTask(keepBlocks: boolean) {
  const creator = generateKeyPair();
  const chain = new MemoryChain({
    chainId: "reader-test",
    accounts: [{ account: creator.publicKey, balance: 10_000n * TOKEN }],
    keepBlocks,
  });
  const taskId = createLocalTask(chain, creator, {
    name: "reader",
    bundleHash: "ab".repeat(32),
    params: DEVNET_PARAMS,
    funding: 100n * TOKEN,
  });
  chain.advanceTo(5);
  return { chain, taskId, reader: createMemoryLedgerReader(chain, { slotMs: 400 }) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GradualError, String(error));
    return `${error.code} ${error.message}`;
  }
  return "answered";
}

test("answers GET /tasks/{id} with the ledger's own view, in the wire form, with or without /v1", async () => {
  const { chain, taskId, reader } = chainWithTask(false);
  const expected = JSON.parse(JSON.stringify(taskView(chain.state, taskId)));
  assert.deepEqual(await reader.get(`/tasks/${taskId}`), expected);
  assert.deepEqual(await reader.get(`/v1/tasks/${taskId}/`), expected);
  const { task } = expected as { task: { name: string; params: { bountyPerRound: unknown } } };
  assert.equal(task.name, "reader");
  assert.equal(task.params.bountyPerRound, toWire(DEVNET_PARAMS.bountyPerRound), "bigints as decimal strings");
});

test("a missing record is a 404 and a bad parameter a 400, as the ledger answers them", async () => {
  const { taskId, reader } = chainWithTask(false);
  assert.match(
    await codeOf(reader.get(`/tasks/${"cd".repeat(32)}`)),
    /^NODE__LEDGER_REQUEST_FAILED GET \/tasks\/c+d.*: HTTP 404 /,
  );
  // The miss says the ledger's own code for it (the same table answers both: @gradual/ledger/views STATE_READS).
  assert.match(await codeOf(reader.get(`/tasks/${"cd".repeat(32)}`)), /HTTP 404 TASK__NOT_FOUND/);
  assert.match(await codeOf(reader.get(`/tasks/${taskId}/cycles/99`)), /HTTP 404 CYCLE__NOT_FOUND/);
  assert.match(await codeOf(reader.get(`/tasks/${taskId}/nodes/${"ab".repeat(32)}`)), /HTTP 404 NODE__NOT_STAKED/);
  assert.match(await codeOf(reader.get("/tasks/not-hex")), /^NODE__LEDGER_REQUEST_FAILED .*HTTP 400/);
  assert.match(await codeOf(reader.get("/blocks?from=0")), /^NODE__LOCAL_READ_UNSUPPORTED /);
});

test("serves blocks only when the chain keeps them; any other route is unsupported", async () => {
  const kept = chainWithTask(true);
  const { blocks } = await kept.reader.get<{ blocks: { number: number; hash: string }[] }>("/blocks?from=2&to=4");
  assert.deepEqual(
    blocks.map((block) => block.number),
    [2, 3, 4],
  );
  assert.equal(blocks[0]?.hash, kept.chain.blocks[2]?.hash);
  assert.match(await codeOf(kept.reader.get("/blocks?from=3&to=1")), /HTTP 400/);
  const chain = await kept.reader.get<{ head: { slot: number; hash: string } }>("/chain");
  assert.deepEqual(chain.head, { number: 5, slot: 5, hash: kept.chain.blocks[5]?.hash });
  const unsupported = await codeOf(kept.reader.get("/accounts/00"));
  assert.match(unsupported, /^NODE__LOCAL_READ_UNSUPPORTED GET \/accounts\/00: the local ledger serves only GET /);
  assert.match(unsupported, /\/v1\/blocks\?from&to/);
  assert.doesNotMatch(await codeOf(chainWithTask(false).reader.get("/accounts/00")), /\/v1\/blocks/);
});
