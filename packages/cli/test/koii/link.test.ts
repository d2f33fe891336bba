/**
 * `gradual koii link`: a Koii task folder's own npm install and scripts run against gradual. A copy of
 * examples/koii/ipfs-result gets a script in the shape of Koii's template's `simulate` (stakeOnChain, then each
 * round's task, submitTask, auditTask, selectAndGenerateDistributionList, auditDistribution) and one in the shape of
 * its Jest tests (CommonJS, getTaskState's maps, getDistributionList, the Express app on EXPRESS_PORT); both run
 * with plain `node` after `npm install`, which the registry could not serve before the link.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir, removeDir, runGradual } from "../e2e/support.ts";
import { EXAMPLES } from "./support.ts";

const SIMULATE = `
import { taskRunner } from "@_koii/task-manager";
import "./src/index.js";
import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";
import { Keypair } from "@_koii/web3.js";
const keypair = Keypair.generate();
await namespaceWrapper.stakeOnChain(keypair.publicKey, keypair, keypair.publicKey, 10000);
for (let round = 0; round < 3; round++) {
  await taskRunner.task(round);
  await taskRunner.submitTask(round);
  await taskRunner.auditTask(round);
  await taskRunner.selectAndGenerateDistributionList(round);
  await taskRunner.auditDistribution(round);
}
const state = await namespaceWrapper.getTaskState({});
console.log("STATE " + JSON.stringify({ submissions: state.submissions, lists: state.distribution_rewards_submission }));
process.exit(0);
`;

const JEST_LIKE = `
const { initializeTaskManager, taskRunner } = require("@_koii/task-manager");
const { namespaceWrapper, _server } = require("@_koii/task-manager/namespace-wrapper");
async function main() {
  const tasks = await import("./src/task/1-task.js");
  const { submission } = await import("./src/task/2-submission.js");
  const { audit } = await import("./src/task/3-audit.js");
  const { distribution } = await import("./src/task/4-distribution.js");
  const { routes } = await import("./src/task/5-routes.js");
  await namespaceWrapper.defaultTaskSetup();
  initializeTaskManager({ setup: async () => {}, task: tasks.task, submission, audit, distribution, routes });
  await taskRunner.task(1);
  await taskRunner.submitTask(1);
  await taskRunner.auditTask(1);
  await taskRunner.submitDistributionList(1);
  await taskRunner.auditDistribution(1);
  const state = await namespaceWrapper.getTaskState({});
  const list = await namespaceWrapper.getDistributionList("", 1);
  const root = await fetch("http://127.0.0.1:" + process.env.EXPRESS_PORT + "/");
  console.log("RESULT " + JSON.stringify({ state, list: JSON.parse(list.toString()), root: await root.json() }));
  _server.close();
}
main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("gradual koii link: a Koii folder's own scripts against gradual", { timeout: 300_000 }, () => {
  let dir: string | undefined;
  /** The folder's package.json (given Windows line endings) and .gitignore before the link, for --undo. */
  let originalPackage: Buffer | undefined;
  let originalIgnore: Buffer | undefined;
  before(() => {
    dir = makeTempDir("koii-link");
    cpSync(`${EXAMPLES}ipfs-result`, dir, { recursive: true });
    const manifest = join(dir, "package.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/\r?\n/g, "\r\n"));
    originalPackage = readFileSync(manifest);
    originalIgnore = existsSync(join(dir, ".gitignore")) ? readFileSync(join(dir, ".gitignore")) : undefined;
    writeFileSync(join(dir, "simulate.mjs"), SIMULATE);
    writeFileSync(join(dir, "jest-like.cjs"), JEST_LIKE);
  });
  after(() => removeDir(dir));

  it("links, after which npm install works offline and the Koii packages resolve to gradual's", async () => {
    const folder = dir as string;
    const before = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    const linked = await runGradual(["koii", "link", folder, "--json"], 120_000);
    assert.equal(linked.code, 0, linked.stderr);
    const result = JSON.parse(linked.stdout) as { linked: string[]; unknown: string[] };
    assert.deepEqual(result.linked.sort(), Object.keys(before.dependencies).sort());
    assert.deepEqual(result.unknown, []);
    const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    assert.equal(pkg.dependencies["@_koii/task-manager"], "file:./.gradual/koii/packages/task-manager");
    assert.equal(pkg.gradualKoiiLink["dependencies:@_koii/task-manager"], before.dependencies["@_koii/task-manager"]);
    assert.match(readFileSync(join(folder, ".gitignore"), "utf8"), /^\.gradual\/$/m);
    const install = run("npm", ["install", "--offline", "--no-audit", "--no-fund"], folder);
    assert.equal(install.code, 0, install.out);
    for (const name of ["task-manager", "namespace-wrapper", "web3.js", "storage-task-sdk"])
      assert.ok(existsSync(join(folder, "node_modules", "@_koii", name, "package.json")), name);
  });

  it("runs a simulate script: every round's duties on an in-memory ledger, read back through getTaskState", () => {
    const folder = dir as string;
    const simulated = run(process.execPath, ["simulate.mjs"], folder, { EXPRESS_PORT: "0" });
    assert.equal(simulated.code, 0, simulated.out);
    assert.match(simulated.out, /submitTask\(2\): committed and revealed "bafkrei[a-z2-7]{52}"/);
    assert.match(simulated.out, /fetched \w+'s file by CID: valid/, "the audit fetched the uploaded file by CID");
    const line = simulated.out.split("\n").find((text) => text.startsWith("STATE ")) as string;
    const state = JSON.parse(line.slice("STATE ".length)) as {
      submissions: Record<string, Record<string, { submission_value: string; slot: number; round: number }>>;
      lists: Record<string, Record<string, { slot: number }>>;
    };
    assert.deepEqual(Object.keys(state.submissions), ["0", "1", "2"]);
    for (const [round, byNode] of Object.entries(state.submissions)) {
      const [entry] = Object.values(byNode);
      assert.equal(entry?.round, Number(round));
      assert.match(entry?.submission_value ?? "", /^bafkrei/);
      assert.ok(Number.isInteger(entry?.slot));
      assert.equal(Object.keys(state.lists[round] ?? {}).length, 1, `round ${round} has its list`);
    }
  });

  it("runs CommonJS tests in the template's shape: task state maps, the list, and the app on EXPRESS_PORT", async () => {
    const folder = dir as string;
    const port = await freePort();
    const tested = run(process.execPath, ["jest-like.cjs"], folder, { EXPRESS_PORT: String(port) });
    assert.equal(tested.code, 0, tested.out);
    const line = tested.out.split("\n").find((text) => text.startsWith("RESULT ")) as string;
    const { state, list, root } = JSON.parse(line.slice("RESULT ".length));
    const [submission] = Object.values(state.submissions["1"]) as { submission_value: string; slot: number }[];
    assert.match(submission?.submission_value ?? "", /^bafkrei/);
    assert.ok(Number.isInteger(submission?.slot));
    assert.deepEqual(state.submissions_audit_trigger, { "1": {} });
    const [listSubmission] = Object.values(state.distribution_rewards_submission["1"]) as { slot: number }[];
    assert.ok(Number.isInteger(listSubmission?.slot), "a list submission carries its slot");
    const amounts = Object.values(list) as number[];
    assert.equal(amounts.length, 1);
    assert.ok(amounts.every((amount) => Number.isInteger(amount) && amount > 0));
    assert.deepEqual(root, { status: 200, message: "Running" });
  });

  it("a folder without a package.json is refused with a code, not a stack trace", async () => {
    const empty = makeTempDir("koii-link-empty");
    try {
      const refused = await runGradual(["koii", "link", empty], 60_000);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error\[KOII__LINK_NO_PACKAGE\]: .* has no package\.json/m);
      assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");
    } finally {
      removeDir(empty);
    }
  });

  it("--undo restores package.json byte for byte (its CRLF line endings too) and the .gitignore", async () => {
    const folder = dir as string;
    const undone = await runGradual(["koii", "link", folder, "--undo"], 60_000);
    assert.equal(undone.code, 0, undone.stderr);
    const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    assert.equal(pkg.dependencies["@_koii/task-manager"], "^1.0.11");
    assert.equal(pkg.gradualKoiiLink, undefined);
    assert.ok(readFileSync(join(folder, "package.json")).equals(originalPackage as Buffer), "package.json as it was");
    const ignore = join(folder, ".gitignore");
    if (originalIgnore === undefined) assert.equal(existsSync(ignore), false, "no .gitignore, as before");
    else assert.ok(readFileSync(ignore).equals(originalIgnore), ".gitignore as it was");
    assert.equal(existsSync(join(folder, ".gradual")), false);
  });
});
