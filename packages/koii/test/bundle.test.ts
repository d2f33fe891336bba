import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { createProof, type TaskContext, type TaskDefinition } from "@gradual/sdk";
import { BundleError, bundleTask } from "@gradual/sdk/bundle";
import { base58 } from "@scure/base";
import nacl from "tweetnacl";
import { buildKoiiTask } from "../src/build/buildKoiiTask.ts";
import { accountToKoiiKey } from "../src/keys.ts";
import { A, B, C, chainFixture } from "./chainFixture.ts";
import {
  fakeContext,
  fakeNodeKey,
  type LogLine,
  memoryStore,
  routeServer,
  TASK_ID,
  tableLedger,
} from "./fakeContext.ts";

/**
 * Koii task folders bundled by buildKoiiTask and loaded as gradual tasks: the example folders and small folders made
 * here for the edge cases. Each load is a fresh module, as each node's sandbox is.
 */

const EXAMPLES = new URL("../../../examples/koii/", import.meta.url);
const work = mkdtempSync(join(tmpdir(), "gradual-koii-bundle-"));
after(() => rmSync(work, { recursive: true, force: true }));
let loads = 0;

async function load(folder: string): Promise<TaskDefinition> {
  const built = await buildKoiiTask(folder);
  loads += 1;
  const file = join(work, `${built.hash}-${loads}.mjs`);
  writeFileSync(file, built.code);
  return ((await import(pathToFileURL(file).href)) as { default: TaskDefinition }).default;
}

const example = (name: string) => new URL(name, EXAMPLES).pathname;

/** A Koii task folder with the given files (paths relative to it); config-task.yml from hello-world unless given. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, "task-"));
  const all = { "config-task.yml": readFileSync(join(example("hello-world"), "config-task.yml"), "utf8"), ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const TEMPLATE_INDEX = `
import { initializeTaskManager } from "@_koii/task-manager";
import * as fns from "./task.js";
initializeTaskManager({ ...fns });
`;

function taskFile(submission: string, extra = ""): string {
  return `
import { namespaceWrapper, app } from "@_koii/task-manager/namespace-wrapper";
${extra}
export async function setup() {}
export async function task(round) { await namespaceWrapper.storeSet("r" + round, "done " + round); }
export async function submission(round) { ${submission} }
export async function audit(value, round, key) { return undefined; }
export async function distribution(submitters, bounty, round) { return {}; }
export async function routes() {}
`;
}

const submitters = [A, B, C].map((account) => ({ account, weight: 20_000_000_000n, proofDigest: "00".repeat(32) }));

async function work2(definition: TaskDefinition, ctx: TaskContext): Promise<unknown> {
  await definition.task(ctx);
  return definition.submission(ctx);
}

describe("Koii task bundles", { timeout: 60_000 }, () => {
  it("hello-world runs as Koii's template does: task, submission, audit, distribution, routes", async () => {
    const definition = await load(example("hello-world"));
    const store = memoryStore();
    const ledger = chainFixture();
    const ctx = (cycle: number) => fakeContext({ store, ledger, cycle });
    await definition.setup?.(ctx(1));
    assert.equal(await work2(definition, ctx(2)), "Hello, World!");
    assert.equal(await definition.audit(ctx(2), createProof(new TextEncoder().encode("Hello, World!")), B), true);
    assert.equal(await definition.audit(ctx(2), createProof(new TextEncoder().encode("Goodbye")), B), false);
    // Cycle 5 of the fixture has no proof trigger: every submitter has 1 vote and the bounty is shared.
    const list = await definition.distribution?.(ctx(5), submitters, 10_000_000_000n);
    assert.deepEqual(
      list,
      [A, B, C].map((recipient) => ({ recipient, amount: 3_333_333_333n })),
    );
    const serve = routeServer(definition, ctx(5));
    const value = await serve({ path: "/value" });
    assert.equal(value.status, 200);
    assert.deepEqual(JSON.parse(String(value.body)), { value: "Hello, World!" });
    assert.match(String(value.headers?.["content-type"]), /application\/json/);
    assert.deepEqual(JSON.parse(String((await serve({ path: "/" })).body)), { status: 200, message: "Running" });
    const state = JSON.parse(String((await serve({ path: "/taskState" })).body)) as Record<string, unknown>;
    assert.equal(state.task_name, "fixture");
    assert.equal((await serve({ path: "/missing/page" })).status, 404);
  });

  it("hello-world's distribution with a voted-down submitter gives it 0 (Koii's votes)", async () => {
    const definition = await load(example("hello-world"));
    const log: LogLine[] = [];
    const ctx = fakeContext({ ledger: chainFixture(), cycle: 4, log });
    // In cycle 4 B's proof trigger has votes valid, invalid, invalid: B has -1 votes, and the template slashes it.
    const list = await definition.distribution?.(ctx, submitters, 10_000_000_000n);
    assert.deepEqual(list, [
      { recipient: A, amount: 5_000_000_000n },
      { recipient: C, amount: 5_000_000_000n },
    ]);
    assert.ok(log.some((line) => line.level === "warn" && /slashes .* gradual cannot slash/.test(line.message)));
  });

  it("signed-rounds keeps each round's signed payload apart, even when rounds overlap", async () => {
    const definition = await load(example("signed-rounds"));
    const key = fakeNodeKey();
    const store = memoryStore();
    const ledger = tableLedger({ [`/tasks/${TASK_ID}`]: { task: {}, slot: 300, round: 7 } });
    const ctx = (cycle: number) => fakeContext({ key, store, ledger, cycle });
    await definition.setup?.(ctx(5));
    await Promise.all([definition.task(ctx(5)), definition.task(ctx(6))]);
    const five = String(await definition.submission(ctx(5)));
    const six = String(await definition.submission(ctx(6)));
    assert.notEqual(five, six);
    assert.ok(Buffer.byteLength(five) <= 512);
    // An auditor checks the signature against the submitter's key and the round.
    const auditor = fakeContext({ ledger, cycle: 5 });
    assert.equal(await definition.audit(auditor, createProof(new TextEncoder().encode(five)), key.account), true);
    assert.equal(
      await definition.audit({ ...auditor, cycle: 6 }, createProof(new TextEncoder().encode(five)), key.account),
      false,
    );
    assert.equal(await definition.audit(auditor, createProof(new TextEncoder().encode(five)), A), false);
    const serve = routeServer(definition, ctx(5));
    const body = JSON.parse(String((await serve({ path: "/rounds/6" })).body)) as { signed: string; signer: string };
    assert.equal(body.signed, six);
    assert.equal(body.signer, accountToKoiiKey(key.account));
  });

  it("with-routes: TypeScript sources, task variables, files, GET and POST routes", async () => {
    const definition = await load(example("with-routes"));
    const ledger = chainFixture();
    await assert.rejects(
      Promise.resolve(definition.setup?.(fakeContext({ ledger }))),
      /missing task variable\(s\) GREETING .*--task-var GREETING=VALUE/,
    );
    const store = memoryStore();
    const ctx = (cycle: number) => fakeContext({ store, ledger, cycle, config: { GREETING: "Hej" } });
    const base = ctx(3);
    await definition.setup?.(base);
    assert.equal(await work2(definition, { ...base, cycle: 3 }), "Hej from round 3");
    assert.equal(await definition.audit(ctx(3), createProof(new TextEncoder().encode("Hej from round 3")), A), true);
    const serve = routeServer(definition, base);
    assert.equal((await serve({ path: "/rounds/3" })).body, "Hej from round 3");
    assert.equal((await serve({ path: "/rounds/9" })).status, 404);
    const echo = await serve({
      method: "POST",
      path: "/echo",
      query: { q: "1" },
      headers: { "content-type": "application/json", "content-length": "999" },
      body: JSON.stringify({ hello: ["koii", 1] }),
    });
    assert.deepEqual(JSON.parse(String(echo.body)), { received: { hello: ["koii", 1] }, query: { q: "1" } });
    const state = JSON.parse(String((await serve({ path: "/state" })).body));
    assert.deepEqual(state, { name: "fixture", round: 6, stakers: 3, bountyPerRound: 10_000_000_000 });
  });

  it("bad-distribution's lists pay nobody, each with the reason", async () => {
    const definition = await load(example("bad-distribution"));
    const reasons = [/not an integer/, /not every submitter is in the list/, /more than the bounty/];
    for (const [cycle, reason] of [
      [4, reasons[0]],
      [5, reasons[1]],
      [6, reasons[2]],
    ] as const) {
      const log: LogLine[] = [];
      const ledger = tableLedger({ [`/tasks/${TASK_ID}/cycles/${cycle}`]: { cycle, triggers: [], distributions: [] } });
      const list = await definition.distribution?.(fakeContext({ ledger, cycle, log }), submitters, 10_000_000_000n);
      assert.deepEqual(list, [], `cycle ${cycle} pays nobody`);
      assert.ok(
        log.some((line) => reason?.test(line.message) && /pays nobody/.test(line.message)),
        `cycle ${cycle}: ${reason}`,
      );
    }
  });

  it("@_koii/web3.js: PublicKey round-trips base58, Keypair signs what tweetnacl verifies, Connection says why not", async () => {
    const dir = folder({
      "src/index.js": TEMPLATE_INDEX,
      "src/task.js": taskFile(
        `const key = new PublicKey(TASK_ID);
         const pair = Keypair.generate();
         const again = Keypair.fromSecretKey(pair.secretKey);
         let connection = "";
         try { new Connection("https://testnet.koii.network"); } catch (error) { connection = error.message; }
         const signed = await namespaceWrapper.payloadSigning({ n: 1 }, pair.secretKey);
         return JSON.stringify({
           roundTrip: key.toBase58() === TASK_ID && new PublicKey(key.toBytes()).equals(key),
           same: again.publicKey.equals(pair.publicKey),
           old: OldPublicKey === PublicKey,
           publicKey: pair.publicKey.toBase58(),
           signed,
           connection,
           unit: LAMPORTS_PER_SOL,
         });`,
        `import { TASK_ID } from "@_koii/task-manager/namespace-wrapper";
         import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@_koii/web3.js";
         import { PublicKey as OldPublicKey } from "@_koi/web3.js";`,
      ),
    });
    const definition = await load(dir);
    const result = JSON.parse(String(await work2(definition, fakeContext()))) as Record<string, unknown>;
    assert.equal(result.roundTrip, true);
    assert.equal(result.same, true);
    assert.equal(result.old, true, "the old package name is the same module");
    assert.equal(result.unit, 1_000_000_000);
    assert.match(String(result.connection), /new Connection\(\) has no meaning on gradual: gradual has no K2 chain/);
    const opened = nacl.sign.open(base58.decode(String(result.signed)), base58.decode(String(result.publicKey)));
    assert.ok(opened !== null, "tweetnacl verifies what a web3.js Keypair signed");
    assert.equal(new TextDecoder().decode(opened), JSON.stringify({ n: 1 }));
  });

  it("TASK_ID is the task id in base58, as Koii code expects of a public key", async () => {
    const dir = folder({
      "src/index.js": TEMPLATE_INDEX,
      "src/task.js": taskFile("return TASK_ID;", `import { TASK_ID } from "@_koii/task-manager/namespace-wrapper";`),
    });
    const definition = await load(dir);
    assert.equal(await work2(definition, fakeContext()), accountToKoiiKey(TASK_ID));
  });

  it("resolves both namespace-wrapper import paths to one wrapper and one app", async () => {
    const dir = folder({
      "src/index.js": TEMPLATE_INDEX,
      "src/task.js": taskFile(
        "return String(a === b && appA === appB && a === namespaceWrapper);",
        `import { namespaceWrapper as a, app as appA } from "@_koii/namespace-wrapper";
         import { namespaceWrapper as b, app as appB } from "@_koii/task-manager/namespace-wrapper";`,
      ),
    });
    const definition = await load(dir);
    assert.equal(await work2(definition, fakeContext()), "true");
  });

  it("submits nothing for a value that is not a string (no error) or is over 512 bytes (an error)", async () => {
    const long = await load(
      folder({ "src/index.js": TEMPLATE_INDEX, "src/task.js": taskFile('return "é".repeat(257);') }),
    );
    await assert.rejects(
      Promise.resolve(work2(long, fakeContext({ cycle: 4 }))),
      /submission\(4\) is 514 bytes; Koii allows at most 512/,
    );
    const none = await load(folder({ "src/index.js": TEMPLATE_INDEX, "src/task.js": taskFile("return undefined;") }));
    const logged: string[] = [];
    const context = fakeContext({ cycle: 2 });
    const quiet = { ...context, log: { ...context.log, info: (message: string) => void logged.push(message) } };
    assert.equal(await work2(none, quiet), null, "Koii's task manager submits nothing, and nothing fails");
    assert.match(logged.join("\n"), /submission\(2\) returned undefined, not a string: nothing is submitted/);
    const exact = await load(
      folder({ "src/index.js": TEMPLATE_INDEX, "src/task.js": taskFile('return "x".repeat(512);') }),
    );
    assert.equal(String(await work2(exact, fakeContext())).length, 512);
  });

  it("counts an audit that returns nothing as valid", async () => {
    const definition = await load(folder({ "src/index.js": TEMPLATE_INDEX, "src/task.js": taskFile('return "v";') }));
    assert.equal(await definition.audit(fakeContext(), createProof(new Uint8Array([1])), A), true);
  });

  it("fails to load with Koii's message when a function is missing", async () => {
    const dir = folder({
      "src/index.js": `import { initializeTaskManager } from "@_koii/task-manager";
        initializeTaskManager({ setup() {}, task() {}, submission() {}, distribution() {}, routes() {} });`,
    });
    await assert.rejects(load(dir), /Missing required function: audit\(\)/);
  });

  it("refuses Koii packages it does not provide at build time, and stubs Orca with a clear error", async () => {
    const other = folder({ "src/index.js": `import { x } from "@_koii/create-task-cli";\nconsole.log(x);` });
    await assert.rejects(
      buildKoiiTask(other),
      /@_koii\/create-task-cli is not part of gradual's Koii compatibility layer/,
    );
    const orca = await load(
      folder({
        "src/index.js": TEMPLATE_INDEX,
        "src/task.js": taskFile(
          "try { await getOrcaClient(); return 'no error'; } catch (error) { return String(error.message); }",
          'import { getOrcaClient } from "@_koii/task-manager/extensions";',
        ),
      }),
    );
    assert.match(String(await work2(orca, fakeContext())), /getOrcaClient has no meaning on gradual/);
  });

  it("says a task without src/index is not in the template's shape", async () => {
    const dir = folder({ "index.js": "console.log('old shape')" });
    await assert.rejects(buildKoiiTask(dir), /has no src\/index.ts or src\/index.js.*initializeTaskManager/);
  });

  it("bundles through the SDK's bundler: its error codes and hints, and one esbuild service with bundleTask", async () => {
    const missing = folder({ "src/index.js": 'import "gradual-no-such-package";\n' });
    await assert.rejects(
      buildKoiiTask(missing),
      (error: unknown) =>
        error instanceof BundleError &&
        error.code === "BUNDLE__UNRESOLVED_IMPORT" &&
        error.message.startsWith(`cannot bundle Koii task ${missing}:`) &&
        error.message.includes(`next: install gradual-no-such-package for the task: cd ${missing} &&`),
    );
    const first = await buildKoiiTask(example("hello-world"));
    // bundleTask stops esbuild's service when its last build ends; a Koii build after it must start a new one
    // (with a second esbuild configuration of its own, it waited forever on the stopped service).
    await bundleTask({ contents: "export default 1;\n", resolveDir: work, sourcefile: "plain.js" });
    const second = await buildKoiiTask(example("hello-world"));
    assert.equal(second.hash, first.hash);
  });

  it("bundles Koii's API from the shims only: nothing of the node, the ledger or the local runs", async () => {
    // The Koii layer's local runs (koiiLocalNetwork.ts, linked/) import @gradual/node and @gradual/ledger; a task
    // bundle runs in a node's sandbox and must carry neither (no SQLite, no HTTP server, no second protocol copy).
    const built = await buildKoiiTask(example("peer-check"));
    const forbidden = built.inputs.filter((input) =>
      /packages\/(node|ledger)\/|better-sqlite3|koii\/(src|dist)\/(koiiLocalNetwork|linked\/)/.test(input),
    );
    assert.deepEqual(forbidden, []);
    assert.ok(built.inputs.some((input) => /koii\/(src|dist)\/shims\/namespaceWrapper/.test(input)));
    assert.ok(built.bytes < 1_600_000, `${built.bytes} bytes`);
  });

  it("builds the same bytes twice", async () => {
    const [first, second] = await Promise.all([
      buildKoiiTask(example("hello-world")),
      buildKoiiTask(example("hello-world")),
    ]);
    assert.equal(first.hash, second.hash);
  });
});
