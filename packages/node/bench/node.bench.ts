/**
 * npm run bench:node — what task nodes cost on a real devnet: `gradual devnet` (its own process, which hosts the
 * ledger and six nodes, five honest and one cheater, running examples/web-scraper as threads, each node with its task
 * process) on 127.0.0.1, measured for 50 rounds:
 *
 *   - the resident memory of every process (VmRSS from /proc/PID/status), read every slot: per process min and
 *     max, and the growth of its per-round floor (lowest reading) after warm-up, a least-squares slope that the
 *     collector's sawtooth does not swamp; and the largest total of the whole devnet; each node's own V8 heap and
 *     external memory (its /metrics), which is what a node thread adds to the devnet's process;
 *   - inclusion latency: for every commit, reveal, vote and list a node sent, the slot its block holds minus the
 *     slot its window opened (protocol.md §2.2; for a vote, the slot its trigger landed), p50 and p99 in slots.
 *
 *   - first, in this process, what the task sandbox costs: the per-call overhead of the process sandbox (the one
 *     nodes use), of the worker-thread sandbox it replaced and of in-process calls, on the same task and calls;
 *     the start of a task process; and the resident memory of one idle task process.
 *
 * Figures only, no assertions. Environment: BENCH_ROUNDS (default 50), BENCH_SLOT_MS (default 250, the devnet's),
 * BENCH_NODES (honest nodes, default 5), BENCH_NODE_PROCESSES=1 to run each node as a process of its own
 * (`gradual devnet --node-processes`), BENCH_WRITE=0 to leave docs/benchmarks.md alone. Linux only (/proc).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type BlockWire, createLedgerClient, type LedgerClient, loadKeyFile } from "@gradual/ledger";
import { childrenOf, measureSandbox, type SandboxCost } from "./sandboxCost.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
// The `gradual` executable, spawned as a process (the node package does not import the CLI).
const GRADUAL = join(ROOT, "packages/cli/bin/gradual.js");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const SLOT_MS = Number(process.env.BENCH_SLOT_MS ?? 250);
const HONEST = Number(process.env.BENCH_NODES ?? 5);
const CHEATERS = 1;
const MB = 1024 * 1024;
/** Nodes as processes of their own (`--node-processes`) instead of threads of the devnet's process. */
const NODE_PROCESSES = process.env.BENCH_NODE_PROCESSES === "1";

/**
 * A row of the memory table: a process (`pid`), or the devnet's `taskOf`-th task process in pid order, found anew at
 * every reading (a task process is restarted when it fails).
 */
type Proc = { readonly label: string; readonly pid?: number; readonly taskOf?: number };
/** One reading of every row's RSS (by label), in bytes. */
type Reading = {
  readonly rss: ReadonlyMap<string, number>;
  /** Each node's V8 heap plus external memory, from its /metrics (by node number), in bytes. */
  readonly nodeHeaps: ReadonlyMap<number, number>;
  /** RSS of the node processes' own children (each one's task process), with --node-processes. */
  readonly helpers: number;
  /** Of `helpers`, the task processes (the sandbox: a node's child under --experimental-permission). */
  readonly taskProcesses: number;
  /**
   * Proportional set size of every process of the devnet: each shared page (the node executable, about 43 MB mapped
   * by every process) counted once, so the sum is the memory the devnet holds, where the sum of RSS counts the
   * executable once per process.
   */
  readonly pss: number;
};
/** The readings of one round (one per slot). */
type Sample = { readonly round: number; readonly readings: readonly Reading[] };
type TaskInfo = { startSlot: number; params: Record<string, string | number> };

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Resident set size of a process in bytes, or undefined once it is gone. */
function rssOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

type Started = {
  devnet: ChildProcess;
  ledgerUrl: string;
  taskId: string;
  processes: Proc[];
  dataDir: string;
  /** Node number -> its URL (/metrics). */
  nodeUrls: Map<number, string>;
};

/** Starts `gradual devnet` and waits until it printed its ledger, task and every node. */
async function startDevnet(dataDir: string): Promise<Started> {
  const args = ["devnet", "--data", dataDir, "--port", "0", "--slot-ms", String(SLOT_MS)];
  args.push("--nodes", String(HONEST), "--cheaters", String(CHEATERS), "--quiet");
  if (NODE_PROCESSES) args.push("--node-processes");
  const devnet = spawn(process.execPath, [GRADUAL, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  // If the bench dies, take the devnet and its children with it.
  process.once("exit", () => {
    for (const child of childrenOf(devnet.pid as number)) process.kill(child.pid, "SIGKILL");
    devnet.kill("SIGKILL");
  });
  let ledgerUrl = "";
  let taskId = "";
  const nodeUrls = new Map<number, string>();
  await new Promise<void>((done, fail) => {
    const lines = createInterface({ input: devnet.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      ledgerUrl = /ledger API\s+(\S+)\/v1/.exec(line)?.[1] ?? ledgerUrl;
      taskId = /^\s+task\s+\S+ ([0-9a-f]{64})/.exec(line)?.[1] ?? taskId;
      const node = /^\s+node-(\d+)\S*(?: \(cheater\))?\s+(http\S+)/.exec(line);
      if (node !== null) nodeUrls.set(Number(node[1]), node[2] as string);
      if (nodeUrls.size === HONEST + CHEATERS) done();
    });
    devnet.once("exit", (code) => fail(new Error(`gradual devnet exited with code ${code} before it was ready`)));
  });
  const label = (number: number) => `node-${number}${number > HONEST ? " (cheater)" : ""}`;
  const processes: Proc[] = [];
  if (NODE_PROCESSES) {
    for (const child of childrenOf(devnet.pid as number)) {
      const node = /node-(\d+)\.json/.exec(child.cmdline);
      if (node !== null) processes.push({ label: label(Number(node[1])), pid: child.pid });
    }
    processes.sort((a, b) => a.label.localeCompare(b.label, "en", { numeric: true }));
    processes.push({ label: "devnet command (ledger, story, demo site)", pid: devnet.pid as number });
  } else {
    for (let number = 1; number <= nodeUrls.size; number += 1)
      processes.push({ label: `task process ${number}`, taskOf: number });
    processes.push({ label: "devnet command (ledger, the node threads, story, demo site)", pid: devnet.pid as number });
  }
  return { devnet, ledgerUrl, taskId, processes, dataDir, nodeUrls };
}

/**
 * task.yml funds 20 rounds; the creator tops the escrow up so that the task works through every measured round
 * instead of pausing half way (protocol.md §8.1).
 */
async function fundForTheRun(client: LedgerClient, started: Started): Promise<void> {
  const view = await client.getTask(started.taskId);
  if (view === undefined) throw new Error(`task ${started.taskId} not found`);
  const amount = BigInt(String(view.task.params.bountyPerRound)) * BigInt(ROUNDS + 20);
  const creator = loadKeyFile(join(started.dataDir, "keys", "creator.json"));
  const result = await client.send(creator, { kind: "fundTask", task: started.taskId, amount }, { timeoutMs: 30_000 });
  if (result.status !== "included" || !result.result.ok) throw new Error(`fundTask failed: ${JSON.stringify(result)}`);
}

/** CPU time (user + system) of a process, in clock ticks of 10 ms, or 0 once it is gone. */
function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name).
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * The live task processes of a devnet whose nodes are threads of its process (its children under
 * --experimental-permission), in pid order, keyed 1, 2, ... (a task process's folder is a temporary one, which does not
 * name its node).
 */
function taskProcessesOf(devnetPid: number): Map<number, number> {
  const pids = childrenOf(devnetPid)
    .filter((child) => child.cmdline.includes("--experimental-permission"))
    .map((child) => child.pid)
    .sort((a, b) => a - b);
  return new Map(pids.map((pid, index) => [index + 1, pid]));
}

/** The pid a row reads now (a task process's may change), or undefined. */
function pidOf(proc: Proc, tasks: ReadonlyMap<number, number>): number | undefined {
  return proc.taskOf === undefined ? proc.pid : tasks.get(proc.taskOf);
}

/**
 * CPU time of each row in ms: a process's, with its live children for a node process (its task process). A node
 * thread's CPU is the devnet process's: the devnet row then carries every node but its task process.
 */
function cpuMsOf(processes: readonly Proc[], devnetPid: number): Map<string, number> {
  const tasks = NODE_PROCESSES ? new Map<number, number>() : taskProcessesOf(devnetPid);
  const cpu = new Map<string, number>();
  for (const proc of processes) {
    const pid = pidOf(proc, tasks);
    if (pid === undefined) continue;
    // The devnet command's children are the nodes (process mode) or the task processes: rows of their own.
    const children = proc.pid === devnetPid || proc.taskOf !== undefined ? [] : childrenOf(pid);
    cpu.set(proc.label, (ticksOf(pid) + children.reduce((sum, child) => sum + ticksOf(child.pid), 0)) * 10);
  }
  return cpu;
}

/** Proportional set size of a process in bytes (smaps_rollup), or 0 once it is gone. */
function pssOf(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** A node's V8 heap and external memory from its /metrics, in bytes (NaN if it did not answer). */
async function nodeHeapOf(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    const gauge = (name: string) => Number(new RegExp(`^gradual_node_${name} (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
    return gauge("heap_total_bytes") + gauge("external_bytes");
  } catch {
    return Number.NaN;
  }
}

async function readAll(started: Started): Promise<Reading> {
  const devnetPid = started.devnet.pid as number;
  const tasks = NODE_PROCESSES ? new Map<number, number>() : taskProcessesOf(devnetPid);
  const rss = new Map<string, number>();
  let helpers = 0;
  let taskProcesses = 0;
  let pss = 0;
  for (const proc of started.processes) {
    const pid = pidOf(proc, tasks);
    const bytes = pid === undefined ? Number.NaN : (rssOf(pid) ?? Number.NaN);
    rss.set(proc.label, bytes);
    if (pid !== undefined) pss += pssOf(pid);
    if (proc.taskOf !== undefined && !Number.isNaN(bytes)) taskProcesses += bytes;
    // The devnet command's children are rows of their own (the nodes, or the task processes).
    if (proc.pid === devnetPid || proc.taskOf !== undefined || pid === undefined) continue;
    for (const child of childrenOf(pid)) {
      const childBytes = rssOf(child.pid) ?? 0;
      helpers += childBytes;
      pss += pssOf(child.pid);
      if (child.cmdline.includes("--experimental-permission")) taskProcesses += childBytes;
    }
  }
  const nodeHeaps = new Map<number, number>();
  await Promise.all([...started.nodeUrls].map(async ([number, url]) => nodeHeaps.set(number, await nodeHeapOf(url))));
  return { rss, nodeHeaps, helpers, taskProcesses, pss };
}

/**
 * Reads every process's RSS once per slot, grouped by round, from the round all nodes are staked, for ROUNDS whole
 * rounds. A round's lowest reading (after the collector ran) shows what the process keeps; its highest, the peak.
 */
async function sampleRounds(client: LedgerClient, started: Started): Promise<Sample[]> {
  const { taskId } = started;
  while ((await client.listNodes(taskId, { limit: 100 })).total < started.nodeUrls.size) await sleep(SLOT_MS);
  const samples: Sample[] = [];
  let current: { round: number; readings: Reading[] } | undefined;
  // One round more than asked: the first one is joined midway and dropped.
  while (samples.length < ROUNDS + 1) {
    const round = (await client.getTask(taskId))?.round;
    if (round !== undefined && round !== current?.round) {
      if (current !== undefined) samples.push(current);
      current = { round, readings: [] };
      if (samples.length > 1 && (samples.length - 1) % 10 === 0)
        process.stderr.write(`bench:node: ${samples.length - 1}/${ROUNDS} rounds sampled\n`);
    }
    current?.readings.push(await readAll(started));
    await sleep(SLOT_MS);
  }
  return samples.slice(1);
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const numerator = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const denominator = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return denominator === 0 ? 0 : numerator / denominator;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

type MemoryRow = {
  label: string;
  minMb: number;
  maxMb: number;
  /** Mean of the per-round lowest readings over the first and the last WINDOW rounds. */
  floorFirstMb: number;
  floorLastMb: number;
  /** Least-squares slope of the per-round lowest reading, after the warm-up rounds. */
  floorSlopeMbPerRound: number;
  /** CPU time of the process and its task process over the measured rounds, per round, in ms. */
  cpuMsPerRound: number;
};

const WARM_UP_ROUNDS = 5;
const WINDOW = 5;

function memoryRows(
  processes: readonly Proc[],
  samples: readonly Sample[],
  cpuMs: ReadonlyMap<string, number>,
): MemoryRow[] {
  const rows = processes.map((proc) => ({
    label: proc.label,
    read: (reading: Reading) => reading.rss.get(proc.label) ?? Number.NaN,
    cpuMs: cpuMs.get(proc.label) ?? Number.NaN,
  }));
  // A node thread's own memory: its V8 heap and external memory, part of the devnet command's RSS.
  if (!NODE_PROCESSES)
    for (const number of [...(samples[0]?.readings[0]?.nodeHeaps.keys() ?? [])].sort((a, b) => a - b))
      rows.push({
        label: `node-${number}${number > HONEST ? " (cheater)" : ""} thread: V8 heap + external`,
        read: (reading: Reading) => reading.nodeHeaps.get(number) ?? Number.NaN,
        cpuMs: Number.NaN,
      });
  return rows.map((row) => memoryRow(row.label, row.read, row.cpuMs, samples));
}

function memoryRow(
  label: string,
  read: (reading: Reading) => number,
  cpuMs: number,
  samples: readonly Sample[],
): MemoryRow {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const known = (values: number[]) => values.filter((value) => !Number.isNaN(value));
  const all = known(samples.flatMap((sample) => sample.readings.map(read)));
  const floors = samples.map((sample) => ({
    round: sample.round,
    mb: Math.min(...known(sample.readings.map(read))) / MB,
  }));
  const steady = floors.length > WARM_UP_ROUNDS * 2 ? floors.slice(WARM_UP_ROUNDS) : floors;
  return {
    label,
    minMb: Math.min(...all) / MB,
    maxMb: Math.max(...all) / MB,
    floorFirstMb: mean(steady.slice(0, WINDOW).map((floor) => floor.mb)),
    floorLastMb: mean(steady.slice(-WINDOW).map((floor) => floor.mb)),
    floorSlopeMbPerRound: slope(steady.map((floor) => [floor.round, floor.mb])),
    cpuMsPerRound: cpuMs / Math.max(1, samples.length),
  };
}

/** Per kind, the slot each node transaction landed in minus the slot its window opened. */
async function inclusionLatencies(
  client: LedgerClient,
  task: TaskInfo & { id: string },
  nodeAccounts: ReadonlySet<string>,
  fromRound: number,
): Promise<Map<string, number[]>> {
  const R = Number(task.params.roundSlots);
  const roundStart = (round: number) => task.startSlot + round * R;
  const head = (await client.getHead()).number;
  const latencies = new Map<string, number[]>(["commit", "reveal", "vote", "list"].map((kind) => [kind, []]));
  // A trigger's slot, from the AuditTriggered events of the blocks scanned (the ledger prunes settled cycles'
  // trigger records, protocol.md §9.3), else from the cycle view while the cycle is still there.
  const triggerSlots = new Map<string, number>();
  const triggerSlot = async (cycle: number, trigger: number) => {
    const key = `${cycle}/${trigger}`;
    if (!triggerSlots.has(key)) {
      for (const entry of (await client.getCycle(task.id, cycle))?.triggers ?? [])
        triggerSlots.set(`${cycle}/${entry.index}`, entry.slot);
    }
    return triggerSlots.get(key);
  };
  for (let from = roundStart(fromRound); from <= head; from += 100) {
    const blocks: readonly BlockWire[] = await client.getBlocks(from, Math.min(head, from + 99));
    for (const block of blocks) {
      for (const { event } of block.events) {
        const raised = event as { type: string; task?: string; cycle?: number; trigger?: number };
        if (raised.type === "AuditTriggered" && raised.task === task.id)
          triggerSlots.set(`${raised.cycle}/${raised.trigger}`, block.slot);
      }
      for (const { tx, result } of block.txs) {
        if (!nodeAccounts.has(tx.from) || !result.ok) continue;
        const body = tx as unknown as { kind: string; cycle: number; trigger: number; attempt: number };
        const c = body.cycle;
        let opensAt: number | undefined;
        if (body.kind === "commit") opensAt = roundStart(c + 1) - Number(task.params.commitSlots);
        else if (body.kind === "reveal") opensAt = roundStart(c + 1);
        else if (body.kind === "vote") opensAt = await triggerSlot(c, body.trigger);
        else if (body.kind === "submitDistribution") opensAt = roundStart(c + 2 + body.attempt);
        if (opensAt === undefined) continue;
        const kind = body.kind === "submitDistribution" ? "list" : body.kind;
        latencies.get(kind)?.push(block.slot - opensAt);
      }
    }
  }
  return latencies;
}

type Report = {
  sandbox: SandboxCost;
  memory: MemoryRow[];
  /** Every process of the devnet: the devnet command with its ledger, the nodes and their task processes. */
  totalMaxMb: number;
  taskProcessesMaxMb: number;
  pssMaxMb: number;
  latency: { kind: string; count: number; p50: number; p99: number; max: number; within2: number }[];
  rounds: number;
  firstRound: number;
};

/** A Markdown table with padded columns, as Biome formats them (docs/benchmarks.md stays lint-clean). */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

function formatReport(report: Report): string {
  const f = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
  const last = report.firstRound + report.rounds - 1;
  const memory = markdownTable(
    [
      "process",
      "min",
      "max",
      `floor, first ${WINDOW} rounds`,
      `floor, last ${WINDOW} rounds`,
      "floor growth per round",
      "CPU ms per round",
    ],
    report.memory.map((row) => [
      row.label,
      f(row.minMb),
      f(row.maxMb),
      f(row.floorFirstMb),
      f(row.floorLastMb),
      f(row.floorSlopeMbPerRound, 3),
      f(row.cpuMsPerRound, 0),
    ]),
  );
  const latency = markdownTable(
    ["transaction", "count", "p50", "p99", "max", "within 2 slots"],
    report.latency.map((row) =>
      row.count === 0
        ? [row.kind, "0", "–", "–", "–", "–"]
        : [row.kind, String(row.count), String(row.p50), String(row.p99), String(row.max), `${f(row.within2 * 100)} %`],
    ),
  );
  return [
    "Task sandbox, measured in this process before the devnet starts (the honest test task; a call's overhead is its",
    "round trip with no work in it: the audit of a small proof; `work` adds 4 host calls and a log line):",
    "",
    ...markdownTable(report.sandbox.header, report.sandbox.rows),
    "",
    ...report.sandbox.notes,
    "",
    `Resident memory in MB over ${report.rounds} rounds (rounds ${report.firstRound}-${last}), read every slot. A round's`,
    `floor is its lowest reading; growth is the slope of the floors after ${WARM_UP_ROUNDS} warm-up rounds. CPU: user`,
    NODE_PROCESSES
      ? "and system time over the measured rounds, a node's with its task process's."
      : "and system time over the measured rounds; the devnet command's includes every node thread's. A node thread's",
    ...(NODE_PROCESSES
      ? []
      : ["memory is its V8 heap and external memory (its /metrics), which the devnet command's RSS includes."]),
    "",
    ...memory,
    "",
    `Whole devnet (the devnet command with its ledger, ${HONEST + CHEATERS} nodes and their task processes), largest total`,
    `at one reading: ${f(report.totalMaxMb)} MB, of which the ${HONEST + CHEATERS} task processes ${f(report.taskProcessesMaxMb)} MB.`,
    "That is a sum of RSS, which counts the pages every process shares (the node executable) once per process.",
    `Counted once (sum of PSS, the memory the devnet holds): ${f(report.pssMaxMb)} MB.`,
    "",
    "Inclusion latency, in slots from the window's opening to the block that holds the transaction:",
    "",
    ...latency,
  ].join("\n");
}

function writeDocs(text: string): void {
  const path = join(ROOT, "docs/benchmarks.md");
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const section = [
    "## bench:node",
    "",
    `\`npm run bench:node\` — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}.`,
    "",
    `The default devnet (\`gradual devnet\`: the devnet command hosting the ledger, ${HONEST} honest nodes and ${CHEATERS} cheater running`,
    `examples/web-scraper, ${SLOT_MS} ms slots, 20-slot rounds) on 127.0.0.1, ${NODE_PROCESSES ? "each node a process of its own (--node-processes)" : "the nodes as threads of the devnet's process"}. Goals: a node under 150 MB`,
    "RSS with no growth from round to round; commits, reveals, votes and lists within 2 slots of their window",
    "opening; the whole devnet under 1 GB.",
    "",
    text,
    "",
  ].join("\n");
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n\n";
  const start = existing.indexOf("## bench:node");
  if (start < 0) {
    writeFileSync(path, `${existing.trimEnd()}\n\n${section}`);
    return;
  }
  const next = existing.indexOf("\n## ", start + 1);
  writeFileSync(path, `${existing.slice(0, start)}${section}${next < 0 ? "" : `\n${existing.slice(next + 1)}`}`);
}

async function main(): Promise<void> {
  process.stderr.write("bench:node: measuring the task sandbox\n");
  const sandbox = await measureSandbox();
  process.stderr.write(`${JSON.stringify(sandbox.rows)}\n${sandbox.notes.join("\n")}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), "gradual-bench-node-"));
  process.stderr.write(`bench:node: starting the devnet (${SLOT_MS} ms slots, ${ROUNDS} rounds) in ${dataDir}\n`);
  const started = await startDevnet(join(dataDir, "devnet"));
  try {
    const client = createLedgerClient({ url: started.ledgerUrl, timeoutMs: 30_000 });
    await fundForTheRun(client, started);
    const devnetPid = started.devnet.pid as number;
    const cpuBefore = cpuMsOf(started.processes, devnetPid);
    const samples = await sampleRounds(client, started);
    const cpuAfter = cpuMsOf(started.processes, devnetPid);
    const cpuMs = new Map([...cpuAfter].map(([label, ms]) => [label, ms - (cpuBefore.get(label) ?? Number.NaN)]));
    const view = await client.getTask(started.taskId);
    if (view === undefined) throw new Error("the task disappeared");
    const accounts = new Set(
      (await client.listNodes(started.taskId, { limit: 100 })).items.map((node) => node.account),
    );
    const firstRound = samples[0]?.round ?? 0;
    const latencies = await inclusionLatencies(client, { ...view.task, id: started.taskId }, accounts, firstRound);
    const readings = samples.flatMap((sample) => sample.readings);
    const sum = (values: Iterable<number>) =>
      [...values].reduce((total, value) => total + (Number.isNaN(value) ? 0 : value), 0);
    const totals = readings.map((reading) => sum(reading.rss.values()) + reading.helpers);
    const report: Report = {
      sandbox,
      memory: memoryRows(started.processes, samples, cpuMs),
      totalMaxMb: Math.max(...totals) / MB,
      taskProcessesMaxMb: Math.max(...readings.map((reading) => reading.taskProcesses)) / MB,
      pssMaxMb: Math.max(...readings.map((reading) => reading.pss)) / MB,
      latency: [...latencies].map(([kind, values]) => ({
        kind,
        count: values.length,
        p50: percentile(values, 50),
        p99: percentile(values, 99),
        max: Math.max(...values),
        within2: values.filter((value) => value <= 2).length / Math.max(1, values.length),
      })),
      rounds: samples.length,
      firstRound,
    };
    const text = formatReport(report);
    process.stdout.write(`\n${text}\n`);
    if (process.env.BENCH_WRITE !== "0") writeDocs(text);
  } finally {
    started.devnet.kill("SIGINT");
    await new Promise((done) => (started.devnet.exitCode !== null ? done(null) : started.devnet.once("exit", done)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
