/**
 * The dashboard over an EVM chain, in a browser: anvil (127.0.0.1), the Gradual contract deployed, `gradual indexer`
 * (`startIndexer` + `startIndexerServer`, in this process) and the dashboard served over it (`startDashboardServer`,
 * what `gradual devnet --settlement evm` runs), driven by Debian's chromium through playwright-core, as
 * packages/dashboard/test/dashboard.browser.test.ts drives it over the ledger.
 *
 * Lighter than the EVM devnet: no node processes. A short scripted scenario sends the contract calls from four EVM
 * keys at slots it sets (anvil's next block timestamp; slots of 10 s): a task, three stakes, two cycles of commits and
 * reveals, then, while the pages are open, a trigger against dave's proof, a vote and the claims that settle it (upheld,
 * dave slashed). Every page is loaded with that data and must render it, label what is EVM-specific, and update
 * without a reload. Screenshots go to test-output/dashboard-evm/. Skipped, with a message, when /usr/bin/chromium is
 * missing (scripts/install-test-deps.sh installs it).
 *
 *   node scripts/build.mjs && node --conditions=source --import tsx --test packages/cli/test/evm/dashboard.evm.browser.test.ts
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "@gradual/dashboard/build";
import { type RunningDashboardServer, startDashboardServer } from "@gradual/dashboard/serve";
import {
  type Anvil,
  callGradual,
  type EvmDevnetChain,
  type EvmKey,
  evmKeyFromPrivateKey,
  generateEvmKey,
  type Indexer,
  type IndexerServer,
  paramsToStruct,
  prepareEvmDevnet,
  startAnvil,
  startIndexer,
  startIndexerServer,
} from "@gradual/evm";
import { computeCommitment, sha256Hex, type TaskParams, TOKEN } from "@gradual/protocol";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { makeTempDir, removeDir, waitFor } from "../e2e/support.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const SCREENSHOTS = join(REPO_DIR, "test-output/dashboard-evm");
/** anvil's first dev account: it deploys and mints. */
const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** Slots of 10 s: the calls of one step stay in its slot although each mined block is a second later. */
const SLOT_MS = 10_000;
/** Rounds of 10 slots, every window short, no warm-up or ramp: two cycles and an upheld trigger by slot 41. */
const PARAMS: TaskParams = {
  roundSlots: 10,
  commitSlots: 3,
  revealSlots: 2,
  auditSlots: 3,
  voteSlots: 2,
  distributionSlots: 2,
  distributionAuditSlots: 3,
  minimumStake: 100n * TOKEN,
  bountyPerRound: 1_000n * TOKEN,
  maxNodes: 8,
  auditsPerNode: 2,
  auditMode: "sampled",
  triggerBond: 10n * TOKEN,
  slashQuorumBps: 5000,
  slashSupermajorityBps: 6667,
  minParticipationBps: 3000,
  slashFractionBps: 1000,
  whistleblowerShareBps: 2000,
  losingVotePenalty: 3n * TOKEN,
  maxTriggersPerNodePerCycle: 2,
  allowedFailedDistributions: 1,
  warmupRounds: 0,
  rampRounds: 0,
  unbondingRounds: 2,
  vestingRounds: 3,
  maxProofBytes: 1024,
  distributionRule: "weighted",
};
/** The contract's indexes: trigger kind "proof", verdict "invalid", vote choice "invalid". */
const PROOF_TRIGGER = 0;
const INVALID_VERDICT = 0;
const INVALID_VOTE = 1;

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (the README's test command runs scripts/install-test-deps.sh)`;
if (skip !== false) console.log(`# dashboard-over-EVM browser tests skipped: ${skip}`);

const h32 = (hex: string): `0x${string}` => `0x${hex}`;

async function rpc<T>(url: string, method: string, params: readonly unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function numberAttribute(page: Page, selector: string, attribute: string): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute(attribute, { timeout: 20_000 }));
}

type BlockEntry = { hash: string; tx: { kind: string; from: string }; signature: string };

describe("dashboard in a browser over an EVM chain (anvil, the contract, gradual indexer)", {
  skip,
  timeout: 300_000,
}, () => {
  let dataDir: string | undefined;
  let anvil: Anvil | undefined;
  let chain: EvmDevnetChain;
  let indexer: Indexer | undefined;
  let server: IndexerServer | undefined;
  let dashboard: RunningDashboardServer | undefined;
  let browser: BrowserContext | undefined;
  let taskId: string;
  const keys = { alice: generateEvmKey(), bob: generateEvmKey(), carol: generateEvmKey(), dave: generateEvmKey() };
  const nodes = [keys.bob, keys.carol, keys.dave];
  const errors: string[] = [];
  let lastTimestamp = 0n;

  /** Mines an empty block at the start of `slot` (or a second after the last block): the next calls are in it. */
  const at = async (slot: number) => {
    const rpcUrl = (anvil as Anvil).rpcUrl;
    const latest = await rpc<{ timestamp: string }>(rpcUrl, "eth_getBlockByNumber", ["latest", false]);
    const start = chain.genesisTimestamp + (BigInt(slot) * BigInt(SLOT_MS)) / 1000n;
    const floor = BigInt(latest.timestamp) + 1n;
    lastTimestamp = start > floor ? start : floor;
    await rpc(rpcUrl, "evm_setNextBlockTimestamp", [`0x${lastTimestamp.toString(16)}`]);
    await rpc(rpcUrl, "evm_mine", []);
  };
  const call = (key: EvmKey, functionName: string, args: readonly unknown[]) =>
    callGradual((anvil as Anvil).rpcUrl, chain.contract, key, functionName, args);
  const indexerUrl = () => (server as IndexerServer).url;
  /** Waits until the indexer served the block of `slot` (it does once an EVM block of a later slot is followed). */
  const indexed = (slot: number) =>
    waitFor(
      `the indexer's block of slot ${slot}`,
      async () => (await getJson<{ head: { slot: number } }>(`${indexerUrl()}/v1/chain`)).head.slot >= slot,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  const proof = (key: EvmKey, cycle: number) => sha256Hex(`proof:${key.address}:${cycle}`);
  const salt = (key: EvmKey, cycle: number) => sha256Hex(`salt:${key.address}:${cycle}`);

  const newPage = async (width = 1280): Promise<Page> => {
    if (browser === undefined) throw new Error("no browser");
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    return page;
  };
  /** No page shows "Could not load …" (an error message) once it rendered. */
  const noErrorMessage = async (page: Page, where: string) => {
    const messages = await page.locator(".message-error").allTextContents();
    assert.deepEqual(messages, [], `${where}: error messages on the page`);
  };

  before(async () => {
    dataDir = makeTempDir("dashboard-evm");
    const distDir = await buildDashboard();
    anvil = await startAnvil();
    chain = await prepareEvmDevnet({
      rpcUrl: anvil.rpcUrl,
      deployer: evmKeyFromPrivateKey(ANVIL_DEPLOYER_KEY),
      slotMs: SLOT_MS,
      accounts: [
        { key: keys.alice, deposit: 20_000n * TOKEN },
        ...nodes.map((key) => ({ key, deposit: 1_000n * TOKEN })),
      ],
    });
    const notify = () => server?.notify();
    indexer = await startIndexer({
      rpcUrl: anvil.rpcUrl,
      contract: chain.contract,
      fromBlock: chain.deployBlock,
      dataDir: join(dataDir, "indexer"),
      pollIntervalMs: 100,
      onEvents: notify,
      onProgress: notify,
    });
    server = await startIndexerServer({ indexer, port: 0, status: () => ({}) });
    dashboard = await startDashboardServer({ ledgerUrl: server.url, port: 0, host: "127.0.0.1", distDir });

    // The scenario's first part: a task, three stakes, cycles 0 and 1 committed and revealed by every node.
    await at(9);
    const created = await call(keys.alice, "createTask", [
      "evm-dashboard",
      h32(sha256Hex("bundle")),
      h32("0".repeat(64)),
      paramsToStruct(PARAMS),
      10_000n * TOKEN,
    ]);
    taskId = (created.logs.find((log) => log.topics.length === 3)?.topics[1] ?? "0x").slice(2);
    await at(10);
    for (const [index, key] of nodes.entries())
      await call(key, "stake", [h32(taskId), BigInt(3 - index) * 100n * TOKEN, `http://127.0.0.1:9/node-${index + 1}`]);
    for (const cycle of [0, 1]) {
      await at(17 + 10 * cycle);
      for (const key of nodes) {
        const commitment = computeCommitment({
          task: taskId,
          cycle,
          node: key.accountId,
          proofDigest: proof(key, cycle),
          salt: salt(key, cycle),
        });
        await call(key, "commit", [h32(taskId), cycle, h32(commitment)]);
      }
      await at(20 + 10 * cycle);
      for (const key of nodes)
        await call(key, "reveal", [h32(taskId), cycle, h32(proof(key, cycle)), h32(salt(key, cycle))]);
    }
    await at(31);
    await indexed(30);

    // A fresh profile directory for every run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(dataDir, "chromium-profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
    });
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await server?.close();
    await indexer?.stop();
    await anvil?.stop();
    removeDir(dataDir);
  });

  it("overview: says the chain is settled on EVM, with real block times and 0x accounts", async () => {
    const page = await newPage();
    await page.goto(`${dashboard?.url}/`);
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 20_000 });
    const badge = page.locator('[data-testid="settlement-badge"]');
    await badge.waitFor({ timeout: 20_000 });
    assert.match((await badge.textContent()) ?? "", /^EVM \d+ · 0x[0-9a-f]{4}…[0-9a-f]{4}$/);
    assert.match(
      (await page.locator('[data-testid="stat-settlement"]').textContent()) ?? "",
      /^Settled onEVM chain \d+/,
    );
    await page.locator(`[data-testid="stat-settlement"] [data-contract="${chain.contract.toLowerCase()}"]`).waitFor();
    assert.ok((await numberAttribute(page, '[data-testid="stat-slot"] [data-slot]', "data-slot")) >= 30);
    await page.locator('[data-testid="task-table"] a.task-name', { hasText: "evm-dashboard" }).waitFor();
    // The creator is shown as its EVM address.
    await page.locator(`[data-evm-address="${keys.alice.address.toLowerCase()}"]`).first().waitFor({ timeout: 20_000 });
    await noErrorMessage(page, "overview");
    await shot(page, "overview");
    // The explorer dates blocks on the contract's clock, not at the epoch.
    await page.goto(`${dashboard?.url}/#/explorer`);
    const time = page.locator('[data-testid="block-time"]').first();
    await time.waitFor({ timeout: 20_000 });
    const dated = new Date((await time.getAttribute("datetime")) ?? "");
    assert.ok(dated.getUTCFullYear() >= 2024, `block time ${dated.toISOString()}`);
    await shot(page, "explorer");
    await page.close();
  });

  it("task view: the pipeline, the charts and the three nodes", async () => {
    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/task/${taskId}`);
    await page.locator('[data-testid="task-view"]').waitFor({ timeout: 20_000 });
    assert.ok((await numberAttribute(page, '[data-testid="round-now"]', "data-round")) >= 2);
    assert.ok((await page.locator('[data-testid="pipeline-lane"]').count()) >= 3);
    await page.locator('[data-testid="task-charts"] canvas').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="node-table"] .vt-row').nth(2).waitFor({ timeout: 20_000 });
    for (const key of nodes) {
      await page.locator(`[data-testid="node-table"] [data-evm-address="${key.address.toLowerCase()}"]`).waitFor();
    }
    await noErrorMessage(page, "task");
    await shot(page, "task");
    await page.close();
  });

  it("an upheld trigger and its slash appear in the cycle view and on the node page without a reload", async () => {
    const dave = keys.dave.accountId;
    const cyclePage = await newPage();
    await cyclePage.goto(`${dashboard?.url}/#/task/${taskId}/cycle/1`);
    await cyclePage.locator('[data-testid="submissions-table"]').waitFor({ timeout: 20_000 });
    await cyclePage.locator('[data-testid="no-triggers"]').waitFor({ timeout: 20_000 });
    const nodePage = await newPage();
    await nodePage.goto(`${dashboard?.url}/#/task/${taskId}/node/${dave}`);
    await nodePage.locator('[data-testid="node-view"]').waitFor({ timeout: 20_000 });
    const slashed = async () =>
      BigInt(
        (await nodePage.locator('[data-testid="node-slashed"] [data-base-units]').getAttribute("data-base-units")) ??
          "0",
      );
    assert.equal(await slashed(), 0n);

    // The scenario's second part, while the pages are open: bob triggers dave's cycle 1 proof, carol votes invalid;
    // the claims at slot 41 settle the trigger on the contract (the core resolved it at slot 37).
    await at(32);
    await call(keys.bob, "triggerAudit", [
      h32(taskId),
      1,
      PROOF_TRIGGER,
      INVALID_VERDICT,
      0,
      h32(dave),
      h32(sha256Hex("reason")),
    ]);
    await call(keys.carol, "vote", [h32(taskId), 1, 0, INVALID_VOTE]);
    await at(33);
    await cyclePage.locator(`[data-testid="trigger"][data-target="${dave}"]`).waitFor({ timeout: 30_000 });
    await at(41);
    await call(keys.carol, "claim", [h32(taskId)]);
    await call(keys.dave, "claim", [h32(taskId)]);
    await at(42);
    await indexed(41);

    await cyclePage
      .locator(`[data-testid="trigger"][data-resolution="upheld"][data-target="${dave}"]`)
      .waitFor({ timeout: 30_000 });
    await cyclePage
      .locator('[data-testid="submissions-table"] .badge.tone-bad', { hasText: "slashed" })
      .waitFor({ timeout: 10_000 });
    await cyclePage
      .locator(`[data-testid="trigger"] [data-evm-address="${keys.bob.address.toLowerCase()}"]`)
      .first()
      .waitFor();
    await noErrorMessage(cyclePage, "cycle");
    await shot(cyclePage, "cycle-slash");
    await waitFor("the slash on the node page", async () => ((await slashed()) > 0n ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await nodePage
      .locator('[data-testid="node-slashes"] li[data-event="Slashed"]', { hasText: "cycle 1" })
      .waitFor({ timeout: 20_000 });
    await noErrorMessage(nodePage, "node");
    await shot(nodePage, "node-slashed");
    await cyclePage.close();
    await nodePage.close();
    assert.equal(indexer?.replay.diverged, undefined, indexer?.replay.diverged?.message);
  });

  it("block, transaction and account pages: the indexer's slot block, the EVM transaction, the 0x address", async () => {
    // The trigger's block, found through the indexer (the dashboard is checked against it, and the chain).
    const { blocks } = await getJson<{ blocks: { number: number; txs: BlockEntry[] }[] }>(
      `${indexerUrl()}/v1/blocks?from=30&to=41`,
    );
    const block = blocks.find((each) => each.txs.some((entry) => entry.tx.kind === "triggerAudit"));
    assert.ok(block !== undefined, "a block with the trigger");
    const trigger = block.txs.find((entry) => entry.tx.kind === "triggerAudit") as BlockEntry;

    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/block/${block.number}`);
    await page.locator('[data-testid="block-view"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="evm-block-note"]').waitFor({ timeout: 20_000 });
    await page.locator(`a[href="#/tx/${trigger.hash}"]`).first().waitFor({ timeout: 20_000 });
    await noErrorMessage(page, "block");
    await shot(page, "block");

    await page.goto(`${dashboard?.url}/#/tx/${trigger.hash}`);
    const evmHash = page.locator('[data-testid="evm-tx-hash"]');
    await evmHash.waitFor({ timeout: 20_000 });
    const txHash = ((await evmHash.textContent()) ?? "").trim();
    assert.match(txHash, /^0x[0-9a-f]{64}$/);
    // The EVM transaction shown is on the chain, a call of the contract from bob.
    const receipt = await rpc<{ to: string; from: string; status: string }>(
      (anvil as Anvil).rpcUrl,
      "eth_getTransactionReceipt",
      [txHash],
    );
    assert.equal(receipt.to.toLowerCase(), chain.contract.toLowerCase());
    assert.equal(receipt.from.toLowerCase(), keys.bob.address.toLowerCase());
    assert.equal(receipt.status, "0x1");
    await noErrorMessage(page, "transaction");
    await shot(page, "tx");

    // The search box takes the EVM transaction's hash and opens the replayed call.
    await page.goto(`${dashboard?.url}/#/search/${txHash}`);
    await page.waitForURL(new RegExp(`#/tx/${trigger.hash}$`), { timeout: 20_000 });
    await page.locator('[data-testid="evm-tx-hash"]').waitFor({ timeout: 20_000 });

    // And a 0x address opens its account, shown as that address.
    await page.goto(`${dashboard?.url}/#/search/${keys.dave.address}`);
    await page.waitForURL(new RegExp(`#/account/${keys.dave.accountId}$`), { timeout: 20_000 });
    const shown = page.locator('[data-testid="evm-account"]');
    await shown.waitFor({ timeout: 20_000 });
    assert.match((await shown.textContent()) ?? "", new RegExp(keys.dave.address.toLowerCase()));
    await page.locator('[data-testid="account-view"] .stat', { hasText: "Balance" }).waitFor();
    await noErrorMessage(page, "account");
    await shot(page, "account");

    // The contract's own account is the indexer's token pool: labelled, with what the contract holds.
    const pool = `${"0".repeat(24)}${chain.contract.slice(2).toLowerCase()}`;
    await page.goto(`${dashboard?.url}/#/account/${pool}`);
    await page.locator('[data-testid="evm-pool"]').waitFor({ timeout: 20_000 });
    assert.equal(
      await page.locator('[data-testid="evm-contract-holds"] [data-base-units]').getAttribute("data-base-units"),
      (23_000n * TOKEN).toString(),
      "the four deposits",
    );
    await shot(page, "account-pool");
    // A deposit is replayed as a transfer from the pool: its page says so.
    const early = await getJson<{ blocks: { txs: BlockEntry[] }[] }>(`${indexerUrl()}/v1/blocks?from=1&to=8`);
    const deposit = early.blocks.flatMap((each) => each.txs).find((entry) => entry.tx.from === pool);
    assert.ok(deposit !== undefined, "a deposit");
    await page.goto(`${dashboard?.url}/#/tx/${deposit.hash}`);
    await page.locator('[data-testid="evm-call"]', { hasText: "a deposit" }).waitFor({ timeout: 20_000 });
    await noErrorMessage(page, "deposit");
    await page.close();
  });

  it("raised no uncaught errors in the pages", () => {
    assert.deepEqual(errors, []);
  });
});
