/**
 * The node's durable memory and outbox (packages/node/src/runtime/nodeStore.ts): what decide relies on survives a
 * crash and a reopen of the same files; a salt, a verdict and an outbox nonce never change once written; a damaged
 * file is refused with a clear error instead of being read as a wrong memory. Then the outbox through a restart of
 * a real node: a transaction recorded before the crash is sent again or recognised as landed, never twice under two
 * nonces.
 */
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { generateKeyPair, type KeyPair } from "@gradual/ledger";
import {
  getCycleWindows,
  getNode,
  getReveal,
  getTask,
  type Hash,
  listRoot,
  sha256Hex,
  type TaskRecord,
} from "@gradual/protocol";
import { defineTask } from "@gradual/sdk";
import Database from "better-sqlite3";
import type { ListRecord, WorkRecord } from "../src/decide.ts";
import { NodeStore, NodeStoreError, type OutboxEntry } from "../src/runtime/nodeStore.ts";
import { startTestLedger, type TestLedger } from "./support/testLedger.ts";
import {
  createTestTask,
  describeTxs,
  runTo,
  sentBy,
  startTestNode,
  type TestNode,
  waitFor,
} from "./support/testNode.ts";

const root = mkdtempSync(join(tmpdir(), "gradual-nodestore-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function freshDir(): string {
  dirs += 1;
  return join(root, `store-${dirs}`);
}

const PROOF = new TextEncoder().encode('{"answer":42}');
const WORK: WorkRecord = { status: "done", proofDigest: sha256Hex(PROOF), salt: "5a".repeat(32) };
const ENTRIES = [
  { recipient: "0a".repeat(32), amount: 7n },
  { recipient: "0b".repeat(32), amount: 2n ** 70n },
];
const LIST: ListRecord = { entries: ENTRIES, root: listRoot(ENTRIES) };

function outgoing(nonce: number, key: string): OutboxEntry {
  return { nonce, key, hash: sha256Hex(`tx ${nonce}`), envelope: JSON.stringify({ tx: { nonce }, signature: key }) };
}

/** A store holding one of everything decide reads, closed. */
function filled(dir = freshDir()): string {
  const store = new NodeStore(dir);
  store.saveWork(3, WORK, PROOF);
  store.saveWork(4, { status: "failed", reason: "SANDBOX__TIMEOUT: too slow" }, null);
  store.saveVerdict(`3/${"0a".repeat(32)}`, "invalid");
  store.saveVerdict(`3/${"0b".repeat(32)}`, "valid");
  store.saveList("3/0", LIST);
  store.saveOutgoing(outgoing(0, "stake/initial"));
  store.saveOutgoing(outgoing(1, "commit/3"));
  store.setMeta("version", "1");
  store.close();
  return dir;
}

/** The memory and outbox a reopened store gives. */
function snapshot(store: NodeStore) {
  return {
    work: [...store.memory.work],
    verdicts: [...store.memory.verdicts],
    lists: [...store.memory.lists],
    done: [...store.memory.done].sort(),
    outbox: store.outboxFrom(0),
    lastNonce: store.lastOutboxNonce(),
  };
}

function expectCorrupt(dir: string, pattern: RegExp): void {
  assert.throws(
    () => new NodeStore(dir),
    (error: unknown) => {
      assert.ok(error instanceof NodeStoreError, `a NodeStoreError, got ${String(error)}`);
      assert.equal(error.code, "NODE__STORE_CORRUPT");
      assert.ok(error.message.includes(join(dir, "node.sqlite")), `the message names the file: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

/** Changes one row of a closed store with SQLite itself (the damage a bad disk or a hand edit leaves). */
function edit(dir: string, sql: string, ...values: unknown[]): void {
  const db = new Database(join(dir, "node.sqlite"));
  db.prepare(sql).run(...values);
  db.close();
}

describe("node store: reopening the same files", () => {
  it("gives back everything decide relies on, as it was written", () => {
    const dir = filled();
    const store = new NodeStore(dir);
    try {
      assert.deepEqual(snapshot(store), {
        work: [
          [3, WORK],
          [4, { status: "failed", reason: "SANDBOX__TIMEOUT: too slow" }],
        ],
        verdicts: [
          [`3/${"0a".repeat(32)}`, "invalid"],
          [`3/${"0b".repeat(32)}`, "valid"],
        ],
        lists: [["3/0", LIST]],
        done: ["commit/3", "stake/initial"],
        outbox: [outgoing(0, "stake/initial"), outgoing(1, "commit/3")],
        lastNonce: 1,
      });
      assert.deepEqual(store.proof(WORK.status === "done" ? WORK.proofDigest : ""), { cycle: 3, bytes: PROOF });
      assert.equal(store.getMeta("version"), "1");
      // The ledger consumed nonce 0: only the commit is left to resend.
      assert.deepEqual(
        store.outboxFrom(1).map((entry) => entry.key),
        ["commit/3"],
      );
    } finally {
      store.close();
    }
  });

  it("keeps what a crashed process wrote (its files copied while it was still open)", () => {
    const live = freshDir();
    const store = new NodeStore(live);
    store.saveWork(3, WORK, PROOF);
    store.saveOutgoing(outgoing(0, "commit/3"));
    const crashed = freshDir();
    mkdirSync(crashed);
    for (const file of readdirSync(live)) copyFileSync(join(live, file), join(crashed, file));
    store.close();
    const reopened = new NodeStore(crashed);
    try {
      assert.deepEqual(reopened.memory.work.get(3), WORK);
      assert.deepEqual(
        reopened.outboxFrom(0).map((entry) => entry.key),
        ["commit/3"],
      );
      assert.ok(reopened.memory.done.has("commit/3"));
    } finally {
      reopened.close();
    }
  });

  it("loses a transaction torn by the crash as a whole: never an outbox row without its done mark", () => {
    const live = freshDir();
    const store = new NodeStore(live);
    store.saveOutgoing(outgoing(0, "commit/3"));
    const wal = join(live, "node.sqlite-wal");
    const before = statSync(wal).size;
    store.saveOutgoing(outgoing(1, "reveal/3"));
    const grown = statSync(wal).size;
    assert.ok(grown > before);
    const crashed = freshDir();
    mkdirSync(crashed);
    for (const file of readdirSync(live)) copyFileSync(join(live, file), join(crashed, file));
    store.close();
    // The crash cut the last write short: its last frame (the commit record) is incomplete.
    truncateSync(join(crashed, "node.sqlite-wal"), grown - 100);
    const reopened = new NodeStore(crashed);
    try {
      assert.deepEqual(
        reopened.outboxFrom(0).map((entry) => entry.key),
        ["commit/3"],
      );
      assert.deepEqual([...reopened.memory.done], ["commit/3"]);
    } finally {
      reopened.close();
    }
  });
});

describe("node store: what is written once stays", () => {
  it("a cycle's proof and salt cannot be replaced (a second reveal could not open the commit)", () => {
    const dir = freshDir();
    const store = new NodeStore(dir);
    store.saveWork(3, WORK, PROOF);
    const other = new TextEncoder().encode("another proof");
    assert.throws(() =>
      store.saveWork(3, { status: "done", proofDigest: sha256Hex(other), salt: "6b".repeat(32) }, other),
    );
    assert.deepEqual(store.memory.work.get(3), WORK);
    assert.equal(store.proof(sha256Hex(other)), undefined, "the failed save left nothing behind");
    store.close();
    const reopened = new NodeStore(dir);
    assert.deepEqual(reopened.memory.work.get(3), WORK);
    reopened.close();
  });

  it("a verdict is kept as first found (a node never votes two ways, protocol.md §5.4)", () => {
    const dir = freshDir();
    const store = new NodeStore(dir);
    const key = `3/${"0a".repeat(32)}`;
    store.saveVerdict(key, "invalid");
    store.saveVerdict(key, "valid");
    assert.equal(store.memory.verdicts.get(key), "invalid");
    store.close();
    const reopened = new NodeStore(dir);
    assert.equal(reopened.memory.verdicts.get(key), "invalid");
    reopened.close();
  });

  it("an outbox nonce is used once: a second transaction under it is refused, and its action not marked done", () => {
    const dir = freshDir();
    const store = new NodeStore(dir);
    store.saveOutgoing(outgoing(5, "commit/3"));
    assert.throws(() => store.saveOutgoing(outgoing(5, "vote/3/0")));
    assert.deepEqual([...store.memory.done], ["commit/3"]);
    store.close();
    const reopened = new NodeStore(dir);
    assert.deepEqual([...reopened.memory.done], ["commit/3"]);
    assert.deepEqual(
      reopened.outboxFrom(0).map((entry) => entry.key),
      ["commit/3"],
    );
    reopened.close();
  });

  it("dropping refused entries forgets them and their done marks, on disk too", () => {
    const dir = freshDir();
    const store = new NodeStore(dir);
    for (const [nonce, key] of ["stake/initial", "commit/3", "reveal/3"].entries())
      store.saveOutgoing(outgoing(nonce, key));
    assert.deepEqual(store.dropOutboxFrom(1), ["commit/3", "reveal/3"]);
    assert.deepEqual([...store.memory.done], ["stake/initial"]);
    assert.equal(store.lastOutboxNonce(), 0);
    store.close();
    const reopened = new NodeStore(dir);
    assert.deepEqual([...reopened.memory.done], ["stake/initial"]);
    assert.equal(reopened.lastOutboxNonce(), 0);
    reopened.close();
  });

  it("a call refused by a settlement without ledger nonces is dropped alone; a final refusal keeps its done mark", () => {
    const dir = freshDir();
    const store = new NodeStore(dir);
    for (const [nonce, key] of ["distribution/2/0", "reveal/3", "claim/4", "vote/3/0"].entries())
      store.saveOutgoing(outgoing(nonce, key));
    assert.deepEqual(store.dropOutboxEntry(1), ["reveal/3"]);
    assert.deepEqual(store.dropOutboxEntry(0, { keepDone: true }), ["distribution/2/0"]);
    assert.deepEqual(store.dropOutboxEntry(7), []);
    const expectDone = ["distribution/2/0", "claim/4", "vote/3/0"];
    assert.deepEqual([...store.memory.done].sort(), [...expectDone].sort());
    store.close();
    const reopened = new NodeStore(dir);
    assert.deepEqual(
      reopened.outboxFrom(0).map((entry) => entry.key),
      ["claim/4", "vote/3/0"],
    );
    assert.deepEqual([...reopened.memory.done].sort(), [...expectDone].sort());
    reopened.close();
  });
});

describe("node store: damaged files are refused with a clear error", () => {
  it("a file that is not a database", () => {
    const dir = filled();
    writeFileSync(join(dir, "node.sqlite"), "not a database ".repeat(400));
    expectCorrupt(dir, /not a database/);
  });

  it("a database cut short", () => {
    const dir = filled();
    const file = join(dir, "node.sqlite");
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expectCorrupt(dir, /malformed/);
  });

  it("a header overwritten", () => {
    const dir = filled();
    const file = join(dir, "node.sqlite");
    const bytes = readFileSync(file);
    bytes.fill(0, 0, 100);
    writeFileSync(file, bytes);
    expectCorrupt(dir, /not a database/);
  });

  const damaged: [string, string, unknown[], RegExp][] = [
    ["a work record that is not JSON", "UPDATE work SET record = ? WHERE cycle = 3", ['{"status":"done",'], /work.*3/],
    [
      "a salt that is not 64 hex characters",
      "UPDATE work SET record = ? WHERE cycle = 3",
      [JSON.stringify({ ...WORK, salt: "5a".repeat(31) })],
      /work.*3.*salt/,
    ],
    [
      "a verdict no node writes",
      "UPDATE verdicts SET verdict = ? WHERE verdict = 'valid'",
      ["vamid"],
      /verdicts.*vamid/,
    ],
    [
      "a list whose digest does not match its entries",
      "UPDATE lists SET record = replace(record, '\"7n\"', '\"8n\"')",
      [],
      /lists.*3\/0/,
    ],
  ];
  for (const [what, sql, values, pattern] of damaged) {
    it(what, () => {
      const dir = filled();
      edit(dir, sql, ...values);
      expectCorrupt(dir, pattern);
    });
  }

  it("a proof whose bytes no longer hash to its digest is never handed out (peers would judge it invalid)", () => {
    const dir = filled();
    edit(dir, "UPDATE proofs SET bytes = ? WHERE cycle = 3", Buffer.from('{"answer":43}'));
    const store = new NodeStore(dir);
    try {
      assert.throws(
        () => store.proof(sha256Hex(PROOF)),
        (error: unknown) =>
          error instanceof NodeStoreError && error.code === "NODE__STORE_CORRUPT" && /cycle 3/.test(error.message),
      );
    } finally {
      store.close();
    }
  });
});

describe("node store: the outbox across a restart of the node", () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  const squares = defineTask({
    task: async () => {},
    submission: (ctx) => ({ cycle: ctx.cycle, square: ctx.cycle * ctx.cycle }),
    audit: () => true,
  });

  async function world() {
    const creator = generateKeyPair();
    const key = generateKeyPair();
    const ledger = await startTestLedger([creator, key]);
    open.push(ledger);
    const { taskId } = await createTestTask(ledger, creator);
    const task = () => getTask(ledger.running.ledger.state, taskId) as TaskRecord;
    return { ledger, key, taskId, task, dataDir: ledger.tempDir("node") };
  }

  async function start(
    ledger: TestLedger,
    key: KeyPair,
    taskId: Hash,
    dataDir: string,
    source?: Parameters<typeof startTestNode>[0]["source"],
  ): Promise<TestNode> {
    const node = await startTestNode({
      ledger,
      key,
      taskId,
      definition: squares,
      dataDir,
      ...(source === undefined ? {} : { source }),
    });
    open.push(node);
    return node;
  }

  /** A source whose submit of a commit fails as if the node died before it reached the ledger. */
  const commitsNeverArrive: Parameters<typeof startTestNode>[0]["source"] = (source) => ({
    ...source,
    submit: async (envelope) => {
      if (envelope.tx.kind === "commit") throw new TypeError("fetch failed");
      return source.submit(envelope);
    },
  });

  it("a commit recorded but never delivered is sent again by the restarted node, same nonce, and lands once", async () => {
    const { ledger, key, taskId, task, dataDir } = await world();
    const window = getCycleWindows(task(), 0).commit;
    const first = await start(ledger, key, taskId, dataDir, commitsNeverArrive);
    await runTo(ledger, window.opensAt - 1, [first]);
    assert.equal((await ledger.client.getAccount(key.publicKey)).nextNonce, 1, "only the stake reached the ledger");
    await first.close();
    const again = await start(ledger, key, taskId, dataDir);
    await runTo(ledger, getCycleWindows(task(), 0).reveal.opensAt, [again]);
    const sent = await sentBy(ledger, key.publicKey);
    assert.deepEqual(describeTxs(sent), ["stake", "commit:0", "reveal:0"]);
    assert.deepEqual(
      sent.map((entry) => entry.tx.nonce),
      [0, 1, 2],
    );
    assert.ok(
      sent.every((entry) => entry.ok),
      "the reveal opens the commit the first run made",
    );
  });

  it("a commit delivered just before the crash is recognised, not sent a second time", async () => {
    const { ledger, key, taskId, task, dataDir } = await world();
    const window = getCycleWindows(task(), 0).commit;
    const first = await start(ledger, key, taskId, dataDir);
    await runTo(ledger, window.opensAt - 1, [first]);
    assert.equal((await ledger.client.getAccount(key.publicKey)).nextNonce, 2, "the commit is pending");
    await first.close();
    const again = await start(ledger, key, taskId, dataDir);
    await runTo(ledger, getCycleWindows(task(), 0).reveal.opensAt, [again]);
    assert.deepEqual(describeTxs(await sentBy(ledger, key.publicKey)), ["stake", "commit:0", "reveal:0"]);
  });

  it("a commit that landed while the node was down is neither resent nor decided again", async () => {
    const { ledger, key, taskId, task, dataDir } = await world();
    const window = getCycleWindows(task(), 0).commit;
    const first = await start(ledger, key, taskId, dataDir);
    await runTo(ledger, window.opensAt - 1, [first]);
    await first.close();
    // The commit lands in the window's first slot; the node is back before its reveal is due.
    await ledger.advanceTo(window.opensAt);
    let submits = 0;
    const again = await start(ledger, key, taskId, dataDir, (source) => ({
      ...source,
      submit: async (envelope) => {
        submits += 1;
        return source.submit(envelope);
      },
    }));
    await again.settle();
    assert.equal(submits, 0);
    await runTo(ledger, getCycleWindows(task(), 0).reveal.opensAt, [again]);
    assert.deepEqual(describeTxs(await sentBy(ledger, key.publicKey)), ["stake", "commit:0", "reveal:0"]);
  });
});

describe("node store: a proof damaged on disk under a running node (regression)", () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  it("is neither served nor published: peers find it unavailable, not invalid, and the node is not slashed", async () => {
    const squares = defineTask({
      task: async () => {},
      submission: (ctx) => ({ cycle: ctx.cycle, square: ctx.cycle * ctx.cycle }),
      audit: (ctx, proof) => proof.json<{ square?: number }>().square === ctx.cycle * ctx.cycle,
    });
    const [creator, keyA, keyB] = [generateKeyPair(), generateKeyPair(), generateKeyPair()] as [
      KeyPair,
      KeyPair,
      KeyPair,
    ];
    const ledger = await startTestLedger([creator, keyA, keyB]);
    open.push(ledger);
    const { taskId } = await createTestTask(ledger, creator);
    const task = () => getTask(ledger.running.ledger.state, taskId) as TaskRecord;
    const aDir = ledger.tempDir("a");
    const a = await startTestNode({ ledger, key: keyA, taskId, definition: squares, dataDir: aDir });
    open.push(a);
    const b = await startTestNode({ ledger, key: keyB, taskId, definition: squares, dataDir: ledger.tempDir("b") });
    open.push(b);
    const windows = getCycleWindows(task(), 0);
    await runTo(ledger, windows.reveal.opensAt, [a, b]);
    // a's proof of cycle 0 rots on disk after its reveal.
    edit(aDir, "UPDATE proofs SET bytes = ? WHERE cycle = 0", Buffer.from('{"cycle":0,"square":1}'));
    await runTo(ledger, windows.reveal.closesAt, [a, b]);
    // b fetches a's proof (retrying, off the node's passes) and judges it.
    await waitFor("b's verdict on a", () =>
      b.logs.some((line) => line.message === "audited proof" && line.fields?.target === a.account),
    );
    await runTo(ledger, windows.proofVotes.closesAt + 1, [a, b]);
    const challenges = (await sentBy(ledger, b.account)).filter((entry) => entry.tx.kind === "triggerAudit");
    assert.deepEqual(
      challenges.map((entry) => (entry.tx.kind === "triggerAudit" ? [entry.tx.target, entry.tx.verdict] : [])),
      [[a.account, "unavailable"]],
    );
    assert.deepEqual(
      (await sentBy(ledger, a.account)).filter((entry) => entry.tx.kind === "publishProof"),
      [],
    );
    assert.ok(a.logs.some((line) => line.level === "error" && line.message === "cannot publish a damaged proof"));
    const state = ledger.running.ledger.state;
    assert.equal(getReveal(state, taskId, 0, a.account)?.status, "unavailable");
    assert.equal(getNode(state, taskId, a.account)?.slashCount, 0);
  });
});
