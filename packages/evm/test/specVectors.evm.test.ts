/**
 * The spec vectors (spec-tests/, format in spec-tests/README.md) run against the EVM settlement: GradualHarness
 * (contracts/test) on one anvil, reverted to a snapshot between vectors. For each vector of a rule the contract
 * implements, the pre-state is loaded with the harness's loaders, the steps run (`advanceTo` sets the harness's
 * slot; a transaction is a call as its sender, which must succeed or revert with the custom error named by the
 * expected code), every task is settled, and then every record of pre.json and post.json is read back and compared
 * field by field with post.json, and the events of the run with post.json's, in order. A record of pre.json that
 * post.json no longer has must be gone from the contract too, and so must any record the steps could have made that
 * post.json does not have. The last tests check the runner itself: a tampered post.json or expect must fail.
 *
 * What the contract does not hold, and why (also in packages/evm/contracts/README.md):
 *
 * | record      | field / records                        | why                                                                 |
 * | ----------- | -------------------------------------- | ------------------------------------------------------------------- |
 * | account     | nonce                                  | on a chain the nonce is the chain's (of the sender's address)       |
 * | chain       | chainId                                | the EVM chain's own id (block.chainid) and the contract's address   |
 * | chain       | slot                                   | not stored: derived from block.timestamp (`_slot()`); compared      |
 * | task        | prunedThrough; CyclePruned events      | pruning is the core's storage step, invisible to transactions (§9.3) |
 * | node, cycle | task, account, cycle                   | not stored in the record: they are its mapping keys; compared       |
 * | distribution| the list's entries                     | in the list's blob (`listBlob`); the root, total and size are held  |
 * | commit      | records of a withdrawn node            | kept (the core drops them, and prunes); never read                  |
 * | results     | tx hash, nonce use, rejection context  | a chain transaction has its own hash; reverts carry the code only   |
 * | stateRoot   | the trie root                          | the contract keeps its state in EVM storage, not in the core's trie |
 * | edge/*      | every vector                           | ledger admission (signature, size, shape, chain id, nonce) is the   |
 * |             |                                        | chain's own transaction validation and ABI decoding on an EVM chain |
 *
 * Pruning (§9.3) is the core's storage step and changes no transaction's result (protocol.md deviation 36): a
 * trigger, a vote or a publication on a cycle closed for good gets its window code, and a list's claim window closes
 * at a fixed round, where a settlement step returns its unclaimed rest (`ListClaimWindowClosed`), in both. So every
 * vector runs on the contract, whether its core run prunes or not: the records of a cycle the core pruned (up to the
 * post-state's `task.prunedThrough`) are not compared (the contract keeps them), nor are `CyclePruned` events.
 * `edge/` vectors are skipped with their reason (above). Rule shares are materialized before the comparison, and
 * Vested events compared as a set (contracts/README.md).
 *
 *   node --conditions=source --import tsx --test packages/evm/test/specVectors.evm.test.ts
 *
 * In the default run (npm test): about 5 s on 2 cores, 35 s when the contracts must be compiled first (solc-js).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { compileContracts, harnessAbi } from "../src/compile.ts";
import {
  type Call,
  coreEvent,
  coreEventsLike,
  deployHarness,
  HARNESS_ANVIL,
  HELD_RECORD_KINDS,
  h32,
  loadListCloses,
  loadRecord,
  type Obj,
  penaltiesByNode,
  readRecord,
  rpc,
  simulate,
  txCall,
  useHarness,
  withoutUnheld,
  write,
  writeBlock,
} from "./harnessClient.ts";

let anvil: Anvil | undefined;
let snapshot: Hex;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SPEC_TESTS = path.join(ROOT, "spec-tests");

/** Transaction kinds the contract implements. */
const IMPLEMENTED = new Set([
  "transfer",
  "createTask",
  "fundTask",
  "closeTask",
  "stake",
  "unstake",
  "withdraw",
  "commit",
  "reveal",
  "commitAndReveal",
  "triggerAudit",
  "vote",
  "publishProof",
  "claim",
  "submitDistribution",
  "claimDistribution",
]);
/** Record kinds the contract does not hold but a vector may carry: a published payload stays in the call's data. */
// A vote's position (`voteAt`): the contract keeps a trigger's choices packed by voter id, not in vote order. A
// reveal's position (`revealAt`): its index is in its `reveal` record and `Revealed` log.
const UNHELD_RECORDS = new Set(["published", "voteAt", "revealAt"]);

const OUT_OF_SCOPE: Record<string, string> = {};

/** Cases of implemented categories that need a rule the contract does not have (none at present). */
const CASES_WAITING: Record<string, string> = {};

// ---------------------------------------------------------------------------------------------------------------
// Vector files

function parseVector(file: string): Obj {
  return JSON.parse(readFileSync(file, "utf8"), (_key, value: unknown) =>
    typeof value === "string" && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
  ) as Obj;
}

type Case = { readonly category: string; readonly name: string; readonly dir: string };

function discover(): Case[] {
  const cases: Case[] = [];
  for (const category of readdirSync(SPEC_TESTS, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const entry of readdirSync(path.join(SPEC_TESTS, category.name), { withFileTypes: true })) {
      if (entry.isDirectory()) {
        cases.push({
          category: category.name,
          name: entry.name,
          dir: path.join(SPEC_TESTS, category.name, entry.name),
        });
      }
    }
  }
  return cases.sort((a, b) => `${a.category}/${a.name}`.localeCompare(`${b.category}/${b.name}`));
}

// ---------------------------------------------------------------------------------------------------------------
export const gasUsed = new Map<string, number[]>();

/**
 * Keys of records the steps could create: for every task and account of the vector, its node, and per cycle up to
 * the final round, the cycle, commits, reveals and reveal indices; new task indices and node indices.
 */
function candidateKeys(pre: Obj, txs: Obj, post: Obj): string[] {
  const records = { ...(pre.records as Obj), ...(post.records as Obj) };
  const accounts = new Set<string>(Object.values((txs.accounts ?? {}) as Record<string, string>));
  const tasks = new Set<string>();
  for (const key of Object.keys(records)) {
    const [kind, first] = key.split("/");
    if (kind === "account") accounts.add(first as string);
    if (kind === "task") tasks.add(first as string);
  }
  for (const result of post.results as Obj[]) if (result.kind === "createTask") tasks.add(result.hash as string);
  for (const step of txs.steps as Obj[]) {
    const tx = step.tx as Obj | undefined;
    if (tx === undefined) continue;
    accounts.add(tx.from as string);
    if (typeof tx.to === "string") accounts.add(tx.to);
  }
  const rounds = Math.ceil((post.slot as number) / 10) + 2;
  const taskCount = Math.max(
    ((pre.records as Obj).chain as Obj).taskCount as number,
    ((post.records as Obj).chain as Obj).taskCount as number,
  );
  const keys = [`taskAt/${taskCount}`, `taskAt/${taskCount + 1}`];
  for (const account of accounts) keys.push(`account/${account}`);
  for (const task of tasks) {
    keys.push(`task/${task}`);
    for (let index = 0; index <= accounts.size; index += 1) keys.push(`nodeAt/${task}/${index}`);
    for (let cycle = 0; cycle <= rounds; cycle += 1) {
      keys.push(`cycle/${task}/${cycle}`);
      for (const account of accounts) {
        keys.push(`commit/${task}/${cycle}/${account}`, `reveal/${task}/${cycle}/${account}`);
        keys.push(`nodeCycle/${task}/${cycle}/${account}`);
        keys.push(
          `triggerOf/${task}/${cycle}/proof/0/${account}`,
          `triggerOf/${task}/${cycle}/availability/0/${account}`,
          `triggerOf/${task}/${cycle}/appeal/0/${account}`,
          `listClaim/${task}/${cycle}/${account}`,
        );
        for (let attempt = 0; attempt <= 2; attempt += 1) {
          keys.push(`triggerOf/${task}/${cycle}/distribution/${attempt}/${account}`);
        }
      }
      for (let attempt = 0; attempt <= 2; attempt += 1) keys.push(`distribution/${task}/${cycle}/${attempt}`);
      for (let trigger = 0; trigger <= 2; trigger += 1) {
        keys.push(`trigger/${task}/${cycle}/${trigger}`);
        for (const account of accounts) keys.push(`vote/${task}/${cycle}/${trigger}/${account}`);
      }
    }
    for (const account of accounts) {
      keys.push(`node/${task}/${account}`, `vesting/${task}/${account}`, `slashLog/${task}/${account}`);
    }
  }
  return keys;
}

/** Runs one vector; `tamper` edits the parsed files first (the runner's own tests). */
async function runCase(item: Case, tamper?: (files: { pre: Obj; txs: Obj; post: Obj }) => void): Promise<void> {
  const pre = parseVector(path.join(item.dir, "pre.json"));
  const txs = parseVector(path.join(item.dir, "txs.json"));
  const post = parseVector(path.join(item.dir, "post.json"));
  tamper?.({ pre, txs, post });
  const preRecords = pre.records as Obj;
  const postRecords = post.records as Obj;
  for (const key of [...Object.keys(preRecords), ...Object.keys(postRecords)]) {
    const kind = key.split("/")[0] as string;
    assert.ok(
      HELD_RECORD_KINDS.has(kind) || UNHELD_RECORDS.has(kind),
      `${key}: a record kind of rules out of this half`,
    );
  }

  await rpc("evm_revert", [snapshot]);
  snapshot = await rpc<Hex>("evm_snapshot", []);

  // Pre-state, loaded in one block.
  const preSlot = pre.slot as number;
  const chain = preRecords.chain as Obj;
  const totals = preRecords.totals as Obj;
  const loads: Call[] = [
    ["setSlot", [BigInt(preSlot)]],
    ["loadChain", [totals, chain.supply, chain.taskCount]],
  ];
  const load = (functionName: string, args: readonly unknown[]) => loads.push([functionName, args]);
  // Tasks first: a commit or reveal record is placed by its task's parameters (the ring, the commit window).
  const loadOrder = Object.entries(preRecords).sort(
    ([left], [right]) => Number(!left.startsWith("task/")) - Number(!right.startsWith("task/")),
  );
  for (const [key, record] of loadOrder) loadRecord(key, record, preSlot, load);
  loadListCloses(preRecords, preSlot, load);
  await writeBlock(loads);

  // Steps.
  const logs: { topics: Hex[]; data: Hex }[] = [];
  const results = post.results as Obj[];
  const steps = txs.steps as Obj[];
  for (const [index, step] of steps.entries()) {
    if ("advanceTo" in step) {
      await write("setSlot", [BigInt(step.advanceTo as number)]);
      continue;
    }
    assert.equal(step.signature, undefined, `step ${index}: a signed transaction goes through the ledger edge`);
    const tx = step.tx as Obj;
    const expect = step.expect as Obj;
    const { functionName, args } = txCall(tx);
    await write("setSender", [h32(tx.from)]);
    if (tx.kind === "createTask") await write("setNextTaskId", [h32((results[index] as Obj).hash)]);
    const outcome = await simulate(functionName, args);
    // An equivocation is included by the core as a rejection that records it; a revert could record nothing, so
    // the contract's call succeeds and emits Equivocated.
    const expected = expect.ok === true || expect.code === "VOTE__EQUIVOCATION" ? "ok" : expect.code;
    assert.equal(outcome, expected, `step ${index} (${String(tx.kind)})`);
    if (outcome !== "ok") continue;
    const receipt = await write(functionName, args);
    const gas = gasUsed.get(functionName) ?? [];
    gas.push(Number.parseInt(receipt.gasUsed, 16));
    gasUsed.set(functionName, gas);
    logs.push(...receipt.logs);
  }
  // Every task settled through the final slot: the lazy window ends the core applied eagerly.
  const tasks = new Set(
    [...Object.keys(preRecords), ...Object.keys(postRecords)].filter((key) => key.startsWith("task/")),
  );
  const closing: Call[] = [...tasks].sort().map((key) => ["settle", [h32(key.slice("task/".length)), 1000n]]);
  // Every account's rule shares materialized: what the core paid into each pool when the cycle paid itself.
  const allKeys = candidateKeys(pre, txs, post);
  for (const key of allKeys.filter((name) => name.startsWith("vesting/")).sort()) {
    const [, task, account] = key.split("/");
    if (postRecords[`task/${task}`] === undefined) continue;
    closing.push(["materialize", [h32(task), h32(account)]]);
  }
  for (const receipt of await writeBlock(closing)) logs.push(...receipt.logs);

  // Records: every record of pre.json and post.json, and every record the steps could have made (so that one the
  // contract made and the core did not is found too).
  const keys = new Set([...Object.keys(preRecords), ...Object.keys(postRecords), ...allKeys]);
  const prunedThrough = (task: string) =>
    ((postRecords[`task/${task}`] as Obj | undefined)?.prunedThrough ?? -1) as number;
  const compared = [...keys].sort().filter((key) => {
    const [kind, task, cycle] = key.split("/") as [string, string, string];
    if (UNHELD_RECORDS.has(kind)) return false;
    // Pruning (§9.3) stays a property of the core's state: the contract keeps a pruned cycle's records.
    const pruned = !["account", "chain", "totals", "taskAt", "task", "node", "nodeAt", "vesting", "cycle"].includes(
      kind,
    );
    return !(postRecords[key] === undefined && pruned && Number(cycle) <= prunedThrough(task));
  });
  // Read at once (batched calls), compared in key order.
  const records = await Promise.all(compared.map((key) => readRecord(key)));
  for (const [at, key] of compared.entries()) {
    const expected = postRecords[key];
    const actual = records[at];
    if (expected === undefined) {
      const none = key.startsWith("account/") ? { balance: 0n } : undefined;
      assert.deepStrictEqual(actual, none, `record ${key}: not in post.json, held by the contract`);
      continue;
    }
    if (key.startsWith("account/") && actual === undefined) assert.fail(`record ${key}: missing`);
    assert.deepStrictEqual(
      actual,
      withoutUnheld(key, expected, (other) => postRecords[other] !== undefined),
      `record ${key}`,
    );
  }

  // Events, in order (window ends are emitted when the contract settles them: the same order for one task). A rule
  // share's Vested is emitted when the contract materializes it (a claim, a slash, or the runner's `materialize`),
  // not when the cycle pays itself: the Vested events are compared as a set, the others in order. A rule-paid
  // cycle's CycleCompleted carries what it owes (its shares and the dust it keeps), the core's its shares' sum.
  const isVested = (event: Obj) => event.type === "Vested";
  const expectedEvents = results
    .flatMap((result) => result.events as Obj[])
    .map((event) => {
      if (event.type !== "CycleCompleted" || event.outcome !== "paid") return event;
      const cycle = postRecords[`cycle/${event.task as string}/${event.cycle as number}`] as Obj;
      const task = postRecords[`task/${event.task as string}`] as Obj;
      if ((task.params as Obj).distributionRule === "custom") return event;
      return { ...event, paid: (event.paid as bigint) + (cycle.reserved as bigint) };
    });
  // CyclePruned is the core's storage step (§9.3): it moves nothing and no result depends on it; a contract keeps
  // the records and never prunes.
  const ordered = expectedEvents.filter((event) => !isVested(event) && event.type !== "CyclePruned");
  // ListEntryClaimed is the EVM's own record of a claimDistribution call (the core's event is its Vested).
  const orderedLogs = logs.filter((log) => {
    const event = coreEvent(log, { type: "" });
    return !isVested(event) && event.type !== "ListEntryClaimed";
  });
  const actualEvents = coreEventsLike(orderedLogs, ordered);
  // A trigger's LosingVotePenalized events, and an appeal's slashes with their whistleblower's Credited, come in
  // voter-id order from the contract, in vote order from the core.
  assert.deepStrictEqual(penaltiesByNode(actualEvents), penaltiesByNode(ordered), "events");
  const vestedExpected = expectedEvents.filter(isVested);
  const vestedLogs = logs.filter((log) => isVested(coreEvent(log, { type: "" })));
  const sortKey = (event: Obj) => `${event.task as string}/${event.cycle as number}/${event.node as string}`;
  assert.deepStrictEqual(
    vestedLogs.map((log) => coreEvent(log, vestedExpected[0])).sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    [...vestedExpected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    "Vested events",
  );
}

// ---------------------------------------------------------------------------------------------------------------

const cases = discover();

before(async () => {
  compileContracts({ includeTests: true });
  const abi = harnessAbi() as Abi;
  anvil = await startAnvil(HARNESS_ANVIL);
  useHarness(anvil, "0x", abi);
  useHarness(anvil, await deployHarness(), abi);
  snapshot = await rpc<Hex>("evm_snapshot", []);
});

after(async () => {
  if (gasUsed.size > 0) {
    const rows = [...gasUsed.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, gas]) => `${name}: min ${Math.min(...gas)} max ${Math.max(...gas)} (${gas.length} calls)`);
    process.stderr.write(`gas used on the harness (receipts):\n  ${rows.join("\n  ")}\n`);
  }
  await anvil?.stop();
});

for (const item of cases) {
  const name = `spec-tests/${item.category}/${item.name}`;
  if (item.category === "edge") {
    test(name, {
      skip: "ledger admission (signature, size, shape, chain id, nonce): on an EVM chain the chain validates transactions and the ABI decodes them",
    });
  } else if (Object.hasOwn(CASES_WAITING, `${item.category}/${item.name}`)) {
    test.todo(`${name}: ${CASES_WAITING[`${item.category}/${item.name}`]}`);
  } else if (item.category !== "windows" && !IMPLEMENTED.has(item.category)) {
    test.todo(`${name}: ${OUT_OF_SCOPE[item.category] ?? "not implemented by the contract"}`);
  } else {
    test(name, () => runCase(item));
  }
}

// The runner itself: a vector it runs fails when the contract's result differs from post.json in a record, an
// outcome or an event.
const sample = cases.find((item) => item.category === "reveal" && item.name === "accepted") as Case;
const postTask = (files: { post: Obj }) =>
  Object.entries(files.post.records as Obj).find(([key]) => key.startsWith("task/"))?.[1] as Obj;

test("runner self-check: a record field that differs fails the vector", async () => {
  await assert.rejects(
    runCase(sample, (files) => {
      const task = postTask(files);
      task.escrow = (task.escrow as bigint) + 1n;
    }),
    /record task\//,
  );
});

test("runner self-check: a record the contract lacks or keeps fails the vector", async () => {
  await assert.rejects(
    runCase(sample, (files) => {
      const records = files.post.records as Obj;
      // A record nothing else's comparison depends on (deleting a reveal would also make its commit's commitment
      // expected, which the contract no longer holds, and fail there first).
      const key = Object.keys(records).find((name) => name.startsWith("nodeAt/")) as string;
      delete records[key];
    }),
    /not in post\.json, held by the contract/,
  );
});

test("runner self-check: a list record, a claimed entry or a slash log that differs fails the vector", async () => {
  const replayed = cases.find(
    (item) => item.category === "claimDistribution" && item.name === "accepted-slash-replayed",
  ) as Case;
  const tampers: [string, (records: Obj) => void][] = [
    ["distribution/", (records) => Object.assign(records[listKey(records, "distribution/")] as Obj, { slashSeq: 1 })],
    ["listClaim/", (records) => delete records[listKey(records, "listClaim/")]],
    ["slashLog/", (records) => (((records[listKey(records, "slashLog/")] as Obj[])[0] as Obj).round = 3)],
  ];
  for (const [kind, tamper] of tampers) {
    await assert.rejects(
      runCase(replayed, (files) => tamper(files.post.records as Obj)),
      new RegExp(`record ${kind}`),
      kind,
    );
  }
});

function listKey(records: Obj, prefix: string): string {
  return Object.keys(records).find((key) => key.startsWith(prefix)) as string;
}

test("runner self-check: an appeal's slashes are compared as (whistleblower Credited, Slashed) pairs in any voter order, and no more loosely", async () => {
  const appeal = cases.find(
    (item) => item.category === "windows" && item.name === "appeal-upheld-slashes-voters",
  ) as Case;
  // The post's events: [Credited bond, TriggerResolved, Credited 33, Slashed bob, Credited 11, Slashed carol].
  const reorder = (order: readonly number[]) => (files: { post: Obj }) => {
    const result = (files.post.results as Obj[])[0] as Obj;
    const events = result.events as Obj[];
    result.events = order.map((at) => events[at] as Obj);
  };
  // The pairs in the other voter order: the same run.
  await runCase(appeal, reorder([0, 1, 4, 5, 2, 3]));
  const tampers: [string, (files: { post: Obj }) => void][] = [
    ["a share credited with the other voter's slash", reorder([0, 1, 4, 3, 2, 5])],
    ["a Slashed before its Credited", reorder([0, 1, 3, 2, 4, 5])],
    ["a slash before the TriggerResolved", reorder([0, 2, 3, 1, 4, 5])],
  ];
  for (const [label, tamper] of tampers) await assert.rejects(runCase(appeal, tamper), /events/, label);
});

test("runner self-check: an outcome that differs fails the vector", async () => {
  await assert.rejects(
    runCase(sample, (files) => {
      const step = (files.txs.steps as Obj[])[0] as Obj;
      step.expect = { ok: false, code: "REVEAL__DUPLICATE", included: true };
    }),
    /step 0 \(reveal\)/,
  );
});

test("runner self-check: an event that differs fails the vector", async () => {
  await assert.rejects(
    runCase(sample, (files) => {
      const result = (files.post.results as Obj[])[0] as Obj;
      ((result.events as Obj[])[0] as Obj).index = 7;
    }),
    /events/,
  );
});
