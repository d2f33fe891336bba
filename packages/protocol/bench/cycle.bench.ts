/**
 * npm run bench:protocol: protocol CPU time and heap for a full 10,000-node cycle, and the cost of one block's
 * incremental state root after 100 changes in a 100,000-node task against a full rehash (protocol.md §9.4).
 * The cycle's CPU is also given as a ratio to what checking its transactions' signatures costs: the cycle's
 * transactions times one ed25519 verify (node:crypto, as the ledger's edge does it), measured in the same run, so the
 * figure travels between machines and survives a busy one. Figures only, no assertions. Run with --expose-gc (the
 * npm script does) for stable heap figures.
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { cpus } from "node:os";
import {
  type Account,
  applyBlock,
  bytesToHex,
  checkTotals,
  commitWindow,
  computeCommitment,
  createGenesisState,
  DEVNET_PARAMS,
  getAuditAssignments,
  getChain,
  getCycle,
  getTask,
  listBlobHash,
  listRevealers,
  listTaskIds,
  listTree,
  proofAt,
  roundStart,
  type State,
  sha256Hex,
  signingPayload,
  stateEntries,
  stateRoot,
  type TaskParams,
  type TaskRecord,
  TOKEN,
  type Transaction,
  trieFullRehash,
  trieHash,
} from "../src/index.ts";

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = Without<Transaction, "chainId" | "from" | "nonce">;
const CHAIN = "gradual-bench";
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

type Bucket = "blocks" | "roots" | "nodeSide";

/**
 * CPU milliseconds spent inside protocol calls, by kind: `applyBlock`, state roots, and what nodes compute with the
 * protocol (commitments, the audit assignment of every node, the revealers list). The bench's own work (building the
 * transaction objects) is in none of them.
 */
class Meter {
  readonly ms: Record<Bucket, number> = { blocks: 0, roots: 0, nodeSide: 0 };

  time<T>(bucket: Bucket, work: () => T): T {
    const start = cpuMs();
    try {
      return work();
    } finally {
      this.ms[bucket] += cpuMs() - start;
    }
  }

  total(): number {
    return this.ms.blocks + this.ms.roots + this.ms.nodeSide;
  }
}

/** Drives the core as a ledger would: transactions into the open slot, a state root at the end of every block. */
class Chain {
  state: State;
  readonly nonces = new Map<Account, number>();
  readonly meter = new Meter();
  /** Transactions sent so far. */
  sent = 0;

  constructor(accounts: Account[]) {
    this.state = createGenesisState({
      chainId: CHAIN,
      accounts: accounts.map((account) => ({ account, balance: 1_000n * TOKEN })),
    });
  }

  get slot(): number {
    return getChain(this.state).slot;
  }

  readonly pending: Transaction[] = [];

  /** Queues a transaction for the next block. */
  send(from: Account, body: Body): void {
    const nonce = this.nonces.get(from) ?? 0;
    this.pending.push({ ...body, chainId: CHAIN, from, nonce } as Transaction);
    this.sent += 1;
    this.nonces.set(from, nonce + 1);
  }

  /** Produces the next block with every queued transaction (all must be accepted) and computes its state root. */
  nextBlock(computeRoot = true): void {
    const transactions = this.pending.splice(0);
    const slot = this.slot + 1;
    const block = this.meter.time("blocks", () => applyBlock(this.state, slot, transactions));
    for (const outcome of block.outcomes) {
      if (!outcome.ok) throw new Error(`refused: ${outcome.code} ${outcome.message}`);
    }
    this.state = block.state;
    if (computeRoot) this.meter.time("roots", () => stateRoot(this.state));
  }

  /** Produces blocks until the next block is `slot`, so queued transactions land in it. */
  blocksTo(slot: number): void {
    while (this.slot < slot - 1) this.nextBlock();
  }

  createTask(creator: Account, params: TaskParams): TaskRecord {
    this.send(creator, {
      kind: "createTask",
      name: "bench",
      bundleHash: sha256Hex("bundle"),
      metadataHash: null,
      params,
      funding: 1_000n * TOKEN,
    });
    this.nextBlock();
    return getTask(this.state, listTaskIds(this.state)[0] as string) as TaskRecord;
  }
}

const nodeAccount = (index: number): Account => sha256Hex(`bench-node:${index}`);
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

/**
 * CPU milliseconds of one ed25519 verify of a vote's signing payload with node:crypto (the ledger's edge, keys.ts):
 * the median of 7 batches of 500.
 */
function ed25519VerifyMs(): number {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const payload = signingPayload({
    kind: "vote",
    chainId: CHAIN,
    from: nodeAccount(0),
    nonce: 3,
    task: sha256Hex("task"),
    cycle: 1,
    trigger: 0,
    choice: "invalid",
  });
  const signature = sign(null, payload, privateKey);
  const batches: number[] = [];
  for (let batch = 0; batch < 7; batch += 1) {
    const start = cpuMs();
    for (let index = 0; index < 500; index += 1) {
      if (!verify(null, payload, publicKey, signature)) throw new Error("ed25519 verify failed");
    }
    batches.push((cpuMs() - start) / 500);
  }
  return batches.sort((left, right) => left - right)[3] as number;
}

function fullCycle(nodeCount: number): void {
  const creator = sha256Hex("bench-creator");
  const nodes = Array.from({ length: nodeCount }, (_, index) => nodeAccount(index));
  const chain = new Chain([creator, ...nodes]);
  const params: TaskParams = {
    ...DEVNET_PARAMS,
    // A posted list and its claims: the heaviest distribution (the default `weighted` rule pays by itself).
    distributionRule: "custom",
    maxNodes: nodeCount,
    auditsPerNode: 8,
    warmupRounds: 0,
    rampRounds: 0,
  };
  chain.nextBlock();
  const heapBefore = heapMb();
  const { meter } = chain;
  const nodeSide = <T>(work: () => T): T => meter.time("nodeSide", work);
  /** Each phase: the process's CPU and the meter's buckets since the previous phase ended. */
  const phases: { name: string; process: number; ms: Record<Bucket, number> }[] = [];
  let mark = { process: cpuMs(), ms: { ...meter.ms } };
  const phase = (name: string) => {
    const now = { process: cpuMs(), ms: { ...meter.ms } };
    const ms = { blocks: 0, roots: 0, nodeSide: 0 };
    for (const bucket of Object.keys(ms) as Bucket[]) ms[bucket] = now.ms[bucket] - mark.ms[bucket];
    phases.push({ name, process: now.process - mark.process, ms });
    mark = now;
  };
  const task = chain.createTask(creator, params);
  for (const node of nodes)
    chain.send(node, { kind: "stake", task: task.id, amount: 100n * TOKEN, nodeUrl: "http://127.0.0.1:1" });
  chain.nextBlock();
  phase("create task + 10k stakes");
  const sentBeforeCycle = chain.sent;
  const cycle = 1;
  const salt = (node: Account) => sha256Hex("salt", node);
  const digest = (node: Account) => sha256Hex("proof", node);
  const inputs = nodes.map((node) => ({ task: task.id, cycle, node, proofDigest: digest(node), salt: salt(node) }));
  // One meter reading for all of them: reading the CPU clock costs about as much as a commitment.
  const commitments = nodeSide(() => inputs.map((input) => computeCommitment(input)));
  chain.blocksTo(commitWindow(task, cycle).opensAt);
  nodes.forEach((node, index) => {
    chain.send(node, { kind: "commit", task: task.id, cycle, commitment: commitments[index] as string });
  });
  chain.nextBlock();
  phase("commits");
  chain.blocksTo(roundStart(task, cycle + 1));
  for (const node of nodes)
    chain.send(node, { kind: "reveal", task: task.id, cycle, proofDigest: digest(node), salt: salt(node) });
  chain.nextBlock();
  phase("reveals");
  chain.blocksTo(roundStart(task, cycle + 1) + params.revealSlots + 1);
  phase("seed");
  let assigned = 0;
  for (const targets of nodeSide(() => getAuditAssignments(chain.state, task.id, cycle)).values()) {
    assigned += targets.length;
  }
  phase("audit assignment (k=8)");
  const target = nodes[0] as Account;
  const trigger = {
    kind: "triggerAudit",
    task: task.id,
    cycle,
    target,
    triggerKind: "proof",
    verdict: "invalid",
    attempt: 0,
  } as const;
  chain.send(nodes[1] as Account, { ...trigger, reasonDigest: sha256Hex("bad") });
  for (const node of nodes.slice(2))
    chain.send(node, { kind: "vote", task: task.id, cycle, trigger: 0, choice: "invalid" });
  chain.nextBlock();
  chain.blocksTo(roundStart(task, cycle + 1) + params.revealSlots + params.auditSlots + params.voteSlots + 1);
  phase("trigger, votes, resolution");
  chain.blocksTo(roundStart(task, cycle + 2) + 1);
  const record = nodeSide(() => getCycle(chain.state, task.id, cycle));
  if (record === undefined) throw new Error("no cycle");
  const recipients = nodeSide(() => listRevealers(chain.state, task.id, cycle))
    .filter((node) => node !== target)
    .sort();
  const each = record.reserved / BigInt(recipients.length);
  const entries = recipients.map((recipient) => ({ recipient, amount: each }));
  // Any valid submitter may post (§6.1): alone in the window, its list stands whoever it is.
  const poster = recipients[0] as Account;
  const tree = nodeSide(() => listTree(entries));
  chain.send(poster, {
    kind: "submitDistribution",
    task: task.id,
    cycle,
    attempt: 0,
    listRoot: bytesToHex(tree[tree.length - 1]?.[0] as Uint8Array),
    listBlob: listBlobHash(entries),
    total: each * BigInt(entries.length),
    entryCount: entries.length,
  });
  chain.nextBlock();
  phase("distribution list");
  chain.blocksTo(
    roundStart(task, cycle + 2) + params.distributionSlots + params.distributionAuditSlots + params.voteSlots + 1,
  );
  phase("list accepted");
  // Every recipient claims its entry with its proof (§6.4): one transaction each.
  entries.forEach((entry, index) => {
    const proof = nodeSide(() => proofAt(tree, index));
    chain.send(entry.recipient, {
      kind: "claimDistribution",
      task: task.id,
      cycle,
      recipient: entry.recipient,
      amount: entry.amount,
      index,
      proof,
    });
  });
  chain.nextBlock();
  phase("entries claimed into vesting");
  const cycleTransactions = chain.sent - sentBeforeCycle;
  checkTotals(chain.state);
  const heapAfter = heapMb();
  const outcome = getCycle(chain.state, task.id, cycle)?.outcome;
  console.log(
    `\nfull cycle, ${nodeCount} nodes: ${assigned} audit assignments, 1 trigger + ${nodeCount - 2} votes, ` +
      `a ${recipients.length}-entry list and its claims, vesting; outcome: ${outcome}`,
  );
  const column = (ms: number) => ms.toFixed(0).padStart(8);
  console.log(`  ${"ms CPU (each phase with the blocks before it)".padEnd(46)}  blocks   roots nodeside  process`);
  const cycleMs = { blocks: 0, roots: 0, nodeSide: 0, process: 0 };
  for (const [index, { name, process, ms }] of phases.entries()) {
    console.log(`  ${name.padEnd(46)}${column(ms.blocks)}${column(ms.roots)}${column(ms.nodeSide)}${column(process)}`);
    if (index === 0) continue; // the one-time staking is not part of the cycle
    for (const bucket of Object.keys(ms) as Bucket[]) cycleMs[bucket] += ms[bucket];
    cycleMs.process += process;
  }
  const { blocks, roots } = cycleMs;
  const protocolMs = blocks + roots + cycleMs.nodeSide;
  console.log(
    `  ${"cycle, without the staking".padEnd(46)}${column(blocks)}${column(roots)}${column(cycleMs.nodeSide)}${column(cycleMs.process)}`,
  );
  console.log(
    `  protocol CPU per cycle         ${protocolMs.toFixed(0)} ms: blocks, roots and node-side protocol calls (goal < 1000 ms); ` +
      `the ledger's part (blocks and roots) ${(blocks + roots).toFixed(0)} ms; the whole process, with the bench building ` +
      `${cycleTransactions} transactions, ${cycleMs.process.toFixed(0)} ms`,
  );
  const verifyMs = ed25519VerifyMs();
  const ratio = protocolMs / (cycleTransactions * verifyMs);
  console.log(
    `  as a ratio                     ${ratio.toFixed(3)}x of ${cycleTransactions} transactions x one ed25519 verify ` +
      `(${(verifyMs * 1000).toFixed(1)} µs, node:crypto) (goal < 0.25x)`,
  );
  console.log(`  heap growth                    ${(heapAfter - heapBefore).toFixed(1)} MB (goal < 200 MB)`);
}

function rootCost(nodeCount: number, changes: number): void {
  const creator = sha256Hex("bench-creator");
  const nodes = Array.from({ length: nodeCount }, (_, index) => nodeAccount(index));
  const chain = new Chain([creator, ...nodes]);
  chain.nextBlock();
  const task = chain.createTask(creator, { ...DEVNET_PARAMS, maxNodes: nodeCount });
  for (const node of nodes)
    chain.send(node, { kind: "stake", task: task.id, amount: 100n * TOKEN, nodeUrl: "http://127.0.0.1:1" });
  chain.nextBlock();
  trieHash(chain.state.root);
  let records = 0;
  for (const _ of stateEntries(chain.state)) records += 1;
  const samples: { incremental: number; full: number }[] = [];
  for (let block = 0; block < 5; block += 1) {
    for (let change = 0; change < changes; change += 1) {
      chain.send(nodes[(block * changes + change) % nodes.length] as Account, {
        kind: "transfer",
        to: creator,
        amount: 1n,
      });
    }
    chain.nextBlock(false);
    const incrementalStart = performance.now();
    trieHash(chain.state.root);
    const incremental = performance.now() - incrementalStart;
    const fullStart = performance.now();
    trieFullRehash(chain.state.root);
    samples.push({ incremental, full: performance.now() - fullStart });
  }
  samples.sort((left, right) => left.incremental - right.incremental);
  const median = samples[2] as { incremental: number; full: number };
  console.log(
    `\nstate root, ${nodeCount}-node task (${records} records), ${changes} transfers per block (${changes + 2} records changed)`,
  );
  console.log(`  incremental root   ${median.incremental.toFixed(2)} ms (median of 5 blocks)`);
  console.log(`  full rehash        ${median.full.toFixed(0)} ms`);
  console.log(`  ratio              ${(median.full / median.incremental).toFixed(0)}x cheaper (goal >= 100x)`);
}

console.log(
  `gradual bench:protocol, ${new Date().toISOString()}, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}`,
);
fullCycle(Number(process.env.BENCH_NODES ?? 10_000));
rootCost(Number(process.env.BENCH_ROOT_NODES ?? 100_000), 100);
