/**
 * Browser tests: a real devnet (`gradual devnet`: a ledger, a creator, honest nodes and a cheater, each its own
 * process on 127.0.0.1), the dashboard served by `startDashboardServer` (what `gradual dashboard --ledger URL`
 * runs), and Debian's chromium driven by playwright-core. Each test saves a screenshot under
 * test-output/dashboard/. Skipped, with a message, when /usr/bin/chromium is missing
 * (scripts/install-test-deps.sh installs it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildDashboard } from "../build.ts";
import { type RunningDashboardServer, startDashboardServer } from "../serve.ts";

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
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_DIR = resolve(PACKAGE_DIR, "../..");
const GRADUAL = join(REPO_DIR, "packages/cli/bin/gradual.js");
const SCREENSHOTS = join(REPO_DIR, "test-output/dashboard");
const SLOT_MS = 250;
const HONEST_NODES = 3;
/** The devnet's cheaters submit a garbage proof in every cycle divisible by this (`--misbehave garbage:3`). */
const GARBAGE_EVERY = 3;

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (the README's test command runs scripts/install-test-deps.sh)`;
if (skip !== false) console.log(`# dashboard browser tests skipped: ${skip}`);

type Spawned = { readonly child: ChildProcess; readonly lines: string[] };
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function spawnGradual(args: readonly string[], logFile: string): Spawned {
  const child = spawn(process.execPath, [GRADUAL, ...args], { cwd: REPO_DIR, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr?.pipe(log, { end: false });
  const lines: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    lines.push(line);
    log.write(`${line}\n`);
  });
  child.once("close", () => log.end());
  return { child, lines };
}

async function stop(child: ChildProcess | undefined, graceMs = 8_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/** Thrown by a probe to stop waiting at once (a process died). */
class Fatal extends Error {}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof Fatal) throw error;
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? "" : ` (${String(lastError)})`}`,
  );
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** A key file as `gradual keys new` writes it: { publicKey, secretKey } (the RFC 8032 seed), hex. */
function writeKeyFile(path: string): string {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32).toString("hex");
  const account = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
  writeFileSync(path, `${JSON.stringify({ publicKey: account, secretKey: seed }, null, 2)}\n`, { mode: 0o600 });
  return account;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function numberAttribute(page: Page, selector: string, attribute: string): Promise<number> {
  const value = await page.locator(selector).first().getAttribute(attribute, { timeout: 20_000 });
  return Number(value);
}

/** Wording of the old distributor draw (protocol.md deviations 32, 35): no page may use it. */
const STALE_WORDING = /drawn (distributor|node)|who was drawn|distributor is drawn|missed duty|new distributor/i;

type TaskView = {
  task: { id: string; startSlot: number; params: { roundSlots: number } };
  round: number;
  slot: number;
};

describe("dashboard in a browser, against a real devnet", { skip, timeout: 300_000 }, () => {
  let dataDir: string;
  let ledgerPort: number;
  let ledgerUrl: string;
  let devnet: Spawned | undefined;
  let watcher: Spawned | undefined;
  let restartedLedger: Spawned | undefined;
  let dashboard: RunningDashboardServer | undefined;
  let browser: BrowserContext | undefined;
  let taskId: string;
  let cheater: string;
  let watcherAccount: string;
  const errors: string[] = [];

  const newPage = async (width = 1280): Promise<Page> => {
    if (browser === undefined) throw new Error("no browser");
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    return page;
  };
  const task = () => getJson<TaskView>(`${ledgerUrl}/v1/tasks/${taskId}`);

  before(async () => {
    const distDir = await buildDashboard();
    dataDir = mkdtempSync(join(tmpdir(), "gradual-dashboard-e2e-"));
    ledgerPort = await freePort();
    ledgerUrl = `http://127.0.0.1:${ledgerPort}`;
    devnet = spawnGradual(
      [
        "devnet",
        "--data",
        join(dataDir, "devnet"),
        "--port",
        String(ledgerPort),
        "--slot-ms",
        String(SLOT_MS),
        "--nodes",
        String(HONEST_NODES),
        "--cheaters",
        "1",
      ],
      join(dataDir, "devnet.log"),
    );
    const devnetProcess = devnet;
    taskId = await waitFor("the devnet's task", 120_000, () => {
      if (devnetProcess.child.exitCode !== null) {
        throw new Fatal(
          `gradual devnet exited (see test-output/dashboard/devnet.log): ${devnetProcess.lines.slice(-3).join(" | ")}`,
        );
      }
      const line = devnetProcess.lines.find((text) => /^\s+task\s+\S+ [0-9a-f]{64}/.test(text));
      return line?.match(/([0-9a-f]{64})/)?.[1];
    });
    await waitFor("the devnet's nodes", 120_000, () =>
      devnetProcess.lines.some((text) => text.includes("logs ")) ? true : undefined,
    );
    cheater = (
      JSON.parse(readFileSync(join(dataDir, "devnet/keys", `node-${HONEST_NODES + 1}.json`), "utf8")) as {
        publicKey: string;
      }
    ).publicKey;

    // A node that never claims, so its claimable rewards can only grow.
    const keyFile = join(dataDir, "watcher.json");
    watcherAccount = writeKeyFile(keyFile);
    const faucet = await fetch(`${ledgerUrl}/v1/faucet?wait=included`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ account: watcherAccount, amount: (500n * 10n ** 9n).toString() }),
    });
    assert.ok(faucet.ok, `faucet: HTTP ${faucet.status}`);
    watcher = spawnGradual(
      [
        "node",
        "--key",
        keyFile,
        "--ledger",
        ledgerUrl,
        "--task",
        taskId,
        "--port",
        "0",
        "--data",
        join(dataDir, "watcher"),
        "--stake",
        "100",
        "--no-auto-claim",
      ],
      join(dataDir, "watcher.log"),
    );

    dashboard = await startDashboardServer({ ledgerUrl, port: 0, distDir });
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
    await stop(watcher?.child);
    await stop(restartedLedger?.child);
    await stop(devnet?.child, 15_000);
    if (dataDir !== undefined) {
      // Keep the processes' logs next to the screenshots for whoever reads a failure.
      mkdirSync(SCREENSHOTS, { recursive: true });
      for (const name of ["devnet.log", "watcher.log", "ledger-restarted.log"]) {
        const path = join(dataDir, name);
        if (existsSync(path)) writeFileSync(join(SCREENSHOTS, name), readFileSync(path));
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("overview: the slot advances without a reload", async () => {
    const page = await newPage();
    await page.goto(`${dashboard?.url}/`);
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 20_000 });
    const first = await numberAttribute(page, '[data-testid="stat-slot"] [data-slot]', "data-slot");
    await waitFor("the slot to advance on screen", 10_000, async () => {
      const now = await numberAttribute(page, '[data-testid="stat-slot"] [data-slot]', "data-slot");
      return now >= first + 3 ? now : undefined;
    });
    await page.locator('[data-testid="task-table"] a.task-name').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="block-strip"] li').nth(5).waitFor({ timeout: 10_000 });
    // Each tile shows its full block number (not the last three digits), the one its link opens.
    // Read link and label in one step: the strip moves on with every block.
    const tile = page.locator('[data-testid="block-strip"] li a').last();
    const [href, label] = await tile.evaluate((anchor) => [
      anchor.getAttribute("href") ?? "",
      anchor.querySelector(".block-number")?.textContent ?? "",
    ]);
    const linked = /#\/block\/(\d+)$/.exec(href ?? "")?.[1];
    assert.equal(label?.replaceAll(",", ""), linked);
    await shot(page, "overview");
    // The explorer's time column is a wall time, not a slot or block number.
    await page.goto(`${dashboard?.url}/#/explorer`);
    const time = page.locator('[data-testid="block-time"]').first();
    await time.waitFor({ timeout: 20_000 });
    assert.match((await time.textContent()) ?? "", /^\d{2}:\d{2}:\d{2}/);
    await page.goto(`${dashboard?.url}/`);
    // Keyboard: focus the task table, move to the first row, open it with Enter.
    await page.locator('[data-testid="task-table"]').focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="task-view"]').waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).hash, `#/task/${taskId}`);
    const phone = await newPage(390);
    await phone.goto(`${dashboard?.url}/`);
    await phone.locator('[data-testid="task-table"] a.task-name').first().waitFor({ timeout: 20_000 });
    await shot(phone, "overview-phone");
    await phone.close();
    await page.close();
  });

  it("task view: the three live cycles of the round, one above the other, and the pipeline", async () => {
    // Wait until the task is in round 2 or later, so that a cycle works, one is reviewed and one is distributed.
    await waitFor("round 2", 60_000, async () => ((await task()).round >= 2 ? true : undefined));
    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/task/${taskId}`);
    // The four are read one by one while the page follows the chain: read again if a round started in between.
    let round = -1;
    let work = -1;
    let review = -1;
    let distribution = -1;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      round = await numberAttribute(page, '[data-testid="round-now"]', "data-round");
      work = await numberAttribute(page, '[data-testid="now-work"]', "data-cycle");
      review = await numberAttribute(page, '[data-testid="now-review"]', "data-cycle");
      distribution = await numberAttribute(page, '[data-testid="now-distribution"]', "data-cycle");
      if ((await numberAttribute(page, '[data-testid="round-now"]', "data-round")) === round) break;
    }
    assert.ok(round >= 2);
    assert.equal(work, round, "cycle r works in round r");
    assert.equal(review, round - 1, "cycle r-1 is reviewed in round r");
    assert.equal(distribution, round - 2, "cycle r-2 is distributed in round r");
    // The cursor moves: the round's slot advances without a reload.
    const cursor = page.locator('[data-testid="round-now"] .tl-cursor').first();
    const slotBefore = Number(await cursor.getAttribute("data-slot"));
    await waitFor("the cursor to move", 10_000, async () =>
      Number(await cursor.getAttribute("data-slot")) > slotBefore ? true : undefined,
    );
    assert.ok((await page.locator('[data-testid="pipeline-lane"]').count()) >= 3);
    // The devnet's task has the default rule, weighted: its cycles pay themselves at the first slot of round c+2,
    // so the pages show that payment and no list window, list audit or list votes (protocol.md §6.2).
    for (const window of ["commit", "reveal", "proofTriggers", "rulePayment"]) {
      assert.ok(
        (await page.locator(`[data-testid="round-now"] [data-window="${window}"]`).count()) >= 1,
        `${window} drawn`,
      );
    }
    for (const window of ["distribution", "distributionTriggers", "distributionVotes"]) {
      assert.equal(await page.locator(`[data-window="${window}"]`).count(), 0, `no ${window} window`);
    }
    assert.doesNotMatch((await page.locator('[data-testid="task-view"]').textContent()) ?? "", STALE_WORDING);
    assert.match((await page.locator('[data-testid="task-rule"]').textContent()) ?? "", /^weighted rule: /);
    await page.locator('[data-testid="task-charts"] canvas').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="node-table"] .vt-row').first().waitFor({ timeout: 20_000 });
    await shot(page, "task");
    const phone = await newPage(390);
    await phone.goto(`${dashboard?.url}/#/task/${taskId}`);
    // A cycle retrying its list shows a second distribution row: any of them will do.
    await phone.locator('[data-testid="now-distribution"]').first().waitFor({ timeout: 20_000 });
    await shot(phone, "task-phone");
    await phone.close();
    await page.close();
  });

  it("cycle page of a weighted task: paid by rule at the start of round c+2, no list rows", async () => {
    // The first cycle the rule paid (the stakes warm up first, so the earliest cycles have nobody to pay).
    const cycle = await waitFor("a cycle paid by rule", 90_000, async () => {
      const { round } = await task();
      for (let candidate = 0; candidate <= round - 2; candidate += 1) {
        const reply = await getJson<{ record: { outcome: string | null } }>(
          `${ledgerUrl}/v1/tasks/${taskId}/cycles/${candidate}`,
        );
        if (reply.record.outcome === "paid") return candidate;
      }
      return undefined;
    });
    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/task/${taskId}/cycle/${cycle}`);
    const payment = page.locator('[data-testid="rule-payment"][data-rule="weighted"]');
    await payment.waitFor({ timeout: 20_000 });
    assert.match((await payment.textContent()) ?? "", /no list, no distributor/);
    assert.equal(await payment.getAttribute("data-state"), "paid");
    assert.match((await page.locator('[data-testid="cycle-outcome"]').textContent()) ?? "", /^Outcome: paid/);
    await page.locator('tr[data-window="rulePayment"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('tr[data-window^="distribution"]').count(), 0);
    assert.equal(await page.locator('[data-testid="posting-race"]').count(), 0);
    assert.doesNotMatch((await page.locator('[data-testid="cycle-view"]').textContent()) ?? "", STALE_WORDING);
    await shot(page, "cycle-weighted");
    await page.close();
  });

  it("a cheater's upheld audit and slash appear in the cycle view and on its node page without a reload", async () => {
    // The next garbage cycle whose review has not begun yet: open its pages before the audit can happen.
    const { round } = await task();
    let cycle = Math.max(GARBAGE_EVERY, Math.ceil(round / GARBAGE_EVERY) * GARBAGE_EVERY);
    if (cycle + 1 <= round) cycle += GARBAGE_EVERY;
    const cyclePage = await newPage();
    await cyclePage.goto(`${dashboard?.url}/#/task/${taskId}/cycle/${cycle}`);
    const nodePage = await newPage();
    await nodePage.goto(`${dashboard?.url}/#/task/${taskId}/node/${cheater}`);
    await nodePage.locator('[data-testid="node-view"]').waitFor({ timeout: 20_000 });
    const slashedBefore = BigInt(
      (await nodePage.locator('[data-testid="node-slashed"] [data-base-units]').getAttribute("data-base-units")) ?? "0",
    );

    const upheld = cyclePage.locator(`[data-testid="trigger"][data-resolution="upheld"][data-target="${cheater}"]`);
    await upheld.waitFor({ timeout: 120_000 });
    await cyclePage
      .locator('[data-testid="submissions-table"] .badge.tone-bad', { hasText: "slashed" })
      .waitFor({ timeout: 10_000 });
    await shot(cyclePage, "cycle-slash");

    await waitFor("the slash on the node page", 20_000, async () => {
      const now = BigInt(
        (await nodePage.locator('[data-testid="node-slashed"] [data-base-units]').getAttribute("data-base-units")) ??
          "0",
      );
      return now > slashedBefore ? now : undefined;
    });
    await nodePage
      .locator('[data-testid="node-slashes"] li[data-event="Slashed"]', { hasText: `cycle ${cycle}` })
      .waitFor({ timeout: 20_000 });
    // The summary counts the listed slashes the way their lines do: stake plus locked rewards.
    const listed = await nodePage.locator('[data-testid="node-slashes"] li[data-event="Slashed"]').count();
    assert.match(
      (await nodePage.locator('[data-testid="node-slash-summary"]').textContent()) ?? "",
      new RegExp(
        `^${listed} slash(es)? below: [\\d.,]+ tokens? from stake \\+ [\\d.,]+ tokens? from locked rewards = `,
      ),
    );
    // The devnet names its nodes; the node page shows the name its /health serves.
    assert.match(
      (await nodePage.locator('[data-testid="node-name"]').textContent({ timeout: 20_000 })) ?? "",
      /^node-\d+ \(cheater\)$/,
    );
    await shot(nodePage, "node-cheater");
    await cyclePage.close();
    await nodePage.close();
  });

  it("node page: the vesting chart shows claimable rewards growing", async () => {
    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/task/${taskId}/node/${watcherAccount}`);
    await page.locator('[data-testid="node-view"]').waitFor({ timeout: 60_000 });
    const claimable = async () =>
      BigInt((await page.locator('[data-testid="vesting"]').getAttribute("data-claimable-now")) ?? "0");
    const first = await waitFor("claimable rewards", 150_000, async () => {
      const value = await claimable();
      return value > 0n ? value : undefined;
    });
    await page.locator('[data-testid="vesting-chart"] canvas').first().waitFor({ timeout: 10_000 });
    const grown = await waitFor("claimable to grow", 60_000, async () => {
      const value = await claimable();
      return value > first ? value : undefined;
    });
    assert.ok(grown > first);
    await shot(page, "node-vesting");
    await page.close();
  });

  it("a ledger restart shows the disconnected state, then recovers by itself", async () => {
    const page = await newPage();
    await page.goto(`${dashboard?.url}/#/task/${taskId}`);
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 20_000 });
    const info = JSON.parse(readFileSync(join(dataDir, "devnet/ledger/ledger.json"), "utf8")) as { pid: number };
    const slotBefore = await numberAttribute(page, '[data-testid="header-slot"]', "data-slot");
    process.kill(info.pid, "SIGTERM");
    await page.locator('[data-testid="connection-banner"][data-state="disconnected"]').waitFor({ timeout: 15_000 });
    await waitFor("the ledger to stop", 15_000, async () => {
      try {
        await fetch(`${ledgerUrl}/v1/health`, { signal: AbortSignal.timeout(500) });
        return undefined;
      } catch {
        return true;
      }
    });
    await page.waitForTimeout(1_500);
    await shot(page, "ledger-down");

    restartedLedger = spawnGradual(
      [
        "ledger",
        "--data",
        join(dataDir, "devnet/ledger"),
        "--genesis",
        join(dataDir, "devnet/genesis.json"),
        "--port",
        String(ledgerPort),
        "--slot-ms",
        String(SLOT_MS),
      ],
      join(dataDir, "ledger-restarted.log"),
    );
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="connection-banner"][data-state="disconnected"]').count(), 0);
    await waitFor("slots past the restart", 20_000, async () => {
      const slot = await numberAttribute(page, '[data-testid="header-slot"]', "data-slot");
      return slot > slotBefore + 2 ? slot : undefined;
    });
    await page.locator('[data-testid="round-now"]').waitFor({ timeout: 10_000 });
    await shot(page, "ledger-recovered");
    await page.close();
  });

  it("raised no uncaught errors in the pages", () => {
    assert.deepEqual(errors, []);
  });
});

/**
 * The custom rule (Koii's): a second, smaller devnet whose task (examples/proof-of-compute, its task.yml copied with
 * `distributionRule: custom`) posts lists. Its cycle page tells the posting race (protocol.md §6.1, deviation 35),
 * the list in force with its Merkle root, its entries from the list blob and its claims (§6.4, deviation 34).
 */
describe("dashboard in a browser, a custom-rule task", { skip, timeout: 300_000 }, () => {
  let dataDir: string;
  let ledgerUrl: string;
  let devnet: Spawned | undefined;
  let dashboard: RunningDashboardServer | undefined;
  let browser: BrowserContext | undefined;
  let taskId: string;
  const errors: string[] = [];

  before(async () => {
    const distDir = await buildDashboard();
    dataDir = mkdtempSync(join(tmpdir(), "gradual-dashboard-custom-"));
    const taskDir = join(dataDir, "task");
    mkdirSync(taskDir);
    const example = join(REPO_DIR, "examples/proof-of-compute");
    writeFileSync(
      join(taskDir, "task.yml"),
      [
        "name: proof-of-compute-custom",
        `entry: ${join(example, "task.ts")}`,
        "preset: devnet",
        "params:",
        "  maxProofBytes: 1024",
        "  auditMode: all",
        "  distributionRule: custom",
        'bountyPerRound: "100"',
        'funding: "2000"',
        "config:",
        '  difficultyBits: "8"',
        "",
      ].join("\n"),
    );
    const port = await freePort();
    ledgerUrl = `http://127.0.0.1:${port}`;
    devnet = spawnGradual(
      [
        "devnet",
        "--task",
        taskDir,
        "--data",
        join(dataDir, "devnet"),
        "--port",
        String(port),
        "--slot-ms",
        String(SLOT_MS),
        "--nodes",
        "3",
        "--cheaters",
        "0",
        "--quiet",
      ],
      join(dataDir, "devnet-custom.log"),
    );
    const devnetProcess = devnet;
    taskId = await waitFor("the custom devnet's task", 120_000, () => {
      if (devnetProcess.child.exitCode !== null) {
        throw new Fatal(`gradual devnet exited (see devnet-custom.log): ${devnetProcess.lines.slice(-3).join(" | ")}`);
      }
      const line = devnetProcess.lines.find((text) => /^\s+task\s+\S+ [0-9a-f]{64}/.test(text));
      return line?.match(/([0-9a-f]{64})/)?.[1];
    });
    dashboard = await startDashboardServer({ ledgerUrl, port: 0, distDir });
    browser = await chromium.launchPersistentContext(join(dataDir, "chromium-profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
    });
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await stop(devnet?.child, 15_000);
    if (dataDir !== undefined) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const log = join(dataDir, "devnet-custom.log");
      if (existsSync(log)) writeFileSync(join(SCREENSHOTS, "devnet-custom.log"), readFileSync(log));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("the task view draws list windows, and the cycle page tells the posting race of an accepted list", async () => {
    if (browser === undefined) throw new Error("no browser");
    type CycleReply = { record: { outcome: string | null }; distributions: { status: string }[] };
    // The first cycle whose list was accepted (the stakes warm up first, so early cycles may have no submitter).
    const cycle = await waitFor("an accepted list", 180_000, async () => {
      const view = await getJson<{ cycles: { cycle: number }[]; round: number }>(`${ledgerUrl}/v1/tasks/${taskId}`);
      for (let candidate = 0; candidate <= view.round - 2; candidate += 1) {
        const reply = await getJson<CycleReply>(`${ledgerUrl}/v1/tasks/${taskId}/cycles/${candidate}`);
        if (reply.distributions.some((list) => list.status === "accepted")) return candidate;
      }
      return undefined;
    });
    const page = await browser.newPage();
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${dashboard?.url}/#/task/${taskId}`);
    await page.locator('[data-testid="round-now"] [data-window="distribution"]').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-window="rulePayment"]').count(), 0);
    assert.match((await page.locator('[data-testid="task-rule"]').textContent()) ?? "", /^custom rule: /);
    assert.doesNotMatch((await page.locator('[data-testid="task-view"]').textContent()) ?? "", STALE_WORDING);
    await shot(page, "task-custom");

    await page.goto(`${dashboard?.url}/#/task/${taskId}/cycle/${cycle}`);
    const race = page.locator('[data-testid="posting-race"]');
    await race.waitFor({ timeout: 20_000 });
    const accepted = race.locator('[data-testid="distribution"][data-status="accepted"]');
    await accepted.waitFor({ timeout: 20_000 });
    // The race, read from the list window's blocks: at least the post of the list in force.
    await accepted.locator('[data-testid="list-post"]').first().waitFor({ timeout: 20_000 });
    assert.match((await accepted.locator('[data-testid="list-posts"]').textContent()) ?? "", /the list in force/);
    assert.match((await accepted.textContent()) ?? "", /Merkle root/);
    // The entries, from the list blob the poster stored, and what was claimed of them.
    await accepted.locator("table, [role='table'], [role='grid']").first().waitFor({ timeout: 20_000 });
    assert.match((await accepted.locator('[data-testid="list-claims"]').textContent()) ?? "", /Claimed so far/);
    assert.equal(await page.locator('tr[data-window="distribution"]').count(), 1);
    assert.equal(await page.locator('[data-testid="rule-payment"]').count(), 0);
    assert.doesNotMatch((await page.locator('[data-testid="cycle-view"]').textContent()) ?? "", STALE_WORDING);
    await shot(page, "cycle-custom");
    await page.close();
    assert.deepEqual(errors, []);
  });
});
