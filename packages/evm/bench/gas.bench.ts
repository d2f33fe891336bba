/**
 * `npm run bench:evm`: the gas of the Gradual contract per call kind, and per node per round for tasks of 100, 1,000
 * and 10,000 nodes, on anvil (the production contract, address identities, block-time slots, the test ERC-20).
 *
 *   npm run bench:evm                                  # 100, 1,000 and 10,000 nodes
 *   GRADUAL_EVM_BENCH_SIZES=100,1000 npm run bench:evm
 *   GRADUAL_EVM_BENCH_SIZES=20 GRADUAL_EVM_BENCH_TRACE="commit|reveal" npm run bench:evm   # where a call's gas goes
 *   GRADUAL_EVM_BENCH_SIZES= GRADUAL_EVM_BENCH_VESTING=4,16,64 npm run bench:evm   # claims and slashes against V
 *   GRADUAL_EVM_BENCH_SIZES=100 GRADUAL_EVM_BENCH_BOUNTY=10000 npm run bench:evm   # shares as small as 10,000 nodes'
 *
 * GRADUAL_EVM_BENCH_VESTING (opt-in; unset, the run is as below): a separate phase per vestingRounds V, each on a
 * fresh anvil with a task of its own (VESTING_NODES nodes, bounty 50,000 a round): six nodes work cycles 0 to V + 2
 * and claim in every round from round 3 on, so that the claim of round V + 3 makes one rule share into a pool that
 * holds V rounds of pay (the steady state's claim, the `claim` column: the median of the six). In that round node 0
 * raises a proof trigger against node 1's proof of cycle V + 2 and the other nodes vote it invalid: the settle call at
 * the vote close slashes node 1, whose pool holds V rounds of pay (`slash settle`). The last two nodes work one cycle
 * each before and are slashed the same way holding nothing (the first is the task's first slash; the second, the
 * control, is the column `holds none`): the difference of the two columns is what node 1's vesting adds to its slash,
 * its pool's release and writes. Vesting is one pool per account (deviation 42), so neither grows with V: the table
 * and the slopes per round of V follow the other tables (GRADUAL_EVM_BENCH_SIZES empty runs only these phases).
 *
 * For each size: a fresh anvil with automine off (a phase's calls go into blocks of up to 2,500 calls, a block a
 * slot inside the phase's window of 10 slots), the token and the contract deployed, the creator funds every node
 * through the contract's internal `transfer`, the nodes stake, then three cycles of commits and reveals, and the task
 * settled at each round start. Cycle 2 is the steady state of a node's first ring of cycles (a node's first reveal
 * writes slots that later reveals only rewrite, and cycle 1's reveal still writes slots cycle 0 left zero): its
 * commit and reveal are the `commit` and `reveal` rows. In cycle 2's audit window node 0 raises a proof trigger against node 1 and up to 40 nodes vote on it
 * (`vote`; the slot's first vote, which settles the task through the slot, has a row of its own), and above 128 nodes
 * up to 7 more, each the first vote of its 112-id range (`vote (first of a 112-id range)`); the vote close is settled
 * on its own. Claims: in round 3 (the first: makes the shares of cycles 0 and 1),
 * round 4 (makes the share of cycle 2, paid at round 4's start: what a node that claims every round pays) and round
 * 5 (nothing new to make). Then a second task under the `custom` rule with every node staked, one cycle: in its
 * list window the slowest node in the race posts a list of every node's entry and the fastest replaces it, the list
 * vote close accepts it, and every node claims its entry with a proof of ceil(log2 nodes) hashes (7 at 100 nodes, 10
 * at 1,000). Last, a ring in: every node commits and reveals cycles ring - 1 and ring (`Task.entryRing`, 23 here),
 * whose commit rewrites the node's record of cycle 0 (`commit (a ring in: rewrites its record)`), the steady state
 * of a node past its first ring of cycles: every node works cycles ring - 4 to ring + 2 and claims every round, and
 * the claim of round ring + 3 makes one share into a pool that holds four rounds of pay (vesting over
 * four rounds): the steady state's claim. Last of all node 0 raises a late trigger (§5.7) against node 1's proof of
 * cycle ring, completed and in its late-challenge window, and the same voters vote on it (`vote (late)`: each vote
 * weighs at most the voter's reveal in that cycle, deviation 40). A third task pairs its reveals (§2.2): after its
 * ring every node pairs and claims every round, each claim making one share, before its `commitAndReveal` of the round
 * in two rounds and after it in two more (its last reveal is then one cycle newer: one more reveal record read).
 * Every figure is read from the receipts. The cost per node per round is what a node pays for its own calls (a
 * commit, a reveal and a claim that makes one share, a ring in) plus its share of the round's settlement, at a stated
 * L2 gas price.
 */
import {
  computeCommitment,
  type DistributionEntry,
  listBlobHash,
  listRoot,
  listTree,
  proofAt,
  raceTime,
  sha256Hex,
  TOKEN,
} from "@gradual/protocol";
import { type Abi, decodeEventLog, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex } from "viem";
import { startAnvil } from "../src/anvil.ts";
import { compileContracts, gradualAbi, loadArtifact } from "../src/compile.ts";
import { paramsToStruct } from "../test/harnessClient.ts";

type Receipt = {
  status: Hex;
  transactionIndex: Hex;
  gasUsed: Hex;
  contractAddress: Hex | null;
  logs: { address: Hex; topics: Hex[]; data: Hex }[];
};

const SIZES = (process.env.GRADUAL_EVM_BENCH_SIZES ?? "100,1000,10000")
  .split(",")
  .filter((size) => size.trim() !== "")
  .map(Number);
/** vestingRounds of the opt-in phases of claims and slashes against V (GRADUAL_EVM_BENCH_VESTING="4,16,64"). */
const VESTING = (process.env.GRADUAL_EVM_BENCH_VESTING ?? "")
  .split(",")
  .filter((rounds) => rounds.trim() !== "")
  .map(Number);
/** Nodes of a vesting phase: node 0 triggers, node 1 is slashed holding V rounds of pay, the last two holding none. */
const VESTING_NODES = 8;
/** Calls per block; windows of 10 slots then hold 25,000 calls of a phase (one block a slot). */
const BLOCK_CALLS = 2_500;
/** Requests per JSON-RPC batch (a block's calls are sent in several, all before it is mined). */
const BATCH_CALLS = 500;
/** An L2's execution gas price for the cost column: 0.01 gwei (OP-stack chains often run near it; L1 data fees aside). */
const L2_GAS_PRICE_GWEI = 0.01;
const ETH_USD = 3_000;
/** K2, a Solana fork, charges a base fee per signature; Solana's default is 5,000 lamports (1e-9 KOII each). */
const KOII_FEE_PER_TX = 5_000e-9;
/**
 * The main tasks' `bountyPerRound` in base units (GRADUAL_EVM_BENCH_BOUNTY, default 1,000,000): each node's share of a
 * round is this over the number of nodes, and a claim's refund depends on the amounts (see docs/benchmarks.md, "100,
 * 1,000 and 10,000 nodes on the current contracts"), so a size's figures can be reproduced at a smaller size.
 */
const BOUNTY = process.env.GRADUAL_EVM_BENCH_BOUNTY ?? "1000000";
if (!/^[1-9][0-9]*$/.test(BOUNTY)) throw new Error(`GRADUAL_EVM_BENCH_BOUNTY: a positive integer, not ${BOUNTY}`);
/**
 * Phases whose median call is traced and broken down (`GRADUAL_EVM_BENCH_TRACE="commit|reveal"`: labels of the gas
 * table, separated by |): intrinsic cost, each storage write with its cost, reads, logs, hashing and the rest.
 */
const TRACE = new Set(
  (process.env.GRADUAL_EVM_BENCH_TRACE ?? "")
    .split("|")
    .map((label) => label.trim())
    .filter((label) => label !== ""),
);
const profiles: string[] = [];

type StructLog = { op: string; gas: number; gasCost: number; depth: number; pc: number; stack?: string[] };

/** The gas of one transaction by kind of work, from anvil's struct-log trace. */
async function profileOf(
  rpc: <T>(method: string, params: unknown[]) => Promise<T>,
  label: string,
  hash: Hex,
  gasUsed: number,
): Promise<string> {
  const tx = await rpc<{ gas: Hex }>("eth_getTransactionByHash", [hash]);
  const trace = await rpc<{ structLogs: StructLog[] }>("debug_traceTransaction", [
    hash,
    { disableStorage: true, disableMemory: true, enableReturnData: false },
  ]);
  const steps = trace.structLogs;
  if (steps.length === 0) throw new Error(`no struct logs for ${hash}: ${JSON.stringify(trace).slice(0, 300)}`);
  const first = steps[0] as StructLog;
  const last = steps.at(-1) as StructLog;
  const intrinsic = Number.parseInt(tx.gas, 16) - first.gas;
  const execution = first.gas - last.gas + last.gasCost;
  const sum = new Map<string, { count: number; gas: number }>();
  const add = (kind: string, gas: number) => {
    const entry = sum.get(kind) ?? { count: 0, gas: 0 };
    entry.count += 1;
    entry.gas += gas;
    sum.set(kind, entry);
  };
  const writes: string[] = [];
  for (const step of steps) {
    if (step.op === "SSTORE") {
      add(`SSTORE ${step.gasCost}`, step.gasCost);
      writes.push(`${step.gasCost}@${step.depth}:${step.pc}`);
    } else if (step.op === "SLOAD") add(`SLOAD ${step.gasCost}`, step.gasCost);
    else if (step.op.startsWith("LOG")) add(step.op, step.gasCost);
    else if (step.op === "KECCAK256") add("KECCAK256", step.gasCost);
  }
  const counted = [...sum.values()].reduce((total, entry) => total + entry.gas, 0);
  const lines = [
    `${label} (${hash}): gas used ${gasUsed}, intrinsic ${intrinsic}, execution ${execution}, refund ${intrinsic + execution - gasUsed}`,
  ];
  for (const [kind, entry] of [...sum.entries()].sort((l, r) => r[1].gas - l[1].gas)) {
    lines.push(`  ${kind.padEnd(14)} x${String(entry.count).padEnd(4)} ${entry.gas}`);
  }
  lines.push(`  other execution   ${execution - counted}`, `  writes (cost@depth:pc): ${writes.join(" ")}`);
  return lines.join("\n");
}

/** Voter ids per choice word of a trigger (`VOTERS_PER_WORD` in GradualState.sol). */
const VOTERS_PER_WORD = 112;
/** Issue 19's goal for one `vote` call. */
const VOTE_GOAL_GAS = 60_000;

const PARAMS = {
  roundSlots: 40,
  commitSlots: 10,
  revealSlots: 10,
  auditSlots: 10,
  voteSlots: 10,
  distributionSlots: 10,
  distributionAuditSlots: 10,
  minimumStake: "100",
  bountyPerRound: BOUNTY,
  maxNodes: 100_000,
  auditsPerNode: 8,
  auditMode: "sampled",
  triggerBond: "10",
  slashQuorumBps: 6_667,
  slashSupermajorityBps: 7_700,
  minParticipationBps: 2_000,
  slashFractionBps: 5_000,
  whistleblowerShareBps: 1_000,
  losingVotePenalty: "0",
  maxTriggersPerNodePerCycle: 4,
  allowedFailedDistributions: 2,
  warmupRounds: 0,
  rampRounds: 0,
  unbondingRounds: 3,
  vestingRounds: 4,
  maxProofBytes: 1024,
  distributionRule: "weighted",
};

async function main(): Promise<void> {
  // Struct-log traces need anvil started with --steps-tracing.
  if (TRACE.size > 0) process.env.GRADUAL_ANVIL_STEPS = "1";
  compileContracts({ includeTests: true });
  const lines: string[] = [];
  const rows: SizeResult[] = [];
  for (const size of SIZES) {
    const started = performance.now();
    const result = await measure(size);
    rows.push(result);
    process.stderr.write(`bench:evm ${size} nodes: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const vestingRows: VestingResult[] = [];
  for (const rounds of VESTING) {
    const started = performance.now();
    vestingRows.push(await measureVesting(rounds));
    process.stderr.write(`bench:evm vestingRounds ${rounds}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  if (profiles.length > 0) lines.push("gas profiles (GRADUAL_EVM_BENCH_TRACE):", "", ...profiles, "");
  if (rows.length > 0) lines.push(...sizeTables(rows));
  if (vestingRows.length > 0) lines.push(...(lines.length > 0 ? [""] : []), ...vestingTable(vestingRows));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The tables of the runs by task size (the default run). */
function sizeTables(rows: readonly SizeResult[]): string[] {
  const lines: string[] = [];
  lines.push("gas per call (receipts; median, and the largest where it differs):", "");
  lines.push(`| call | ${rows.map((row) => `${row.size} nodes`).join(" | ")} |`);
  lines.push(`| --- | ${rows.map(() => "---").join(" | ")} |`);
  const kinds = [...new Set(rows.flatMap((row) => [...row.gas.keys()]))];
  for (const kind of kinds) {
    lines.push(`| ${kind} | ${rows.map((row) => describe(row.gas.get(kind))).join(" | ")} |`);
  }
  lines.push(
    "",
    "per node per round (steady state, a ring in: a commit, a reveal, a claim that makes one share, and its share of the round's settlement):",
    "",
  );
  lines.push(
    "| nodes | reveals | node calls | settlement / node | total gas | cost at 0.01 gwei, ETH $3,000 | Koii fees (submission and claim, 2 tx) |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    for (const [layout, calls, settlement] of [
      ["unpaired: a commit, a reveal", row.nodeGasPerRound, row.settlementPerNode],
      ["paired: one commitAndReveal", row.pairedNodeGasPerRound, row.pairedSettlementPerNode],
    ] as const) {
      const total = calls + settlement;
      const usd = (total * L2_GAS_PRICE_GWEI * 1e-9 * ETH_USD).toFixed(6);
      lines.push(
        `| ${row.size} | ${layout} | ${calls} | ${settlement.toFixed(1)} | ${total.toFixed(0)} | $${usd} | ${(2 * KOII_FEE_PER_TX).toFixed(6)} KOII |`,
      );
    }
  }
  lines.push("", "issue 19's goals (steady state; every call, not only the median, for the vote):", "");
  lines.push("| goal | nodes | measured | met |", "| --- | --- | --- | --- |");
  for (const row of rows) {
    const pair = median(row.gas.get("commit") ?? []) + median(row.gas.get("reveal") ?? []);
    lines.push(
      `| commit + reveal < 100,000: a node's first ring of cycles (new records) | ${row.size} | ${pair} | ${pair < 100_000 ? "yes" : "no"} |`,
    );
    const ringPair =
      median(row.gas.get("commit (a ring in: rewrites its record)") ?? []) +
      median(row.gas.get("reveal (a ring in)") ?? []);
    lines.push(
      `| commit + reveal < 100,000: after its first ring (the commit rewrites its record) | ${row.size} | ${ringPair} | ${ringPair < 100_000 ? "yes" : "no"} |`,
    );
    // Paired reveals (§2.2): the reveal of cycle c - 1 and the commit of cycle c in one call, a ring in.
    const paired = median(
      row.gas.get("commitAndReveal (paired task, a ring in: rewrites its record; a node's one call a round)") ?? [],
    );
    lines.push(
      `| commit + reveal < 100,000, paired reveals (revealSlots 0): one commitAndReveal a round, a ring in | ${row.size} | ${paired} | ${paired < 100_000 ? "yes" : "no"} |`,
    );
    // The vote's own cost: every vote that settles nothing (the range openers' included); then every vote with
    // the slot's first call, which also pays the task's lazy settlement through the slot.
    const own = [...(row.gas.get("vote") ?? []), ...(row.gas.get("vote (first of a 112-id range)") ?? [])];
    const all = [...own, ...(row.gas.get("vote (the slot's first call: settles the task)") ?? [])];
    const verdict = (values: readonly number[]) => {
      const over = values.filter((value) => value >= VOTE_GOAL_GAS).length;
      return over === 0 ? "yes" : `no: ${over} of ${values.length} votes at or over it`;
    };
    lines.push(
      `| vote < 60,000 in a new book (the task's first trigger): the vote's own cost (votes that settle nothing) | ${row.size} | ${describe(own)} | ${verdict(own)} |`,
    );
    lines.push(
      `| vote < 60,000 in a new book: every vote, the slot's first (settles the task) included | ${row.size} | ${describe(all)} | ${verdict(all)} |`,
    );
    // A ring in: the trigger takes the book of the task's oldest trigger, a ring of cycles earlier, and rewrites its
    // words and list.
    const ringOwn = [
      ...(row.gas.get("vote (a ring in)") ?? []),
      ...(row.gas.get("vote (a ring in; first of a 112-id range: rewrites cycle 2's word)") ?? []),
    ];
    const ringAll = [...ringOwn, ...(row.gas.get("vote (a ring in; the slot's first call: settles the task)") ?? [])];
    lines.push(
      `| vote < 60,000 in a book taken again (a ring in): the vote's own cost (range openers included) | ${row.size} | ${describe(ringOwn)} | ${verdict(ringOwn)} |`,
    );
    lines.push(
      `| vote < 60,000 in a book taken again: every vote, the slot's first included | ${row.size} | ${describe(ringAll)} | ${verdict(ringAll)} |`,
    );
    const late = row.gas.get("vote (late)") ?? [];
    lines.push(
      `| vote < 60,000, late (§5.7: capped by the voter's reveal in the cycle): the vote's own cost | ${row.size} | ${describe(late)} | ${verdict(late)} |`,
    );
    const claim = median(row.gas.get("claim (nothing to make)") ?? []);
    lines.push(`| claim making no share < 80,000 | ${row.size} | ${claim} | ${claim < 80_000 ? "yes" : "no"} |`);
    const share = median(row.gas.get(RING_CLAIM) ?? []);
    lines.push(
      `| claim making a share < 80,000 (a ring in: into a pool holding four rounds of pay) | ${row.size} | ${share} | ${share < 80_000 ? "yes" : "no"} |`,
    );
    for (const [label, text] of [
      [
        "claim (paired task, a ring in: before its commitAndReveal of the round, makes one share)",
        "paired, before its commitAndReveal of the round",
      ],
      [
        "claim (paired task, a ring in: after its commitAndReveal of the round, makes one share)",
        "paired, after its commitAndReveal of the round: one more reveal record read",
      ],
    ] as const) {
      const paired = row.gas.get(label) ?? [];
      if (paired.length === 0) continue;
      const most = Math.max(...paired);
      lines.push(
        `| claim making a share < 80,000 (a ring in, ${text}; every call) | ${row.size} | ${describe(paired)} | ${most < 80_000 ? "yes" : "no"} |`,
      );
    }
  }
  return lines;
}

type SizeResult = {
  readonly size: number;
  readonly gas: Map<string, number[]>;
  /** The median commit, reveal and claim a ring in (the commit rewrites its record; the claim makes one share). */
  readonly nodeGasPerRound: number;
  /** The round's settlement calls (round starts, seed) divided by the number of nodes. */
  readonly settlementPerNode: number;
  readonly pairedNodeGasPerRound: number;
  readonly pairedSettlementPerNode: number;
};

function describe(values: number[] | undefined): string {
  if (values === undefined || values.length === 0) return "";
  const sorted = [...values].sort((left, right) => left - right);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const max = sorted.at(-1) as number;
  return max === median ? `${median}` : `${median} (max ${max})`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** A vesting phase (GRADUAL_EVM_BENCH_VESTING): a task with `vestingRounds` V, its steady claim and its slashes. */
type VestingResult = {
  readonly vestingRounds: number;
  /** What node 1's pool holds locked after its claim of round V + 3 (V rounds of pay, partly released). */
  readonly locked: bigint;
  /** The claims of round V + 3 (each makes one share into the pool): every node but the idle one. */
  readonly claims: number[];
  /** The vote-close settle call that slashes node 1 (its pool holding `locked`). */
  readonly slash: number;
  /** The same a round earlier against a node that holds nothing (the task's second slash, as node 1's is third). */
  readonly slashNone: number;
};

const VESTING_CLAIM = "claim (vesting phase, round V + 3: makes one share into a pool of V rounds of pay)";
const VESTING_SLASH = "settle (vesting phase: the vote close slashes node 1, its pool of V rounds of pay)";
/** The steady state's claim, a ring in (the goal table's). */
const RING_CLAIM = "claim (a ring in: makes one share into its pool, holding four rounds of pay)";
const VESTING_SLASH_NONE = "settle (vesting phase: the vote close slashes a node holding none)";

async function measureVesting(vestingRounds: number): Promise<VestingResult> {
  return (await measure(VESTING_NODES, vestingRounds)) as VestingResult;
}

/**
 * The table of the vesting phases and the slopes per round of V between consecutive V (the slash's from the
 * difference of its two settle calls): about zero, vesting being one pool per account (deviation 42). If the largest V
 * is under 1,008 (the mainnet preset), the figures there extrapolated from the last slope.
 */
function vestingTable(rows: readonly VestingResult[]): string[] {
  const lines = [
    `claims and slashes against vestingRounds (GRADUAL_EVM_BENCH_VESTING; ${VESTING_NODES} nodes, one task a V; receipts):`,
    "",
    "| V | node 1's pool locked at the claim | claim (makes one share; median) | slash settle (node's pool of V rounds of pay) | slash settle (node holds none) | difference |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  const sorted = [...rows].sort((left, right) => left.vestingRounds - right.vestingRounds);
  for (const row of sorted) {
    lines.push(
      `| ${row.vestingRounds} | ${row.locked} | ${describe(row.claims)} | ${row.slash} | ${row.slashNone} | ${row.slash - row.slashNone} |`,
    );
  }
  const slopes: { claim: number; slash: number }[] = [];
  for (let index = 1; index < sorted.length; index += 1) {
    const low = sorted[index - 1] as VestingResult;
    const high = sorted[index] as VestingResult;
    const span = high.vestingRounds - low.vestingRounds;
    if (span <= 0) continue;
    const claim = (median(high.claims) - median(low.claims)) / span;
    const slash = (high.slash - high.slashNone - (low.slash - low.slashNone)) / span;
    slopes.push({ claim, slash });
    if (slopes.length === 1) lines.push("", "per round of V:");
    lines.push(
      `  V ${low.vestingRounds} to ${high.vestingRounds}: claim ${claim.toFixed(2)} gas, slash ${slash.toFixed(2)} gas`,
    );
  }
  const high = sorted.at(-1) as VestingResult;
  const last = slopes.at(-1);
  if (last !== undefined && high.vestingRounds < 1_008) {
    const at = (value: number, slope: number) => Math.round(value + slope * (1_008 - high.vestingRounds));
    lines.push(
      `at V = 1,008, extrapolated from the last slope (not measured): claim ${at(median(high.claims), last.claim)} gas, slash settle ${at(high.slash, last.slash)} gas`,
    );
  }
  return lines;
}

async function measure(size: number): Promise<SizeResult>;
async function measure(size: number, vestingRounds: number): Promise<VestingResult>;
async function measure(size: number, vestingRounds?: number): Promise<SizeResult | VestingResult> {
  const measureStarted = performance.now();
  const anvil = await startAnvil({ gasLimit: 2_000_000_000n });
  let id = 0;
  const nextId = () => {
    id += 1;
    return id;
  };
  const rpc = async <T>(method: string, params: unknown[]): Promise<T> => {
    const response = await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId(), method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  /**
   * JSON-RPC batches of at most BATCH_CALLS requests (a batch of 2,500 list claims is over anvil's request size);
   * results in order.
   */
  const batch = async <T>(calls: readonly { method: string; params: unknown[] }[]): Promise<T[]> => {
    const results: T[] = [];
    for (let start = 0; start < calls.length; start += BATCH_CALLS) {
      const part = calls.slice(start, start + BATCH_CALLS);
      const response = await fetch(anvil.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(part.map((call, index) => ({ jsonrpc: "2.0", id: index, ...call }))),
      });
      const body = (await response.json()) as unknown;
      if (!Array.isArray(body)) {
        throw new Error(`a batch of ${part.length} ${part[0]?.method} calls: ${JSON.stringify(body).slice(0, 300)}`);
      }
      const entries = body as { id: number; result?: T; error?: { message: string } }[];
      entries.sort((left, right) => left.id - right.id);
      for (const entry of entries) {
        if (entry.error !== undefined) throw new Error(entry.error.message);
        results.push(entry.result as T);
      }
    }
    return results;
  };
  try {
    await rpc("evm_setAutomine", [false]);
    await rpc("anvil_autoImpersonateAccount", [true]);
    const [creator] = await rpc<Hex[]>("eth_accounts", []);
    const token = loadArtifact("TestToken", { includeTests: true });
    const tokenAbi = token.abi as Abi;
    // Gradual and its modules (settle, claim, triggers, votes, lists and the rest run there by delegatecall).
    const abi = gradualAbi({ includeTests: true }) as Abi;
    const gas = new Map<string, number[]>();
    let timestamp = BigInt((await rpc<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false])).timestamp) + 10n;
    // Setup runs at negative slots, far enough before slot 0 that its blocks (one a slot) end before createTask's.
    const genesis = timestamp + 100n;
    /** Each sender's next nonce, assigned here: a batch of one sender's calls must not race for one. */
    const nonces = new Map<string, number>();
    const nonceOf = (from: Hex) => {
      const next = nonces.get(from) ?? 0;
      nonces.set(from, next + 1);
      return `0x${next.toString(16)}`;
    };
    /** Sends the calls in blocks of BLOCK_CALLS mined at `slot`'s timestamp; records each receipt's gas. */
    const run = async (label: string, slot: number, calls: readonly { from: Hex; to: Hex | null; data: Hex }[]) => {
      const receipts: Receipt[] = [];
      const hashesOf: Hex[] = [];
      for (let start = 0; start < calls.length; start += BLOCK_CALLS) {
        const slice = calls.slice(start, start + BLOCK_CALLS);
        const hashes = await batch<Hex>(
          slice.map((call) => ({
            method: "eth_sendTransaction",
            params: [
              {
                from: call.from,
                ...(call.to === null ? {} : { to: call.to }),
                data: call.data,
                gas: "0x1c9c380",
                nonce: nonceOf(call.from),
              },
            ],
          })),
        );
        const next = genesis + BigInt(slot);
        timestamp = next > timestamp ? next : timestamp + 1n;
        await rpc("evm_mine", [`0x${timestamp.toString(16)}`]);
        hashesOf.push(...hashes);
        const got = await batch<Receipt>(
          hashes.map((hash) => ({ method: "eth_getTransactionReceipt", params: [hash] })),
        );
        for (const [index, receipt] of got.entries()) {
          if (receipt.status !== "0x1") {
            const failed = slice[index] as { from: Hex; to: Hex | null; data: Hex };
            const why = await rpc<Hex>("eth_call", [{ from: failed.from, to: failed.to, data: failed.data }, "latest"])
              .then(() => "no revert when replayed")
              .catch((error: Error) => error.message);
            const now = await rpc<Hex>("eth_call", [{ to: contract, data: call("currentSlot", []) }, "latest"]).catch(
              () => "?",
            );
            throw new Error(`${label} reverted at slot ${slot} (call ${start + index}, contract slot ${now}): ${why}`);
          }
          receipts.push(receipt);
        }
      }
      const used = receipts.map((receipt) => Number.parseInt(receipt.gasUsed, 16));
      gas.set(label, [...(gas.get(label) ?? []), ...used]);
      // Progress on the long sizes (10,000 nodes takes the better part of an hour): a line per phase of many calls.
      if (calls.length >= 1_000) {
        const elapsed = ((performance.now() - measureStarted) / 1000).toFixed(0);
        process.stderr.write(`bench:evm ${size} nodes, ${elapsed} s: ${label} (${calls.length} calls)\n`);
      }
      if (TRACE.has(label) && hashesOf.length > 0) {
        // The median call's gas, broken down (GRADUAL_EVM_BENCH_TRACE).
        const order = used.map((value, index) => [value, index] as const).sort((l, r) => l[0] - r[0]);
        const [value, index] = order[Math.floor(order.length / 2)] as readonly [number, number];
        profiles.push(await profileOf(rpc, label, hashesOf[index] as Hex, value));
      }
      return receipts;
    };
    const call = (functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi, functionName, args });

    const [tokenDeploy] = await run("deploy TestToken", -90, [
      { from: creator as Hex, to: null, data: encodeDeployData({ abi: tokenAbi, bytecode: token.bytecode }) },
    ]);
    const tokenAddress = (tokenDeploy as Receipt).contractAddress as Hex;
    // The modules first, then Gradual with their addresses (as deployContracts does), each in a block of its own.
    const deployAt = async (label: string, slot: number, name: string, args: readonly unknown[]) => {
      const artifact = loadArtifact(name, { includeTests: true });
      const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args: args as unknown[] });
      const [receipt] = await run(label, slot, [{ from: creator as Hex, to: null, data }]);
      return (receipt as Receipt).contractAddress as Hex;
    };
    const clock = [tokenAddress, genesis, 1_000] as const;
    const audits = await deployAt("deploy GradualAudits", -89, "GradualAudits", clock);
    const lists = await deployAt("deploy GradualLists", -89, "GradualLists", [...clock, audits]);
    const tasks = await deployAt("deploy GradualTasks", -89, "GradualTasks", [...clock, audits]);
    const contract = await deployAt("deploy Gradual", -89, "Gradual", [...clock, audits, lists, tasks]);
    const supply = BigInt(size) * 1_000n + 100_000_000n;
    await run("mint, approve", -88, [
      {
        from: creator as Hex,
        to: tokenAddress,
        data: encodeFunctionData({ abi: tokenAbi, functionName: "mint", args: [creator, supply] }),
      },
      {
        from: creator as Hex,
        to: tokenAddress,
        data: encodeFunctionData({ abi: tokenAbi, functionName: "approve", args: [contract, supply] }),
      },
    ]);
    await run("deposit", -87, [{ from: creator as Hex, to: contract, data: call("deposit", [supply]) }]);
    const nodes = Array.from(
      { length: size },
      (_, index) => `0x${"b0".repeat(4)}${(index + 1).toString(16).padStart(32, "0")}` as Hex,
    );
    const idOf = (address: Hex) => `0x${address.slice(2).toLowerCase().padStart(64, "0")}` as Hex;
    for (let start = 0; start < nodes.length; start += 500) {
      await batch(
        nodes
          .slice(start, start + 500)
          .map((node) => ({ method: "anvil_setBalance", params: [node, "0x56bc75e2d63100000"] })),
      );
    }
    await run(
      "transfer",
      -80,
      nodes.map((node) => ({ from: creator as Hex, to: contract, data: call("transfer", [idOf(node), 1_000n]) })),
    );
    if (vestingRounds !== undefined) {
      return await vestingPhase(vestingRounds, {
        run,
        rpc,
        call,
        creator: creator as Hex,
        contract,
        nodes,
        idOf,
        abi,
        gas,
      });
    }
    const params = paramsToStruct(PARAMS);
    const created = await run("createTask", 0, [
      {
        from: creator as Hex,
        to: contract,
        data: call("createTask", ["bench", `0x${sha256Hex("bundle")}`, `0x${"0".repeat(64)}`, params, 50_000_000n]),
      },
    ]);
    const taskLog = (created[0] as Receipt).logs.find((log) => log.address.toLowerCase() === contract.toLowerCase());
    const task = taskLog?.topics[1] as Hex;
    // createTask in slot 0: round 0 starts at slot 1; rounds of 20 slots.
    const roundStart = (round: number) => 1 + round * PARAMS.roundSlots;
    await run(
      "stake",
      roundStart(0) + 1,
      nodes.map((node) => ({ from: node, to: contract, data: call("stake", [task, 500n, "http://node.test"]) })),
    );
    const settlement: number[] = [];
    /** Nodes voting on the trigger against node 1: each vote is a step of the vote close (64 a settle call). */
    const voters = nodes.slice(2, 2 + Math.min(40, size - 2));
    /**
     * Node 0's proof trigger against node 1's proof of `cycle` at `slot` (`triggerLabel`), then `voting`'s votes on it
     * in the next slot (`voteLabel`): each vote's gas, and the index of the slot's first call (it also settles the
     * task through the slot, so the callers give it a row of its own).
     */
    const triggerAndVotes = async (
      labels: { readonly trigger: string; readonly vote: string },
      slot: number,
      cycle: number,
      voting: readonly Hex[],
      reason: string,
    ) => {
      await run(labels.trigger, slot, [
        {
          from: nodes[0] as Hex,
          to: contract,
          data: call("triggerAudit", [task, cycle, 0, 0, 0, idOf(nodes[1] as Hex), `0x${sha256Hex(reason)}`]),
        },
      ]);
      const receipts = await run(
        labels.vote,
        slot + 1,
        voting.map((node) => ({ from: node, to: contract, data: call("vote", [task, cycle, 0, 0]) })),
      );
      return {
        used: receipts.map((receipt) => Number.parseInt(receipt.gasUsed, 16)),
        first: receipts.findIndex((receipt) => Number.parseInt(receipt.transactionIndex, 16) === 0),
      };
    };
    for (const cycle of [0, 1, 2]) {
      const commitSlot = roundStart(cycle + 1) - PARAMS.commitSlots;
      const proof = (node: Hex) => sha256Hex(`proof:${cycle}:${node}`);
      const salt = (node: Hex) => sha256Hex(`salt:${cycle}:${node}`);
      const commitments = nodes.map((node) =>
        computeCommitment({
          task: task.slice(2),
          cycle,
          node: idOf(node).slice(2),
          proofDigest: proof(node),
          salt: salt(node),
        }),
      );
      const label = cycle < 2 ? ` (cycle ${cycle})` : "";
      const first = cycle < 2 ? `, cycle ${cycle}` : "";
      // Nothing is due here (round cycle's start was settled when its first call came): the cost of a no-op settle.
      await run("settle (nothing due)", roundStart(cycle + 1) - PARAMS.commitSlots - 1, [
        { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
      ]);
      await run(
        `commit${label}`,
        commitSlot,
        nodes.map((node, index) => ({
          from: node,
          to: contract,
          data: call("commit", [task, cycle, `0x${commitments[index]}`]),
        })),
      );
      // The round start: cycle + 2 starts and reserves its bounty (the first call of the round pays for it).
      const round = await run(`settle (round start${first})`, roundStart(cycle + 1), [
        { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
      ]);
      if (cycle === 2) settlement.push(...round.map((receipt) => Number.parseInt(receipt.gasUsed, 16)));
      await run(
        `reveal${label}`,
        roundStart(cycle + 1) + 1,
        nodes.map((node) => ({
          from: node,
          to: contract,
          data: call("reveal", [task, cycle, `0x${proof(node)}`, `0x${salt(node)}`]),
        })),
      );
      const seed = await run(`settle (reveal close, seed${first})`, roundStart(cycle + 1) + PARAMS.revealSlots, [
        { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
      ]);
      if (cycle === 2) settlement.push(...seed.map((receipt) => Number.parseInt(receipt.gasUsed, 16)));
    }
    // Cycle 2's audit window opens with its seed (roundStart(3) + revealSlots): a trigger, the votes, and the first
    // claims (cycles 0 and 1 were paid at the starts of rounds 2 and 3), then the vote close on its own.
    const auditOpens = roundStart(3) + PARAMS.revealSlots;
    // Voter ids follow the stake order (node i has id i + 1); the 40 voters' ids share the triggerer's choice word
    // (ids 0-111). Above 112 nodes, the node with id 112k (k = 1..7) votes too, the first of its 112-id range: its
    // vote makes the range's choice word and lists it (`vote (first of a 112-id range)`); the list's seventh entry
    // is the first of its second word.
    const openers = Array.from({ length: 7 }, (_, k) => nodes[VOTERS_PER_WORD * (k + 1) - 1]).filter(
      (node): node is Hex => node !== undefined,
    );
    const { used: voteGas, first } = await triggerAndVotes(
      { trigger: "triggerAudit (proof, invalid; its first vote)", vote: "vote" },
      auditOpens + 1,
      2,
      [...voters, ...openers],
      "reason",
    );
    // The slot's first call settles the task through the slot (`settledSlot`): its own row, so that `vote` is the
    // vote's own cost; the range openers' votes, the last ones, have theirs.
    const opened = new Set(openers.map((_node, index) => voters.length + index));
    gas.set(
      "vote",
      voteGas.filter((_value, index) => index !== first && !opened.has(index)),
    );
    gas.set("vote (the slot's first call: settles the task)", [voteGas[first] as number]);
    if (opened.size > 0) {
      gas.set(
        "vote (first of a 112-id range)",
        voteGas.filter((_value, index) => index !== first && opened.has(index)),
      );
    }
    await run(
      "claim (first: makes the shares of cycles 0 and 1)",
      auditOpens + 3,
      nodes.map((node) => ({ from: node, to: contract, data: call("claim", [task]) })),
    );
    await run(
      `settle (proof vote close: 1 trigger, ${voters.length + openers.length + 1} votes)`,
      auditOpens + PARAMS.auditSlots + PARAMS.voteSlots,
      [{ from: creator as Hex, to: contract, data: call("settle", [task, 64n]) }],
    );
    // Payments: cycle c is paid by its rule at round c + 2's start and vests over 4 rounds from there. Round 4's claim
    // makes the share of cycle 2 (a node claiming every round makes one each time); round 5's makes none.
    /**
     * The custom rule (a second task from slot `created`, every node staked, one cycle): in its list window the
     * slowest node in the race posts a list of every node's entry, then the fastest replaces it; after the vote close
     * every node claims its entry with a proof of ceil(log2(nodes)) hashes.
     */
    const measureLists = async (created: number) => {
      const listTask = await run("createTask (custom rule)", created, [
        {
          from: creator as Hex,
          to: contract,
          data: call("createTask", [
            "bench-lists",
            `0x${sha256Hex("bundle")}`,
            `0x${"0".repeat(64)}`,
            paramsToStruct({ ...PARAMS, distributionRule: "custom" }),
            10_000_000n,
          ]),
        },
      ]);
      const log = (listTask[0] as Receipt).logs.find((entry) => entry.address.toLowerCase() === contract.toLowerCase());
      const id = log?.topics[1] as Hex;
      const start = (round: number) => created + 1 + round * PARAMS.roundSlots;
      await run(
        "stake (custom-rule task)",
        start(0) + 1,
        nodes.map((node) => ({ from: node, to: contract, data: call("stake", [id, 200n, "http://node.test"]) })),
      );
      const proof = (node: Hex) => sha256Hex(`list-proof:${node}`);
      const salt = (node: Hex) => sha256Hex(`list-salt:${node}`);
      await run(
        "commit (custom-rule task)",
        start(1) - PARAMS.commitSlots,
        nodes.map((node) => ({
          from: node,
          to: contract,
          data: call("commit", [
            id,
            0,
            `0x${computeCommitment({ task: id.slice(2), cycle: 0, node: idOf(node).slice(2), proofDigest: proof(node), salt: salt(node) })}`,
          ]),
        })),
      );
      await run(
        "reveal (custom-rule task)",
        start(1) + 1,
        nodes.map((node) => ({
          from: node,
          to: contract,
          data: call("reveal", [id, 0, `0x${proof(node)}`, `0x${salt(node)}`]),
        })),
      );
      const sealed = await run("settle (reveal close, custom-rule task)", start(1) + PARAMS.revealSlots, [
        { from: creator as Hex, to: contract, data: call("settle", [id, 64n]) },
      ]);
      // SeedFixed(task, cycle, seed, revealCount): the seed is its data's second word.
      const seedLog = (sealed[0] as Receipt).logs.find(
        (entry) => entry.topics[1] === id && entry.data.length === 2 + 3 * 64,
      );
      const seed = seedLog?.data.slice(2 + 64, 2 + 128) as string;
      const entries: DistributionEntry[] = nodes.map((node) => ({
        recipient: idOf(node).slice(2),
        amount: BigInt(PARAMS.bountyPerRound) / BigInt(size),
      }));
      const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
      const byRace = [...nodes].sort((a, b) =>
        Number(raceTime(seed, 0, idOf(b).slice(2)) - raceTime(seed, 0, idOf(a).slice(2))),
      );
      const list = [id, 0, 0, `0x${listRoot(entries)}`, `0x${listBlobHash(entries)}`, total, entries.length];
      // The list window of cycle 0 opens at round 2's start; its round start is settled first.
      await run("settle (round start, custom-rule task)", start(2), [
        { from: creator as Hex, to: contract, data: call("settle", [id, 64n]) },
      ]);
      await run("submitDistribution (first list)", start(2) + 1, [
        { from: byRace[0] as Hex, to: contract, data: call("submitDistribution", list) },
      ]);
      await run("submitDistribution (replaces the list in force)", start(2) + 2, [
        { from: byRace.at(-1) as Hex, to: contract, data: call("submitDistribution", list) },
      ]);
      await run(
        "settle (list vote close: accepted)",
        start(2) + PARAMS.distributionSlots + PARAMS.distributionAuditSlots + PARAMS.voteSlots,
        [{ from: creator as Hex, to: contract, data: call("settle", [id, 64n]) }],
      );
      const tree = listTree(entries);
      await run(
        "claimDistribution (an entry of a list of every node: a proof of ceil(log2 nodes) hashes)",
        start(3) - 5,
        nodes.map((node, index) => ({
          from: node,
          to: contract,
          data: call("claimDistribution", [
            id,
            0,
            idOf(node),
            entries[index]?.amount,
            BigInt(index),
            proofAt(tree, index).map((hash) => `0x${hash}`),
          ]),
        })),
      );
    };
    /**
     * A task of its own, created at slot `created`, in which every node stakes 200 in its round 0; the task's id and
     * its round starts. Its rows are labelled `createTask (<kind>)` and `stake (<kind>)`.
     */
    const stakedTask = async (kind: string, name: string, created: number, params: typeof PARAMS, funding: bigint) => {
      const made = await run(`createTask (${kind})`, created, [
        {
          from: creator as Hex,
          to: contract,
          data: call("createTask", [
            name,
            `0x${sha256Hex("bundle")}`,
            `0x${"0".repeat(64)}`,
            paramsToStruct(params),
            funding,
          ]),
        },
      ]);
      const log = (made[0] as Receipt).logs.find((entry) => entry.address.toLowerCase() === contract.toLowerCase());
      const id = log?.topics[1] as Hex;
      const start = (round: number) => created + 1 + round * PARAMS.roundSlots;
      await run(
        `stake (${kind})`,
        start(0) + 1,
        nodes.map((node) => ({ from: node, to: contract, data: call("stake", [id, 200n, "http://node.test"]) })),
      );
      return { id, start };
    };
    /**
     * A third task whose reveals are paired with its commits (§2.2, `revealSlots` 0: cycle c's reveal window is cycle
     * c + 1's commit window), every node staked: a node's one call a round is `commitAndReveal`, its reveal of cycle
     * c - 1 and its commit of cycle c. Every node commits cycle 0, pairs cycles 1 and 2 (new records), reveals cycle 2
     * alone; then, a ring in (`Task.entryRing`, 24 for these parameters: a round more than unpaired), commits cycle
     * ring - 1, claims (the shares of cycles 0-2, so that no commit a ring in has one to make first, as for a node that
     * claims every round) and pairs cycles ring to ring + 2, whose commits rewrite its records of cycles 0 to 2.
     * Every window end is settled by a call of its own first, so that each row is the call's own cost.
     */
    const measurePaired = async (created: number) => {
      const { id, start } = await stakedTask(
        "paired task",
        "bench-paired",
        created,
        { ...PARAMS, revealSlots: 0 },
        35_000_000n,
      );
      const ringPaired = Math.max(PARAMS.vestingRounds + 1, 16) + PARAMS.allowedFailedDistributions + 6;
      const proof = (cycle: number, node: Hex) => sha256Hex(`paired-proof:${cycle}:${node}`);
      const salt = (cycle: number, node: Hex) => sha256Hex(`paired-salt:${cycle}:${node}`);
      const commitmentOf = (cycle: number, node: Hex) =>
        `0x${computeCommitment({ task: id.slice(2), cycle, node: idOf(node).slice(2), proofDigest: proof(cycle, node), salt: salt(cycle, node) })}`;
      const settleAt = (label: string, slot: number) =>
        run(label, slot, [{ from: creator as Hex, to: contract, data: call("settle", [id, 64n]) }]);
      // The calls of cycle `cycle`'s commit window: a commit, a pair, or the reveal of cycle - 1 alone.
      const work = async (label: string, cycle: number, kind: "commit" | "pair" | "reveal") => {
        const committing = start(cycle + 1) - PARAMS.commitSlots;
        await settleAt("settle (paired task: before a commit window)", committing);
        await run(
          label,
          committing + 1,
          nodes.map((node) => {
            const revealed = [`0x${proof(cycle - 1, node)}`, `0x${salt(cycle - 1, node)}`];
            const data =
              kind === "commit"
                ? call("commit", [id, cycle, commitmentOf(cycle, node)])
                : kind === "reveal"
                  ? call("reveal", [id, cycle - 1, ...revealed])
                  : call("commitAndReveal", [id, cycle, commitmentOf(cycle, node), ...revealed]);
            return { from: node, to: contract, data };
          }),
        );
      };
      await work("commit (paired task, cycle 0)", 0, "commit");
      await work("commitAndReveal (paired task, cycles 1-2: new records)", 1, "pair");
      await work("commitAndReveal (paired task, cycles 1-2: new records)", 2, "pair");
      await work("reveal (paired task, alone: cycle 2, in cycle 3's commit window)", 3, "reveal");
      // The rounds before a ring in, in bounded settle calls (a round start that starts a cycle is a step each).
      for (let round = 4; round < ringPaired - 1; round += 8) {
        await settleAt("settle (paired task: the rounds before a ring in)", start(round));
      }
      await work("commit (paired task, cycle ring - 1)", ringPaired - 1, "commit");
      await run(
        "claim (paired task: the shares of cycles 0-2)",
        start(ringPaired) - PARAMS.commitSlots + 2,
        nodes.map((node) => ({ from: node, to: contract, data: call("claim", [id]) })),
      );
      for (let cycle = ringPaired; cycle <= ringPaired + 2; cycle += 1) {
        await work(
          "commitAndReveal (paired task, a ring in: rewrites its record; a node's one call a round)",
          cycle,
          "pair",
        );
      }
      // A node that claims every round: cycle c is paid at the start of round c + 3 (paired, §2.2), so the claim of
      // round r makes the share of cycle r - 3. Before the round's commitAndReveal the node's last reveal is of
      // r - 2; after it, of r - 1, and the walk down its reveals reads one record more (`_revealsFrom`).
      const claim = (label: string, slot: number) =>
        run(
          label,
          slot,
          nodes.map((node) => ({ from: node, to: contract, data: call("claim", [id]) })),
        );
      for (let cycle = ringPaired + 3; cycle <= ringPaired + 7; cycle += 1) {
        const committing = start(cycle + 1) - PARAMS.commitSlots;
        if (cycle <= ringPaired + 5) {
          // Round ring + 3 makes the shares of cycles ring - 1 and ring; each later claim makes one.
          await settleAt("settle (paired task: before a claim)", start(cycle) + 1);
          await claim(
            cycle === ringPaired + 3
              ? "claim (paired task: the shares of cycles ring - 1 and ring)"
              : "claim (paired task, a ring in: before its commitAndReveal of the round, makes one share)",
            start(cycle) + 2,
          );
        }
        await work("commitAndReveal (paired task: the rounds of the claims)", cycle, "pair");
        if (cycle >= ringPaired + 6) {
          await claim(
            "claim (paired task, a ring in: after its commitAndReveal of the round, makes one share)",
            committing + 2,
          );
        }
      }
    };
    /**
     * A fourth task with the devnet preset's warm-up and ramp (`warmupRounds` 1, `rampRounds` 3; the other tasks
     * stake with neither, so their nodes' stake is folded from the start): every node stakes once in round 0 (its lot
     * activates in round 1 and weighs in full from round 3), then commits and reveals cycles 1 to 6. A commit reads
     * the node's lot and the ramp parameter while the lot ramps (cycles 1 and 2), folds it in the first commit after
     * the task's ramp did (cycle 3: cycle 3's start folds the ramp through round 1, §3.3, §8.1), and
     * reads no lot from then on (deviation 44). Records are new (the first ring): compare with `commit (cycle 1)`.
     */
    const measureRamping = async (created: number) => {
      // A smaller bounty: what the creator has left pays 15 rounds of it.
      const rampingParams = { ...PARAMS, warmupRounds: 1, rampRounds: 3, bountyPerRound: "100000" };
      const { id, start } = await stakedTask("ramping task", "bench-ramping", created, rampingParams, 1_500_000n);
      const proof = (cycle: number, node: Hex) => sha256Hex(`ramping-proof:${cycle}:${node}`);
      const salt = (cycle: number, node: Hex) => sha256Hex(`ramping-salt:${cycle}:${node}`);
      const settleAt = (label: string, slot: number) =>
        run(label, slot, [{ from: creator as Hex, to: contract, data: call("settle", [id, 64n]) }]);
      for (let cycle = 1; cycle <= 6; cycle += 1) {
        const committing = start(cycle + 1) - PARAMS.commitSlots;
        await settleAt("settle (ramping task: before a window)", committing);
        await run(
          cycle <= 2
            ? "commit (ramping task, cycles 1-2: the lot still ramps; new records)"
            : cycle === 3
              ? "commit (ramping task, cycle 3: folds the lot the ramp folded; new records)"
              : "commit (ramping task, cycles 4-6: folded; new records)",
          committing + 1,
          nodes.map((node) => ({
            from: node,
            to: contract,
            data: call("commit", [
              id,
              cycle,
              `0x${computeCommitment({ task: id.slice(2), cycle, node: idOf(node).slice(2), proofDigest: proof(cycle, node), salt: salt(cycle, node) })}`,
            ]),
          })),
        );
        await settleAt("settle (ramping task: before a window)", start(cycle + 1));
        await run(
          "reveal (ramping task, cycles 1-6; new records)",
          start(cycle + 1) + 1,
          nodes.map((node) => ({
            from: node,
            to: contract,
            data: call("reveal", [id, cycle, `0x${proof(cycle, node)}`, `0x${salt(cycle, node)}`]),
          })),
        );
      }
    };
    await run("settle (round 4 start: pays cycle 2)", roundStart(4), [
      { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
    ]);
    await run(
      "claim (makes one share)",
      roundStart(4) + 1,
      nodes.map((node) => ({ from: node, to: contract, data: call("claim", [task]) })),
    );
    await run("settle (round 5 start)", roundStart(5), [
      { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
    ]);
    await run(
      "claim (nothing to make)",
      roundStart(5) + 1,
      nodes.map((node) => ({ from: node, to: contract, data: call("claim", [task]) })),
    );
    await measureLists(roundStart(6));
    // A ring in: a node's commit of cycle c + ring rewrites its record of cycle c (`Task.entryRing` cycles: 23 for
    // these parameters). Every node works cycles ring - 4 to ring + 2 (new records up to ring - 1; cycles ring to
    // ring + 2 rewrite those of cycles 0 to 2) and claims in every round from ring - 1 on, so that when cycle ring's
    // commit checks the share of the cycle it rewrites, the node has shares still to make (as a node that claims
    // every round does), and its pool holds four rounds of pay (vestingRounds) from round ring + 2 on: each claim
    // makes one share into it and releases what it holds. The claim of round ring + 3 (as every later claim): the
    // steady state's claim. The rounds before are settled first.
    const ring = Math.max(PARAMS.vestingRounds + 1, 16) + PARAMS.allowedFailedDistributions + 5;
    for (let cycle = ring - 4; cycle <= ring + 2; cycle += 1) {
      const proof = (node: Hex) => sha256Hex(`proof:${cycle}:${node}`);
      const salt = (node: Hex) => sha256Hex(`salt:${cycle}:${node}`);
      const committing = roundStart(cycle + 1) - PARAMS.commitSlots;
      if (cycle === ring - 4) {
        for (let step = 0; step < 4; step += 1) {
          await run("settle (the rounds before a ring in)", committing - 4 + step, [
            { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
          ]);
        }
      }
      const inRing = cycle >= ring;
      await run(
        inRing ? "commit (a ring in: rewrites its record)" : "commit (cycles ring - 4 to ring - 1: new records)",
        committing,
        nodes.map((node) => {
          const node32 = idOf(node).slice(2);
          const commitment = computeCommitment({
            task: task.slice(2),
            cycle,
            node: node32,
            proofDigest: proof(node),
            salt: salt(node),
          });
          return { from: node, to: contract, data: call("commit", [task, cycle, `0x${commitment}`]) };
        }),
      );
      await run("settle (round start)", roundStart(cycle + 1), [
        { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
      ]);
      await run(
        inRing ? "reveal (a ring in)" : "reveal (cycles ring - 4 to ring - 1)",
        roundStart(cycle + 1) + 1,
        nodes.map((node) => ({
          from: node,
          to: contract,
          data: call("reveal", [task, cycle, `0x${proof(node)}`, `0x${salt(node)}`]),
        })),
      );
      await run("settle (reveal close, seed)", roundStart(cycle + 1) + PARAMS.revealSlots, [
        { from: creator as Hex, to: contract, data: call("settle", [task, 64n]) },
      ]);
      // The claim of round cycle + 1: it makes cycle cycle - 1's share, paid at that round's start (from round
      // ring - 1 on: a share releases nothing in its first round, so round ring - 2 would have nothing to claim).
      if (cycle < ring - 2) continue;
      const steady = cycle + 1 === ring + 3;
      await run(
        steady ? RING_CLAIM : "claim (rounds ring - 1 to ring + 2: the pool fills)",
        roundStart(cycle + 1) + PARAMS.revealSlots + 1,
        nodes.map((node) => ({ from: node, to: contract, data: call("claim", [task]) })),
      );
      // Votes a ring in: cycle ring + 2's trigger takes the book of cycle 2's (the task's oldest trigger, a ring
      // earlier: `_takeBook`), so the same voters rewrite cycle 2's choice words and list. Any trigger of a cycle a
      // ring or more after the oldest would (the test "a trigger's votes are kept in a book" raises it at another
      // ring position); the late trigger below takes a new book (the oldest is then cycle ring + 2's).
      if (cycle !== ring + 2) continue;
      const { used: ringGas, first: firstRing } = await triggerAndVotes(
        { trigger: "triggerAudit (proof, invalid; a ring in)", vote: "vote (a ring in)" },
        roundStart(cycle + 1) + PARAMS.revealSlots + 2,
        cycle,
        [...voters, ...openers],
        "reason",
      );
      gas.set(
        "vote (a ring in)",
        ringGas.filter((_value, index) => index !== firstRing && index < voters.length),
      );
      gas.set("vote (a ring in; the slot's first call: settles the task)", [ringGas[firstRing] as number]);
      if (openers.length > 0) {
        gas.set(
          "vote (a ring in; first of a 112-id range: rewrites cycle 2's word)",
          ringGas.filter((_value, index) => index !== firstRing && index >= voters.length),
        );
      }
      // A late trigger (§5.7) of cycle ring, completed at round ring + 2's start and in its late-challenge window
      // until round ring + 6: each vote weighs at most the voter's reveal in the cycle (deviation 40), one more read
      // of the voter's record of that cycle than a vote of the review window.
      const { used: lateGas, first: firstLate } = await triggerAndVotes(
        { trigger: "triggerAudit (late, proof, invalid; its first vote)", vote: "vote (late)" },
        roundStart(cycle + 1) + PARAMS.revealSlots + 4,
        ring,
        voters,
        "late",
      );
      gas.set(
        "vote (late)",
        lateGas.filter((_value, index) => index !== firstLate),
      );
      gas.set("vote (late; the slot's first call: settles the task)", [lateGas[firstLate] as number]);
    }
    await measurePaired(roundStart(ring + 4));
    // After the paired task's last round (its cycle ring + 7, some 32 rounds after its creation).
    await measureRamping(roundStart(ring + 4 + 40));
    const nodeGasPerRound =
      median(gas.get("commit (a ring in: rewrites its record)") ?? []) +
      median(gas.get("reveal (a ring in)") ?? []) +
      median(gas.get(RING_CLAIM) ?? []);
    const settlementPerNode = settlement.reduce((sum, value) => sum + value, 0) / size;
    // A paired task (§2.2): one commitAndReveal and the same claim (the claim's code does not depend on the layout);
    // its settlement, one call before each commit window, settles the round's window ends.
    const pairedNodeGasPerRound =
      median(
        gas.get("commitAndReveal (paired task, a ring in: rewrites its record; a node's one call a round)") ?? [],
      ) + median(gas.get(RING_CLAIM) ?? []);
    const pairedSettlementPerNode = median(gas.get("settle (paired task: before a commit window)") ?? []) / size;
    for (const label of ["deploy TestToken", "mint, approve", "deposit"]) gas.delete(label);
    return { size, gas, nodeGasPerRound, settlementPerNode, pairedNodeGasPerRound, pairedSettlementPerNode };
  } finally {
    await anvil.stop();
  }
}

type Chain = {
  readonly run: (
    label: string,
    slot: number,
    calls: readonly { from: Hex; to: Hex | null; data: Hex }[],
  ) => Promise<Receipt[]>;
  readonly rpc: <T>(method: string, params: unknown[]) => Promise<T>;
  readonly call: (functionName: string, args: readonly unknown[]) => Hex;
  readonly creator: Hex;
  readonly contract: Hex;
  readonly nodes: readonly Hex[];
  readonly idOf: (address: Hex) => Hex;
  readonly abi: Abi;
  readonly gas: Map<string, number[]>;
};

/**
 * A vesting phase (GRADUAL_EVM_BENCH_VESTING) on a funded chain: a task with `vestingRounds` V created at slot 0.
 * Every node but the last (the idle node) works cycles 0 to V + 2 and claims in every round from round 3 on (cycle
 * c is paid at round c + 2's start), so that the claim of round V + 3 makes one share into a pool of V rounds of pay
 * (round V + 2's claim wrote it first): the steady state's claim. Node 1 cheats in cycle V + 2: after the claims node
 * 0 raises a proof trigger against it and the other nodes vote it invalid; the settle call at the vote close slashes
 * it, its pool released and cut. The last two nodes work one cycle each, V and V + 1, and are slashed the same way
 * holding nothing (their cycle is paid a round after the slash): the first is the task's
 * first slash, which writes the task's slash counters from zero; the second, the node's first slash in a task
 * slashed before as node 1's is, is the control. Each vote close counts six votes.
 */
async function vestingPhase(vestingRounds: number, chain: Chain): Promise<VestingResult> {
  const { run, rpc, call, creator, contract, nodes, idOf, abi, gas } = chain;
  // The budget, (V + 8) rounds of it, fits the creator's deposit (10^8) up to V = 1,992.
  const bounty = 50_000;
  const made = await run("createTask (vesting phase)", 0, [
    {
      from: creator,
      to: contract,
      data: call("createTask", [
        "bench-vesting",
        `0x${sha256Hex("bundle")}`,
        `0x${"0".repeat(64)}`,
        paramsToStruct({ ...PARAMS, vestingRounds, bountyPerRound: String(bounty) }),
        BigInt((vestingRounds + 8) * bounty),
      ]),
    },
  ]);
  const log = (made[0] as Receipt).logs.find((entry) => entry.address.toLowerCase() === contract.toLowerCase());
  const task = log?.topics[1] as Hex;
  const roundStart = (round: number) => 1 + round * PARAMS.roundSlots;
  const settle = (label: string, slot: number) =>
    run(label, slot, [{ from: creator, to: contract, data: call("settle", [task, 64n]) }]);
  await run(
    "stake (vesting phase)",
    roundStart(0) + 1,
    nodes.map((node) => ({ from: node, to: contract, data: call("stake", [task, 500n, "http://node.test"]) })),
  );
  const target = nodes[1] as Hex;
  /** Work one cycle each and are slashed for it: the task's first slash (a warm-up), then the control. */
  const [warmUp, control] = nodes.slice(-2) as [Hex, Hex];
  const workers = nodes.slice(0, -2);
  /** The cycle node 1 cheats in; its reveal round, V + 3, holds the measured claim. */
  const cheated = vestingRounds + 2;
  const lockedOf = async (node: Hex) => {
    const data = await rpc<Hex>("eth_call", [{ to: contract, data: call("getVesting", [task, idOf(node)]) }, "latest"]);
    const record = decodeFunctionResult({ abi, functionName: "getVesting", data }) as { locked: bigint };
    return record.locked;
  };
  /** The vesting part of the slash in the settle call's `Slashed` event (throws if the call slashed no one). */
  const slashedFromVesting = (receipt: Receipt, account: Hex) => {
    for (const entry of receipt.logs) {
      try {
        const event = decodeEventLog({ abi, data: entry.data, topics: entry.topics as [Hex, ...Hex[]] });
        const args = event.args as unknown as { node: Hex; fromVesting: bigint };
        if (event.eventName === "Slashed" && args.node.toLowerCase() === idOf(account)) return args.fromVesting;
      } catch {
        // Not one of the contract's events.
      }
    }
    throw new Error(`vesting phase (V = ${vestingRounds}): the vote close slashed no ${account}`);
  };
  let locked = -1n;
  let slash = 0;
  let slashNone = 0;
  for (let cycle = 0; cycle <= cheated; cycle += 1) {
    const working = [
      ...workers,
      ...(cycle === cheated - 2 ? [warmUp] : []),
      ...(cycle === cheated - 1 ? [control] : []),
    ];
    const proof = (node: Hex) => sha256Hex(`vesting-proof:${cycle}:${node}`);
    const salt = (node: Hex) => sha256Hex(`vesting-salt:${cycle}:${node}`);
    await run(
      "commit (vesting phase)",
      roundStart(cycle + 1) - PARAMS.commitSlots,
      working.map((node) => ({
        from: node,
        to: contract,
        data: call("commit", [
          task,
          cycle,
          `0x${computeCommitment({ task: task.slice(2), cycle, node: idOf(node).slice(2), proofDigest: proof(node), salt: salt(node) })}`,
        ]),
      })),
    );
    // The rounds before are settled by their first calls; the measured ones by calls of their own.
    if (cycle >= cheated - 2) await settle("settle (vesting phase: round start)", roundStart(cycle + 1));
    await run(
      "reveal (vesting phase)",
      roundStart(cycle + 1) + 1,
      working.map((node) => ({
        from: node,
        to: contract,
        data: call("reveal", [task, cycle, `0x${proof(node)}`, `0x${salt(node)}`]),
      })),
    );
    const auditOpens = roundStart(cycle + 1) + PARAMS.revealSlots;
    if (cycle >= cheated - 2) await settle("settle (vesting phase: reveal close)", auditOpens);
    // The claim of round cycle + 1 makes cycle cycle - 1's share (round 2's would claim nothing: a share releases
    // nothing in its first round).
    if (cycle >= 2 && cycle <= cheated) {
      await run(
        cycle === cheated ? VESTING_CLAIM : "claim (vesting phase: the rounds before)",
        auditOpens + 1,
        workers.map((node) => ({ from: node, to: contract, data: call("claim", [task]) })),
      );
    }
    if (cycle < cheated - 2) continue;
    const against = cycle === cheated ? target : cycle === cheated - 1 ? control : warmUp;
    if (cycle === cheated) locked = await lockedOf(target);
    await run("triggerAudit (vesting phase)", auditOpens + 2, [
      {
        from: nodes[0] as Hex,
        to: contract,
        data: call("triggerAudit", [task, cycle, 0, 0, 0, idOf(against), `0x${sha256Hex("cheated")}`]),
      },
    ]);
    // Choice 1: invalid (CHOICE_INVALID).
    await run(
      "vote (vesting phase)",
      auditOpens + 3,
      nodes
        .slice(1)
        .filter((node) => node !== against)
        .map((node) => ({ from: node, to: contract, data: call("vote", [task, cycle, 0, 1]) })),
    );
    const [closed] = await settle(
      cycle === cheated
        ? VESTING_SLASH
        : cycle === cheated - 1
          ? VESTING_SLASH_NONE
          : "settle (vesting phase: the vote close makes the task's first slash)",
      auditOpens + PARAMS.auditSlots + PARAMS.voteSlots,
    );
    const fromVesting = slashedFromVesting(closed as Receipt, against);
    if ((cycle === cheated) !== fromVesting > 0n) {
      throw new Error(`vesting phase (V = ${vestingRounds}): ${against} slashed ${fromVesting} from its vesting`);
    }
    const used = Number.parseInt((closed as Receipt).gasUsed, 16);
    if (cycle === cheated) slash = used;
    else if (cycle === cheated - 1) slashNone = used;
  }
  return { vestingRounds, locked, claims: gas.get(VESTING_CLAIM) ?? [], slash, slashNone };
}

void TOKEN;
await main();
