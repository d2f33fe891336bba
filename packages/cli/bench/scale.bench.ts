/**
 * The ledger's half of npm run bench:scale: a real ledger process (`gradual ledger`, compiled JavaScript) with one
 * task of 10,000 nodes, and this process as the load, signing for all 10,000 keys and sending over HTTP what honest
 * nodes send: the stakes, then in each cycle every node's commit in the commit window and its reveal in the reveal
 * window, one node's list (a Merkle root, §6.2) in its window, and once the list is accepted every node's claim of
 * its entry with its proof (§6.4), within a round. For rounds of 20 s and 60 s it reports whether each phase fitted
 * its window (every node's transaction accepted in it), how long sending took, the ledger's slot lag (sampled every
 * second from /v1/health) and the ledger's CPU. No audit triggers (every proof is valid). Commits and reveals are
 * signed before their window opens (nodes sign their own, on their own machines; the "signing" column is then time
 * outside the window), lists and entry claims when it opens. Figures only, no assertions.
 *
 * With --paired, the task pairs its reveals with the next commits (`revealSlots` 0, protocol.md §2.2): each node
 * sends one `commitAndReveal` a round (its reveal of the cycle before and its commit), the first cycle's commits and
 * the last cycle's reveals alone.
 *
 * Entry claims go where honest nodes send them (protocol.md §7.1, "When the honest node claims"): in the quiet slots of
 * a round, after the reveal window and a slot of margin and before the commit window, here in four parts over the
 * first half of the quiet slots of their 20 s window (nodes claim at their own pace); --claims-at-once sends them all
 * in the window's first quiet slot, as decide() would; --claims-anywhere spreads them over the first half of the
 * window whatever its slots hold, as the bench did from 2026-12-06 16:40 until the quiet slots (2026-12-07). Each
 * node then claims the entry out of vesting (`claim`; vestingRounds 0 unlocks it at once) in the next quiet slot
 * after its entry claim was sent, as its auto-claim does (--no-vesting-claims leaves them out, as before 2026-12-07).
 *
 *   node --conditions=source --import tsx packages/cli/bench/scale.bench.ts [--nodes N] [--cycles C] [--rounds 20,60]
 *     [--paired] [--claims-at-once | --claims-anywhere] [--no-vesting-claims]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDevnetGenesis,
  createLedgerClient,
  genesisToJson,
  type KeyPair,
  keyPairFromSecret,
  type LedgerClient,
  type SignedTransaction,
  signTransaction,
} from "@gradual/ledger/client";
import { firstClaimSlot } from "@gradual/node";
import {
  commitWindow,
  computeCommitment,
  DEVNET_PARAMS,
  distributionVoteWindow,
  distributionWindow,
  findParamsProblems,
  firstAttemptRound,
  type Hash,
  listBlobHash,
  listTree,
  proofAt,
  revealWindow,
  sha256Hex,
  type TaskParams,
  TOKEN,
  type Transaction,
  type Window,
} from "@gradual/protocol";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const SLOT_MS = 500;
const BATCH = 500;
const STREAMS = 4;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : String(process.argv[index + 1]);
}
const NODES = Number(option("nodes", "10000"));
const CYCLES = Number(option("cycles", "2"));
const ROUND_SECONDS = option("rounds", "20,60").split(",").map(Number);
const PAIRED = process.argv.includes("--paired");
/** Entry claims in this many parts over the first half of their window's quiet slots (--claims-at-once: 1). */
const CLAIM_PARTS = process.argv.includes("--claims-at-once") ? 1 : 4;
/** Entry claims in any slot of their window (the bench before the quiet slots), not only the quiet ones. */
const CLAIMS_ANYWHERE = process.argv.includes("--claims-anywhere");
/** Each node's `claim` of its unlocked entry after its entry claim (--no-vesting-claims: none, as before). */
const VESTING_CLAIMS = !process.argv.includes("--no-vesting-claims");
const format = (value: number) => value.toLocaleString("en-US");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Body = Record<string, unknown> & { kind: Transaction["kind"] };

/** Windows in proportion to the round, as the devnet preset shares them out. */
function paramsFor(roundSeconds: number): TaskParams {
  const roundSlots = Math.round((roundSeconds * 1000) / SLOT_MS);
  const part = (share: number) => Math.max(2, Math.floor(roundSlots * share));
  const params: TaskParams = {
    ...DEVNET_PARAMS,
    // A list and its claims: the custom rule's distribution (weighted and equal pay by themselves, §6.2).
    distributionRule: "custom",
    roundSlots,
    commitSlots: part(0.25),
    revealSlots: PAIRED ? 0 : part(0.2),
    auditSlots: part(0.3),
    voteSlots: part(0.25),
    distributionSlots: part(0.2),
    distributionAuditSlots: part(0.3),
    maxNodes: NODES,
    auditsPerNode: 8,
    warmupRounds: 0,
    rampRounds: 0,
    vestingRounds: 0,
    bountyPerRound: 1_000n * TOKEN,
    minimumStake: 10n * TOKEN,
  };
  const problems = findParamsProblems(params);
  if (problems.length > 0) throw new Error(`bad bench params: ${JSON.stringify(problems)}`);
  return params;
}

class Ledger {
  readonly client: LedgerClient;
  readonly process: ChildProcess;
  readonly url: string;
  constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.process = child;
    this.client = createLedgerClient({ url, timeoutMs: 120_000 });
  }

  /** CPU seconds of the ledger process so far (/proc/PID/stat utime + stime). */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.process.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }
}

async function startLedger(dir: string, accounts: readonly KeyPair[]): Promise<Ledger> {
  const genesis = createDevnetGenesis({
    chainId: "gradual-scale",
    accounts: accounts.map((key) => ({ account: key.publicKey, balance: 1_000_000n * TOKEN })),
  });
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis)));
  const child = spawn(
    process.execPath,
    [
      // Node flags for the ledger process alone, e.g. GRADUAL_BENCH_LEDGER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p"
      // to profile it (NODE_OPTIONS refuses --cpu-prof).
      ...(process.env.GRADUAL_BENCH_LEDGER_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== ""),
      join(ROOT, "packages/cli/bin/gradual.js"),
      "ledger",
      ...["--data", join(dir, "data"), "--port", "0", "--genesis", genesisFile, "--slot-ms", String(SLOT_MS)],
      ...["--quiet", "--no-dashboard", "--max-mempool", String(4 * NODES + 10_000)],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const line = text.split("\n").find((entry) => entry.includes('"listening"'));
      if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`the ledger exited (${code}) before listening`)));
  });
  return new Ledger(url, child);
}

/** Signs `items` (one transaction per key, with each key's next nonce, in order). */
function signAll(
  chainId: string,
  nonces: Map<string, number>,
  items: readonly { key: KeyPair; body: Body }[],
): { signed: SignedTransaction[]; signMs: number } {
  const signing = performance.now();
  const signed: SignedTransaction[] = items.map(({ key, body }) => {
    const nonce = nonces.get(key.publicKey) ?? 0;
    nonces.set(key.publicKey, nonce + 1);
    const tx = { ...body, chainId, from: key.publicKey, nonce } as Transaction;
    return { tx, signature: signTransaction(key, tx) };
  });
  return { signed, signMs: performance.now() - signing };
}

/** Signs `items` and sends them at once (the setup: the task and the stakes). */
async function signAndSend(
  ledger: Ledger,
  chainId: string,
  nonces: Map<string, number>,
  items: readonly { key: KeyPair; body: Body }[],
): Promise<{ signMs: number; sendMs: number; refused: Record<string, number> }> {
  const { signed, signMs } = signAll(chainId, nonces, items);
  return { signMs, ...(await sendAll(ledger, signed)) };
}

/** Sends signed transactions in batches over STREAMS connections. */
async function sendAll(
  ledger: Ledger,
  signed: readonly SignedTransaction[],
): Promise<{ sendMs: number; refused: Record<string, number>; hashes: string[] }> {
  const sending = performance.now();
  const refused: Record<string, number> = {};
  const hashes: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      while (next < signed.length) {
        const batch = signed.slice(next, next + BATCH);
        next += BATCH;
        const result = await ledger.client.submitBatch(batch);
        for (const entry of result.results) {
          if ("error" in entry) refused[entry.error.code] = (refused[entry.error.code] ?? 0) + 1;
          else hashes.push(entry.hash);
        }
      }
    }),
  );
  return { sendMs: performance.now() - sending, refused, hashes };
}

async function headSlot(ledger: Ledger): Promise<number> {
  return (await ledger.client.getHead()).slot;
}

/** Waits until the head is at `slot` - 1 (so what is sent next lands at `slot` or later). */
async function waitForSlot(ledger: Ledger, slot: number): Promise<void> {
  while ((await headSlot(ledger)) < slot - 1) await sleep(SLOT_MS / 5);
}

async function allPages<T>(fetch: (offset: number) => Promise<{ items: readonly T[]; next: number | null }>) {
  const items: T[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await fetch(offset);
    items.push(...page.items);
    offset = page.next;
  }
  return items;
}

type Phase = {
  readonly cycle: number;
  readonly phase: string;
  readonly window: Window;
  readonly sent: number;
  readonly accepted: number;
  readonly signMs: number;
  readonly sendMs: number;
  readonly refused: Record<string, number>;
  /** For a phase of a few transactions that did not all land in the window: what became of each one sent. */
  readonly fates: readonly string[];
};

/** What became of a transaction the edge took: still pending, or included in block N, standing or refused. */
async function fateOf(ledger: Ledger, hash: string): Promise<string> {
  const status = await ledger.client.getTx(hash as Hash);
  if (status === undefined) return "unknown to the ledger (dropped)";
  if (status.status === "pending") return "still pending";
  return status.result.ok
    ? `included in block ${status.block}`
    : `included in block ${status.block}, refused: ${status.result.code}`;
}

async function runRoundLength(roundSeconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gradual-scale-"));
  const started = performance.now();
  const creator = keyPairFromSecret(sha256Hex("gradual-scale/creator"));
  // In account order: every window's transactions are sent that way, so the list's poster (the lowest account, see
  // below) has its reveal of the next cycle, which shares the list's window, in the first batch, as a node would send
  // its own reveal and list at once. Sent last, the list waited for that reveal behind the others and missed its
  // window.
  const nodes = Array.from({ length: NODES }, (_, index) =>
    keyPairFromSecret(sha256Hex(`gradual-scale/node/${index}`)),
  ).sort((left, right) => (left.publicKey < right.publicKey ? -1 : 1));
  const byAccount = new Map(nodes.map((key) => [key.publicKey, key]));
  const ledger = await startLedger(dir, [creator, ...nodes]);
  const lags: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        lags.push((await ledger.client.health()).slotLag);
      } catch {
        // A busy ledger may not answer within the second; the next sample tries again.
      }
      await sleep(1_000);
    }
  })();
  try {
    const { chainId } = await ledger.client.getChain();
    const params = paramsFor(roundSeconds);
    const nonces = new Map<string, number>();
    const created = await signAndSend(ledger, chainId, nonces, [
      {
        key: creator,
        body: {
          kind: "createTask",
          name: "scale",
          bundleHash: sha256Hex("scale-bundle"),
          metadataHash: null,
          params,
          funding: params.bountyPerRound * BigInt(CYCLES + 8),
        },
      },
    ]);
    if (Object.keys(created.refused).length > 0)
      throw new Error(`createTask refused: ${JSON.stringify(created.refused)}`);
    let taskId: Hash | undefined;
    while (taskId === undefined) {
      taskId = (await ledger.client.listTasks({ limit: 1 })).tasks[0];
      if (taskId === undefined) await sleep(SLOT_MS);
    }
    const task = (await ledger.client.getTask(taskId))?.task;
    if (task === undefined) throw new Error("the task is not on the ledger");
    const timing = { startSlot: task.startSlot, params };
    const staking = await signAndSend(
      ledger,
      chainId,
      nonces,
      nodes.map((key, index) => ({
        key,
        body: {
          kind: "stake",
          task: taskId,
          amount: params.minimumStake * 10n,
          nodeUrl: `http://node-${index}.invalid`,
        },
      })),
    );
    let staked = 0;
    for (let wait = 0; staked < NODES && wait < 600; wait += 1) {
      staked = (await ledger.client.getTask(taskId))?.task.nodeCount ?? 0;
      if (staked < NODES) await sleep(SLOT_MS);
    }
    const stakeSlot = await headSlot(ledger);
    console.log(
      `  ${format(staked)} stakes in ${((staking.signMs + staking.sendMs) / 1000).toFixed(1)} s (signing ${(staking.signMs / 1000).toFixed(1)} s), all in by slot ${stakeSlot}`,
    );
    // Stakes count from the round after the one they arrive in (warm-up 0): the first cycle with weight behind it,
    // and whose commit window is still ahead of the head with a slot to spare.
    let firstCycle = Math.max(0, Math.floor((stakeSlot - task.startSlot) / params.roundSlots) + 1);
    while (commitWindow(timing, firstCycle).opensAt <= stakeSlot + 1) firstCycle += 1;
    // Each phase is sent when its window opens, in slot order: a cycle's list (round c + 2) goes out beside the
    // next cycles' reveals and commits, as nodes send them. What each window accepted is counted once all closed.
    type Job = {
      readonly cycle: number;
      readonly phase: string;
      readonly window: Window;
      /** The slot to send from (a list waits for the draw in its window's first block). */
      readonly from: number;
      readonly items: () => Promise<{ key: KeyPair; body: Body }[]>;
      readonly accepted: () => Promise<number>;
      /**
       * Sent in equal parts, one at each of these slots (entry claims: nodes claim at their own pace within 20 s), in
       * the background, so later jobs do not wait for it. Absent: all at once at `from`.
       */
      readonly partSlots?: readonly number[];
      /** Each part waits until the same part of this job has been sent (the nodes' earlier transactions). */
      readonly afterPartsOf?: Job;
    };
    // The slots of a window where honest nodes claim (protocol.md §7.1): offset revealSlots + 1 up to the commit
    // window; every slot of the window with --claims-anywhere.
    const quietSlots = (window: Window): number[] => {
      const slots: number[] = [];
      for (let slot = window.opensAt; slot < window.closesAt; slot += 1) {
        if (CLAIMS_ANYWHERE || firstClaimSlot({ ...timing, status: "active" }, slot) === slot) slots.push(slot);
      }
      return slots;
    };
    /** `parts` slots spread over the first half of `slots` (the first slot alone for one part). */
    const spreadOver = (slots: readonly number[], parts: number): number[] => {
      const half = Math.max(1, Math.floor(slots.length / 2));
      return Array.from({ length: parts }, (_, part) => slots[Math.floor((part * half) / parts)] as number);
    };
    const jobs: Job[] = [];
    const work = new Map<string, { proofDigest: Hash; salt: Hash }>();
    const listSize = new Map<number, number>();
    for (let cycle = firstCycle; cycle < firstCycle + CYCLES; cycle += 1) {
      const commit = commitWindow(timing, cycle);
      // Paired: a node's commit of this cycle carries its reveal of the cycle before (one transaction).
      const pairs = PAIRED && cycle > firstCycle;
      jobs.push({
        cycle,
        phase: pairs ? "commits and reveals" : "commits",
        window: commit,
        from: commit.opensAt,
        items: async () =>
          nodes.map((key) => {
            const proofDigest = sha256Hex(`proof/${key.publicKey}/${cycle}`);
            const salt = sha256Hex(`salt/${key.publicKey}/${cycle}`);
            work.set(`${cycle}/${key.publicKey}`, { proofDigest, salt });
            const commitment = computeCommitment({
              task: taskId as Hash,
              cycle,
              node: key.publicKey,
              proofDigest,
              salt,
            });
            if (!pairs) return { key, body: { kind: "commit" as const, task: taskId, cycle, commitment } };
            const previous = work.get(`${cycle - 1}/${key.publicKey}`) as { proofDigest: Hash; salt: Hash };
            return { key, body: { kind: "commitAndReveal" as const, task: taskId, cycle, commitment, ...previous } };
          }),
        // A pair stands whole or not at all: its commits are its count.
        accepted: async () => (await ledger.client.listCommits(taskId as Hash, cycle, { limit: 1 })).total,
      });
      // Paired, only the last cycle's reveals go alone (in the next cycle's commit window).
      const reveal = revealWindow(timing, cycle);
      if (!PAIRED || cycle === firstCycle + CYCLES - 1)
        jobs.push({
          cycle,
          phase: "reveals",
          window: reveal,
          from: reveal.opensAt,
          items: async () =>
            nodes.map((key) => {
              const { proofDigest, salt } = work.get(`${cycle}/${key.publicKey}`) as { proofDigest: Hash; salt: Hash };
              return { key, body: { kind: "reveal" as const, task: taskId, cycle, proofDigest, salt } };
            }),
          accepted: async () => (await ledger.client.listReveals(taskId as Hash, cycle, { limit: 1 })).total,
        });
      const attemptRound = firstAttemptRound(params, cycle);
      const list = distributionWindow(timing, attemptRound);
      const lists = new Map<number, { recipient: string; amount: bigint }[]>();
      jobs.push({
        cycle,
        phase: "list",
        window: list,
        from: list.opensAt,
        items: async () => {
          const record = (await ledger.client.getCycle(taskId as Hash, cycle))?.record;
          if (record === undefined) return [];
          // The equal split of the reservation over every valid reveal (equal stakes, no ramp: the weighted shares),
          // posted by the lowest account: alone in the window, its list stands (§6.1).
          const reveals = await allPages((offset) =>
            ledger.client.listReveals(taskId as Hash, cycle, { offset, limit: 1_000 }),
          );
          const valid = reveals.filter((entry) => entry.status === "valid").map((entry) => entry.node);
          const each = BigInt(record.reserved) / BigInt(Math.max(valid.length, 1));
          const entries = valid.sort().map((recipient) => ({ recipient, amount: each }));
          listSize.set(cycle, entries.length);
          lists.set(cycle, entries);
          const poster = byAccount.get(String(entries[0]?.recipient));
          if (poster === undefined) return [];
          // The poster's own nonce. It sends its reveal of the next cycle in the same window (signed before, sent at
          // once): the ledger refuses a nonce past the next (pending ones count), so the list waits until that
          // reveal has reached it.
          const signedThrough = nonces.get(poster.publicKey) ?? 0;
          let applied = (await ledger.client.getAccount(poster.publicKey)).nextNonce;
          const giveUpAt = performance.now() + params.distributionSlots * SLOT_MS;
          while (applied < signedThrough && performance.now() < giveUpAt) {
            await sleep(SLOT_MS / 5);
            applied = (await ledger.client.getAccount(poster.publicKey)).nextNonce;
          }
          nonces.set(poster.publicKey, applied);
          const tree = listTree(entries);
          const root = tree[tree.length - 1]?.[0] as Uint8Array;
          return [
            {
              key: poster,
              body: {
                kind: "submitDistribution" as const,
                task: taskId,
                cycle,
                attempt: record.attempt,
                listRoot: Buffer.from(root).toString("hex"),
                listBlob: listBlobHash(entries),
                total: each * BigInt(entries.length),
                entryCount: entries.length,
              },
            },
          ];
        },
        accepted: async () => {
          const view = await ledger.client.getCycle(taskId as Hash, cycle);
          const first = view?.distributions.find((entry) => entry.attempt === 0);
          const paidFirst = view?.record.outcome === "paid" && view.record.failedDistributors.length === 0;
          return paidFirst || first !== undefined ? 1 : 0;
        },
      });
      const accepted = distributionVoteWindow(timing, attemptRound).closesAt;
      const claims = { opensAt: accepted, closesAt: accepted + params.roundSlots };
      const claimSlots = spreadOver(quietSlots(claims), CLAIM_PARTS);
      jobs.push({
        cycle,
        phase: "entry claims",
        window: claims,
        from: claimSlots[0] as number,
        partSlots: claimSlots,
        items: async () => {
          const entries = lists.get(cycle) ?? [];
          const tree = listTree(entries);
          return entries.flatMap((entry, index) => {
            const key = byAccount.get(entry.recipient);
            if (key === undefined) return [];
            const body = {
              kind: "claimDistribution" as const,
              task: taskId,
              cycle,
              recipient: entry.recipient,
              amount: entry.amount,
              index,
              proof: proofAt(tree, index),
            };
            return [{ key, body }];
          });
        },
        // What the cycle still holds tells how many equal entries were claimed.
        accepted: async () => {
          const record = (await ledger.client.getCycle(taskId as Hash, cycle))?.record;
          const entries = lists.get(cycle) ?? [];
          if (record === undefined || entries.length === 0) return 0;
          const claimed = BigInt(record.paid) - BigInt(record.reserved);
          return Number(claimed / (entries[0] as { amount: bigint }).amount);
        },
      });
      if (VESTING_CLAIMS) {
        const entryClaims = jobs[jobs.length - 1] as Job;
        // Each part in the quiet slot after the entry claims' part (nodes claim once their entry has vested).
        const vestingSlots = claimSlots.map((slot) => quietSlots({ opensAt: slot + 1, closesAt: claims.closesAt })[0]);
        if (vestingSlots.every((slot) => slot !== undefined))
          jobs.push({
            cycle,
            phase: "claims out of vesting",
            window: claims,
            from: vestingSlots[0] as number,
            partSlots: vestingSlots as number[],
            afterPartsOf: entryClaims,
            items: async () =>
              (lists.get(cycle) ?? []).flatMap((entry) => {
                const key = byAccount.get(entry.recipient);
                return key === undefined ? [] : [{ key, body: { kind: "claim" as const, task: taskId } }];
              }),
            // The claims the window's blocks accepted.
            accepted: async () => {
              let count = 0;
              for (let from = claims.opensAt; from < claims.closesAt; from += 10) {
                const to = Math.min(from + 9, claims.closesAt - 1);
                for (const block of await ledger.client.getBlocks(from, to))
                  for (const entry of block.txs)
                    if (entry.tx.kind === "claim" && entry.tx.task === taskId && entry.result.ok) count += 1;
              }
              return count;
            },
          });
      }
    }
    jobs.sort((left, right) => left.from - right.from);
    const phases: Phase[] = [];
    type Sent = { sent: number; signMs: number; sendMs: number; refused: Record<string, number>; hashes: string[] };
    const sentBy = new Map<Job, Sent>();
    const spread: Promise<void>[] = [];
    /** Per job sent in parts: one promise per part, settled once that part has been sent. */
    const partsSent = new Map<Job, { promise: Promise<void>; resolve: () => void }[]>();
    for (const job of jobs) {
      if ((job.partSlots?.length ?? 0) <= 1) continue;
      partsSent.set(
        job,
        (job.partSlots as number[]).map(() => {
          let resolve = () => {};
          const promise = new Promise<void>((settle) => {
            resolve = settle;
          });
          return { promise, resolve };
        }),
      );
    }
    // Jobs that start in the same slot run at once, as independent nodes would send them (a cycle's reveals share
    // their window with the list of the cycle before: one after the other, the reveals waited for the list).
    for (let first = 0; first < jobs.length; ) {
      const from = (jobs[first] as Job).from;
      let end = first;
      while (end < jobs.length && (jobs[end] as Job).from === from) end += 1;
      const group = jobs.slice(first, end);
      first = end;
      // Commits and reveals are signed before their window opens: each node signs its own on its own machine, and a
      // reveal's content is known from the commit on, so signing 10,000 of them here must not eat into the window
      // the ledger is measured in. A list and the entry claims depend on what the ledger did in the window (the
      // draw, the acceptance), so they are signed when it opens.
      const early = (job: Job) =>
        job.phase === "commits" || job.phase === "reveals" || job.phase === "commits and reveals";
      const presigned = new Map<Job, ReturnType<typeof signAll>>();
      for (const job of group) if (early(job)) presigned.set(job, signAll(chainId, nonces, await job.items()));
      await waitForSlot(ledger, from);
      await Promise.all(
        group.map(async (job) => {
          const { signed, signMs } = presigned.get(job) ?? signAll(chainId, nonces, await job.items());
          const partSlots = job.partSlots ?? [from];
          const parts = partSlots.length;
          if (parts <= 1) {
            sentBy.set(job, { sent: signed.length, signMs, ...(await sendAll(ledger, signed)) });
            return;
          }
          // Spread: each part at its own slot, in the background (the next jobs' slots do not wait for it).
          const size = Math.ceil(signed.length / parts);
          spread.push(
            (async () => {
              const total: Sent = { sent: signed.length, signMs, sendMs: 0, refused: {}, hashes: [] };
              for (let part = 0; part < parts; part += 1) {
                await waitForSlot(ledger, partSlots[part] as number);
                if (job.afterPartsOf !== undefined) await partsSent.get(job.afterPartsOf)?.[part]?.promise;
                const sent = await sendAll(ledger, signed.slice(part * size, (part + 1) * size));
                partsSent.get(job)?.[part]?.resolve();
                total.sendMs += sent.sendMs;
                total.hashes.push(...sent.hashes);
                for (const [code, count] of Object.entries(sent.refused))
                  total.refused[code] = (total.refused[code] ?? 0) + count;
              }
              sentBy.set(job, total);
            })(),
          );
        }),
      );
    }
    await Promise.all(spread);
    await waitForSlot(ledger, Math.max(...jobs.map((job) => job.window.closesAt)) + 1);
    for (const job of jobs) {
      const sent = sentBy.get(job) as Sent;
      const accepted = await job.accepted();
      const fates =
        accepted < sent.sent && sent.hashes.length <= 5
          ? await Promise.all(sent.hashes.map((hash) => fateOf(ledger, hash)))
          : [];
      phases.push({
        cycle: job.cycle,
        phase: job.phase === "list" ? `list (one root for ${format(listSize.get(job.cycle) ?? 0)} entries)` : job.phase,
        window: job.window,
        sent: sent.sent,
        accepted,
        signMs: sent.signMs,
        sendMs: sent.sendMs,
        refused: sent.refused,
        fates,
      });
    }
    const cpu = ledger.cpuSeconds();
    const wall = (performance.now() - started) / 1000;
    console.log(
      `\n  entry claims: ${CLAIM_PARTS === 1 ? "at once" : `${CLAIM_PARTS} parts`} ${CLAIMS_ANYWHERE ? "over the first half of their window" : "in their window's quiet slots (after the reveal window and a slot, before the commit window)"}${CLAIM_PARTS > 1 ? ' (the "sending" column adds the parts\' times)' : ""}`,
    );
    console.log(
      "\n| cycle | what | window (slots) | sent | accepted in the window | signing (commits, reveals: before the window) | sending | refused at the edge |",
    );
    console.log(
      "| ----- | ---- | -------------- | ---- | ---------------------- | ------- | ------- | ------------------- |",
    );
    for (const entry of phases) {
      const fits = entry.accepted === entry.sent ? "all: fits" : `${format(entry.accepted)}: **does not fit**`;
      console.log(
        `| ${entry.cycle} | ${entry.phase} | ${entry.window.opensAt}-${entry.window.closesAt - 1} (${((entry.window.closesAt - entry.window.opensAt) * SLOT_MS) / 1000} s) | ${format(entry.sent)} | ${fits} | ${(entry.signMs / 1000).toFixed(2)} s | ${(entry.sendMs / 1000).toFixed(2)} s | ${JSON.stringify(entry.refused)} |`,
      );
    }
    for (const entry of phases) {
      if (entry.fates.length > 0) console.log(`\n  cycle ${entry.cycle} ${entry.phase}: ${entry.fates.join("; ")}`);
    }
    const maxLag = Math.max(0, ...lags);
    console.log(
      `\n  slot lag (sampled every second): max ${maxLag}, ${lags.filter((lag) => lag > 1).length} of ${lags.length} samples above 1; ledger CPU ${cpu.toFixed(1)} s over ${wall.toFixed(0)} s wall`,
    );
  } finally {
    sampling = false;
    await sampler;
    ledger.process.kill("SIGTERM");
    await new Promise((resolve) => ledger.process.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(join(ROOT, "packages/cli/dist/main.js"))) throw new Error("run `node scripts/build.mjs` first");
console.log(`gradual bench:scale (ledger), ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}`);
console.log(
  `load average at start: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")}`,
);
for (const roundSeconds of ROUND_SECONDS) {
  console.log(
    `\n${format(NODES)} nodes, rounds of ${roundSeconds} s (${SLOT_MS} ms slots), ${CYCLES} cycles${PAIRED ? ", paired reveals (one commitAndReveal a node a round)" : ""}`,
  );
  await runRoundLength(roundSeconds);
}
console.log(
  `\nload average at end: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")}`,
);
