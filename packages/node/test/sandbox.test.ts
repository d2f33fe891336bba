import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { encodeProof, type JsonValue, type Submitter } from "@gradual/sdk";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { failureCode } from "../src/sandbox/codes.ts";
import { createInProcessTaskRunner } from "../src/sandbox/inProcessRunner.ts";
import { createSandboxedTaskRunner, SANDBOX_FOLDER_PREFIX } from "../src/sandbox/sandboxedRunner.ts";
import type { TaskLimits, TaskRunner } from "../src/sandbox/types.ts";
import { MAX_HOST_REQUESTS_IN_FLIGHT, WorkerConnection } from "../src/sandbox/workerConnection.ts";
import { workerScriptPath } from "../src/sandbox/workerScript.ts";
import { recordScratchOwner } from "../src/scratchFolders.ts";
import { createFakeHost, type FakeHost } from "./fakeHost.ts";
import honestTask from "./fixtures/honestTask.ts";
import misbehavingTask from "./fixtures/misbehavingTask.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const LIMITS: TaskLimits = { memoryMb: 32, callTimeoutMs: 1_500, maxProofBytes: 1_024 };
/** Every test ends well within this, in ms: a start (under a second) plus a few calls of at most callTimeoutMs. */
const BOUND = { timeout: 20_000 };

const ALICE = "a".repeat(64);
const BOB = "b".repeat(64);
const SUBMITTERS: readonly Submitter[] = [
  { account: ALICE, weight: 1n, proofDigest: "0".repeat(64) },
  { account: BOB, weight: 3n, proofDigest: "0".repeat(64) },
];

let bundleDir = "";
const bundles = { honest: "", misbehaving: "" };

before(async () => {
  bundleDir = await mkdtemp(path.join(tmpdir(), "gradual-sandbox-test-"));
  for (const name of ["honest", "misbehaving"] as const) {
    const { code } = await bundleTask(path.join(FIXTURES, `${name}Task.ts`));
    bundles[name] = await writeBundleFile(code, { directory: bundleDir });
  }
});

after(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** The checks every runner must pass on the honest task, sandboxed or not. */
function honestBehaviour(start: (fake: FakeHost) => Promise<TaskRunner>) {
  let fake: FakeHost;
  let runner: TaskRunner;
  before(async () => {
    fake = createFakeHost({ greeting: "hi" });
    runner = await start(fake);
  });
  after(() => runner.close());

  test("setup runs with the host's store", BOUND, async () => {
    assert.deepEqual(await runner.setup(), { ok: true, value: undefined });
    assert.equal(fake.store.get("setups"), 1);
  });

  test("work runs task then submission and returns the encoded proof", BOUND, async () => {
    const result = await runner.work(3, 4);
    assert.ok(result.ok, JSON.stringify(result));
    const stored = fake.store.get("result/3");
    assert.deepEqual(result.value, encodeProof(stored ?? null));
    assert.deepEqual(json(result.value), {
      square: 9,
      signature: (stored as { signature: string }).signature,
      slot: 42,
      greeting: "hi",
    });
    assert.equal(fake.signatures(), 1);
    assert.deepEqual(fake.logs.at(-1), { level: "info", message: "worked", fields: { cycle: 3 } });
  });

  test("audit accepts a good proof and rejects a wrong one", BOUND, async () => {
    assert.deepEqual(await runner.audit(3, 4, encodeProof({ square: 9 }), ALICE), { ok: true, value: true });
    assert.deepEqual(await runner.audit(3, 4, encodeProof({ square: 10 }), ALICE), { ok: true, value: false });
  });

  test("distribution is checked and sorted by recipient", BOUND, async () => {
    const result = await runner.distribution(3, 5, SUBMITTERS, 100n);
    assert.deepEqual(result, {
      ok: true,
      value: [
        { recipient: ALICE, amount: 25n },
        { recipient: BOB, amount: 75n },
      ],
    });
  });

  test("routes match methods and :params, see the host, and answer 404 otherwise", BOUND, async () => {
    const request = { method: "GET", path: "/results/3", query: {}, headers: {}, body: "" };
    const found = await runner.route(request);
    assert.deepEqual(found.body, fake.store.get("result/3"));
    assert.equal((await runner.route({ ...request, path: "/results/99" })).status, 404);
    const echo = await runner.route({ ...request, method: "post", path: "/echo/", query: { a: "1" }, body: "ping" });
    assert.deepEqual(echo, {
      status: 201,
      headers: { "x-round": "7" },
      body: { body: "ping", query: { a: "1" }, cycle: null },
    });
    assert.deepEqual(await runner.route({ ...request, path: "/nowhere" }), { status: 404 });
    assert.deepEqual(await runner.route({ ...request, method: "DELETE", path: "/echo" }), { status: 404 });
  });

  test("PUT and DELETE routes; bytes in as bodyBase64 and out unchanged; HEAD uses the GET route", BOUND, async () => {
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0x80, 0xfe]);
    const base = { query: {}, headers: {}, body: bytes.toString("utf8") };
    const put = { ...base, method: "PUT", path: "/files/a", bodyBase64: bytes.toString("base64") };
    assert.equal((await runner.route(put)).status, 201);
    const got = await runner.route({ ...base, method: "GET", path: "/files/a", body: "" });
    assert.deepEqual(Buffer.from(got.bodyBase64 ?? "", "base64"), bytes);
    assert.equal((await runner.route({ ...base, method: "HEAD", path: "/files/a", body: "" })).status, undefined);
    assert.equal((await runner.route({ ...base, method: "DELETE", path: "/files/a", body: "" })).status, 204);
    assert.equal((await runner.route({ ...base, method: "GET", path: "/files/a", body: "" })).status, 404);
    const both = await runner.route({ ...base, method: "GET", path: "/both", body: "" });
    assert.equal(both.status, 500);
    assert.match(JSON.stringify(both.body), /either body or bodyBase64/);
  });

  test("a host error reaches task code as a rejection with its message", BOUND, async () => {
    const request = { method: "GET", path: "/ledger/missing", query: {}, headers: {}, body: "" };
    assert.deepEqual(await runner.route(request), { status: 502, body: { error: "ledger: no route /missing" } });
  });
}

describe("sandboxed runner, honest task", () => {
  honestBehaviour((fake) => createSandboxedTaskRunner({ bundlePath: bundles.honest, host: fake.host, limits: LIMITS }));
});

test(
  "a sandboxed runner's folder is its node's scratch folder: removed at close, or by the next runner if the node died",
  BOUND,
  async () => {
    // The folder of a node that was killed before it closed its runner: owned by a process that is gone.
    const gone = spawnSync(process.execPath, ["-e", ""]);
    const orphan = await mkdtemp(path.join(tmpdir(), SANDBOX_FOLDER_PREFIX));
    await mkdir(path.join(orphan, "data"));
    await recordScratchOwner(orphan, gone.pid as number);
    const before = new Set((await readdir(tmpdir())).filter((name) => name.startsWith(SANDBOX_FOLDER_PREFIX)));
    const fake = createFakeHost({ greeting: "hi" });
    const runner = await createSandboxedTaskRunner({ bundlePath: bundles.honest, host: fake.host, limits: LIMITS });
    let closed = false;
    try {
      assert.equal(existsSync(orphan), false, "the dead node's sandbox folder is removed");
      const made = (await readdir(tmpdir())).filter(
        (name) => name.startsWith(SANDBOX_FOLDER_PREFIX) && !before.has(name),
      );
      const mine = made
        .map((name) => path.join(tmpdir(), name))
        .filter((dir) => existsSync(path.join(dir, "task.mjs")));
      assert.equal(mine.length >= 1, true, "the runner made its folder");
      await runner.close();
      closed = true;
      assert.ok(
        mine.some((dir) => !existsSync(dir)),
        "the runner removes its folder at close",
      );
    } finally {
      if (!closed) await runner.close();
    }
  },
);

describe("in-process runner, honest task", () => {
  honestBehaviour(async (fake) => createInProcessTaskRunner(honestTask, fake.host, LIMITS));
});

describe("sandboxed runner, misbehaving task", () => {
  let fake: FakeHost;
  let runner: TaskRunner;
  before(async () => {
    fake = createFakeHost();
    runner = await createSandboxedTaskRunner({ bundlePath: bundles.misbehaving, host: fake.host, limits: LIMITS });
    assert.ok((await runner.setup()).ok);
  });
  after(() => runner.close());

  test("a throw fails only its call; the worker stays", BOUND, async () => {
    const result = await runner.work(2, 2);
    assert.deepEqual(result, { ok: false, reason: "threw", message: "boom in cycle 2" });
    assert.ok((await runner.work(10, 10)).ok);
    assert.equal(fake.store.get("setups"), 1, "no new worker, so no second setup");
  });

  test("a busy loop times out, the worker is replaced and setup re-runs", BOUND, async () => {
    const started = performance.now();
    const result = await runner.work(1, 1);
    assert.equal(result.ok ? "ok" : result.reason, "timeout");
    assert.ok(performance.now() - started < LIMITS.callTimeoutMs + 1_000, "reported on time");
    assert.deepEqual(await runner.work(10, 10), { ok: true, value: encodeProof({ cycle: 10 }) });
    assert.equal(fake.store.get("setups"), 2);
  });

  test(
    "an audit that never settles times out; its process, only waiting, is kept and the next call works",
    BOUND,
    async () => {
      const setups = fake.store.get("setups") as number;
      const result = await runner.audit(1, 2, new Uint8Array(), "d".repeat(64));
      assert.equal(result.ok ? "ok" : result.reason, "timeout");
      assert.deepEqual(await runner.audit(9, 10, new Uint8Array(), "d".repeat(64)), { ok: true, value: true });
      assert.equal(fake.store.get("setups"), setups, "the process answered the node's ping, so it was not restarted");
    },
  );

  test("unbounded allocation ends in out-of-memory; the parent survives and the next call works", BOUND, async () => {
    // Its own runner with a long work limit: on a loaded machine filling the heap can take longer than 1.5 s, and
    // this test is about the memory limit, not the clock.
    const own = createFakeHost();
    const limits = { ...LIMITS, workTimeoutMs: 15_000 };
    const allocating = await createSandboxedTaskRunner({ bundlePath: bundles.misbehaving, host: own.host, limits });
    try {
      assert.ok((await allocating.setup()).ok);
      const result = await allocating.work(3, 3);
      assert.equal(result.ok ? "ok" : result.reason, "out-of-memory");
      assert.ok((await allocating.work(10, 10)).ok);
      assert.equal(own.store.get("setups"), 2);
    } finally {
      await allocating.close();
    }
  });

  test("a proof over maxProofBytes is refused", BOUND, async () => {
    const result = await runner.work(4, 4);
    assert.equal(result.ok ? "ok" : result.reason, "proof-too-large");
    assert.match(result.ok ? "" : result.message, /10000 bytes.*at most 1024/);
  });

  test("a submission that is not bytes, a string or JSON is an invalid result", BOUND, async () => {
    const result = await runner.work(5, 5);
    assert.equal(result.ok ? "ok" : result.reason, "invalid-result");
  });

  test("a submission of null submits nothing: its own outcome, not a fault", BOUND, async () => {
    const result = await runner.work(6, 6);
    assert.equal(result.ok ? "ok" : result.reason, "nothing-submitted");
    assert.equal(result.ok ? "" : failureCode(result), "TASK__NOTHING_SUBMITTED");
  });

  test("an audit that returns a non-boolean is an invalid result", BOUND, async () => {
    const result = await runner.audit(2, 3, new Uint8Array(), "d".repeat(64));
    assert.equal(result.ok ? "ok" : result.reason, "invalid-result");
  });

  test("junk distributions are invalid results; a good one comes back sorted", BOUND, async () => {
    const submitters = [...SUBMITTERS];
    for (const cycle of [1, 2, 3, 4, 5, 6, 7]) {
      const result = await runner.distribution(cycle, cycle + 2, submitters, 10n);
      assert.equal(result.ok ? "ok" : result.reason, "invalid-result", `cycle ${cycle}`);
    }
    assert.deepEqual(await runner.distribution(8, 10, submitters, 10n), {
      ok: true,
      value: [
        { recipient: ALICE, amount: 2n },
        { recipient: BOB, amount: 1n },
      ],
    });
  });

  test("a worker that exits answers 503 and the next route call works", BOUND, async () => {
    const request = { method: "GET", path: "/exit", query: {}, headers: {}, body: "" };
    const response = await runner.route(request);
    assert.equal(response.status, 503);
    assert.deepEqual(await runner.route({ ...request, path: "/missing" }), { status: 404 });
  });

  test("a route body that is not JSON is a 500", BOUND, async () => {
    const response = await runner.route({ method: "GET", path: "/bigint", query: {}, headers: {}, body: "" });
    assert.equal(response.status, 500);
    assert.equal((response.body as { error: string }).error, "invalid-result");
  });

  test("requests to the node beyond the in-flight cap are refused, not queued", BOUND, async () => {
    // Every write waits until the task's line after the 400 writes ("flood sent") has reached the node: no write
    // finishes while they arrive, whatever the timing, so exactly MAX_HOST_REQUESTS_IN_FLIGHT of them are served.
    const slow = createFakeHost();
    const set = slow.host.store.set;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const host = {
      ...slow.host,
      store: { ...slow.host.store, set: (key: string, value: JsonValue) => gate.then(() => set(key, value)) },
      log: {
        ...slow.host.log,
        info: (message: string, fields?: Record<string, JsonValue>) => {
          if (message === "flood sent") open();
          slow.host.log.info(message, fields);
        },
      },
    };
    const flooded = await createSandboxedTaskRunner({ bundlePath: bundles.misbehaving, host, limits: LIMITS });
    try {
      const response = await flooded.route({ method: "GET", path: "/flood", query: {}, headers: {}, body: "" });
      assert.deepEqual(response.body, {
        refused: 400 - MAX_HOST_REQUESTS_IN_FLIGHT,
        message: `GradualError: store.set: more than ${MAX_HOST_REQUESTS_IN_FLIGHT} requests in flight; await them`,
        code: "NODE__HOST_CALLS_IN_FLIGHT",
      });
    } finally {
      await flooded.close();
    }
  });

  test("after close every call fails with crashed", BOUND, async () => {
    const closing = await createSandboxedTaskRunner({
      bundlePath: bundles.misbehaving,
      host: fake.host,
      limits: LIMITS,
    });
    await closing.close();
    const result = await closing.work(10, 10);
    assert.equal(result.ok ? "ok" : result.reason, "crashed");
  });
});

describe("worker connection", () => {
  test("a timed-out call really ends the worker thread, and other calls in flight fail", BOUND, async () => {
    const { host } = createFakeHost();
    const connection = new WorkerConnection({
      scriptPath: await workerScriptPath(),
      init: { bundleUrl: pathToFileURL(bundles.misbehaving).href, taskId: host.taskId, node: host.node, config: {} },
      host,
      memoryMb: LIMITS.memoryMb,
      startTimeoutMs: 10_000,
    });
    await connection.ready;
    const other = connection.call(
      { kind: "audit", cycle: 1, round: 2, proof: new Uint8Array(), submitter: ALICE },
      5_000,
    );
    const hung = await connection.call({ kind: "work", cycle: 1, round: 1 }, 300);
    assert.equal(hung.ok ? "ok" : hung.reason, "timeout");
    assert.equal(connection.alive, false);
    assert.equal(typeof (await connection.exited), "number", "the busy thread was terminated");
    const result = await other;
    assert.equal(result.ok ? "ok" : result.reason, "crashed");
    assert.match(result.ok ? "" : result.message, /another call timed out/);
  });
});

describe("sandboxed runner, bundles that cannot run", () => {
  test("a bundle whose default export is not a task is refused with a clear error", BOUND, async () => {
    const file = path.join(bundleDir, "not-a-task.mjs");
    await writeFile(file, "export default { hello: 1 };\n");
    const { host } = createFakeHost();
    await assert.rejects(
      createSandboxedTaskRunner({ bundlePath: file, host, limits: LIMITS }),
      /cannot load task bundle .*not-a-task\.mjs: .*default export must be defineTask/,
    );
  });

  test("a missing bundle file is refused", BOUND, async () => {
    const { host } = createFakeHost();
    await assert.rejects(
      createSandboxedTaskRunner({ bundlePath: path.join(bundleDir, "missing.mjs"), host, limits: LIMITS }),
      /task bundle .*missing\.mjs: ENOENT/,
    );
  });
});

describe("in-process runner, misbehaving task", () => {
  const fake = createFakeHost();
  const runner = createInProcessTaskRunner(misbehavingTask, fake.host, { ...LIMITS, callTimeoutMs: 300 });

  test("a throw is reported with its message", BOUND, async () => {
    assert.deepEqual(await runner.work(2, 2), { ok: false, reason: "threw", message: "boom in cycle 2" });
  });

  test("an audit that never settles times out (Promise.race) and the next call works", BOUND, async () => {
    const result = await runner.audit(1, 2, new Uint8Array(), "d".repeat(64));
    assert.equal(result.ok ? "ok" : result.reason, "timeout");
    assert.deepEqual(await runner.audit(9, 10, new Uint8Array(), "d".repeat(64)), { ok: true, value: true });
  });

  test("the same result checks apply", BOUND, async () => {
    const reasons = [await runner.work(4, 4), await runner.work(5, 5), await runner.distribution(2, 4, SUBMITTERS, 9n)];
    assert.deepEqual(
      reasons.map((result) => (result.ok ? "ok" : result.reason)),
      ["proof-too-large", "invalid-result", "invalid-result"],
    );
  });
});
