/**
 * The indexer's read API on anvil: the ledger client, the event stream and the CLI's read commands against an
 * indexer of the production Gradual contract, in process and as `gradual indexer` (run from source).
 *
 *   node --conditions=source --import tsx --test packages/evm/test/indexerServer.test.ts
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createLedgerClient } from "@gradual/ledger";
import { computeCommitment, sha256Hex } from "@gradual/protocol";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { type Indexer, startIndexer } from "../src/indexer/indexer.ts";
import { type IndexerServer, startIndexerServer } from "../src/indexer/server.ts";
import { deployScenario, fundedTaskWithOneNode, id32, PARAMS, type Scenario } from "./evmScenario.ts";
import { h32 } from "./harnessClient.ts";

const CLI_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../cli/src/main.ts");
let anvil: Anvil | undefined;
let scenario: Scenario;
let taskId: string;
let indexer: Indexer | undefined;
let server: IndexerServer | undefined;
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "gradual-indexer-server-"));
const name = (who: string) => sha256Hex(`gradual/evm-indexer-server-test/${who}`);

/** Polls until `check` gives a value (bounded by a count of tries, never by a duration assertion). */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CLI_MAIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", fail);
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  const [, bob] = scenario.accounts as [Hex, Hex];
  const { at, call } = scenario;
  taskId = await fundedTaskWithOneNode(scenario, "served", h32(name("bundle")), PARAMS);
  await at(17);
  const [proof, salt] = [name("proof"), name("salt")];
  const commitment = computeCommitment({ task: taskId, cycle: 0, node: id32(bob).slice(2), proofDigest: proof, salt });
  await call(bob, "commit", [h32(taskId), 0, h32(commitment)]);
  await at(20);
  await call(bob, "reveal", [h32(taskId), 0, h32(proof), h32(salt)]);
  await at(21);
  await scenario.mine();
  indexer = await startIndexer({
    rpcUrl: anvil.rpcUrl,
    contract: scenario.contract,
    fromBlock: scenario.deployBlock,
    dataDir: join(dir, "in-process"),
    pollIntervalMs: 50,
    onEvents: () => server?.notify(),
    onProgress: () => server?.notify(),
  });
  server = await startIndexerServer({ indexer, status: () => ({ slot: indexer?.replay.chain.slot }) });
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await server?.close();
  await indexer?.stop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the ledger client reads the chain, the task, its nodes, cycle 0's commits and reveals from the indexer", async () => {
  const client = createLedgerClient({ url: (server as IndexerServer).url });
  const chain = await until("slot 20", async () => {
    const info = await client.getChain();
    return info.head.slot >= 20 ? info : undefined;
  });
  assert.equal(chain.chainId, indexer?.chainId);
  assert.equal(chain.slotMs, 10_000);
  assert.equal(chain.taskCount, 1);
  const task = await client.getTask(taskId);
  assert.equal(task?.task.name, "served");
  assert.equal(task?.task.creator, id32(scenario.accounts[0] as Hex).slice(2));
  const nodes = await client.listNodes(taskId);
  assert.deepEqual(
    nodes.items.map((node) => node.account),
    [id32(scenario.accounts[1] as Hex).slice(2)],
  );
  const reveals = await client.listReveals(taskId, 0);
  assert.equal(reveals.items.length, 1);
  assert.equal(reveals.items[0]?.proofDigest, name("proof"));
  const head = await client.getHead();
  assert.equal(head.slot, chain.head.slot);
  const block20 = await client.getBlock(20);
  assert.deepEqual(
    block20?.txs.map((entry) => entry.tx.kind),
    ["reveal"],
  );
  const account = await client.getAccount(id32(scenario.accounts[1] as Hex).slice(2));
  assert.equal(BigInt(account.balance), 800n, "deposited 1,000, staked 200");
  // Each block is dated at its slot's start on the contract's clock.
  assert.equal(block20?.producedAtMs, Number(scenario.genesis) * 1000 + 20 * 10_000);
  // A replayed call by its core hash and by its EVM transaction's hash; the signature says where it is on the chain.
  const entry = block20?.txs[0];
  assert.ok(entry !== undefined);
  const byHash = await client.getTx(entry.hash);
  assert.equal(byHash?.status, "included");
  assert.deepEqual(byHash?.tx, entry.tx);
  assert.equal(byHash?.signature, entry.signature);
  const byEvmHash = await client.getTx(entry.signature.slice(0, 64));
  assert.equal(byEvmHash?.hash, entry.hash);
  assert.equal(await client.getTx("ab".repeat(32)), undefined);
  const about = (await (await fetch(`${(server as IndexerServer).url}/v1/indexer`)).json()) as Record<string, unknown>;
  assert.equal(about.settlement, "evm");
  assert.equal(about.contract, scenario.contract.toLowerCase());
  assert.equal(about.slotMs, 10_000);
});

test("the event stream replays blocks from ?after=N with the ledger's frames", async () => {
  const abort = new AbortController();
  const response = await fetch(`${(server as IndexerServer).url}/v1/events?after=0`, { signal: abort.signal });
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes('"Revealed"')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  abort.abort();
  const frames = text.split("\n\n").filter((frame) => frame.startsWith("id: "));
  assert.match(frames[0] as string, /^id: 1\nevent: block\ndata: /);
  const withReveal = frames.find((frame) => frame.includes('"Revealed"')) as string;
  const data = JSON.parse(withReveal.split("data: ")[1] as string) as {
    header: { slot: number };
    txs: { kind: string }[];
  };
  assert.equal(data.header.slot, 20);
  assert.deepEqual(
    data.txs.map((tx) => tx.kind),
    ["reveal"],
  );
});

test("gradual indexer as a process serves gradual task status and the ledger client; --help documents it", async () => {
  const help = await runCli(["indexer", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--contract <address>/);
  assert.match(help.stdout, /EVM__INDEXER_DIVERGED/);
  const child = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      CLI_MAIN,
      "indexer",
      "--rpc",
      (anvil as Anvil).rpcUrl,
      "--contract",
      scenario.contract,
      "--from-block",
      String(scenario.deployBlock),
      "--port",
      "0",
      "--data-dir",
      join(dir, "process"),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let url: string | undefined;
  for await (const line of lines) {
    const listening = /^indexer (http:\/\/127\.0\.0\.1:\d+) /.exec(line);
    if (listening !== null) {
      url = listening[1];
      break;
    }
  }
  assert.ok(url, "the indexer printed its address");
  const client = createLedgerClient({ url });
  await until("slot 20", async () => ((await client.getChain()).head.slot >= 20 ? true : undefined));
  const status = await runCli(["task", "status", taskId, "--ledger", url, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  const view = JSON.parse(status.stdout) as { task: { name: string }; nodes: { account: string }[] };
  assert.equal(view.task.name, "served");
  assert.equal(view.nodes.length, 1);
  const indexerStatus = (await (await fetch(`${url}/v1/indexer`)).json()) as { diverged: unknown; slot: number };
  assert.equal(indexerStatus.diverged, null);
  child.kill("SIGTERM");
  await new Promise((done) => (child.exitCode === null ? child.once("close", done) : done(undefined)));
});
