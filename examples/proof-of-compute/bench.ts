/**
 * Measures the asymmetry: time to solve the puzzle versus time to check a solution.
 *
 *   node --conditions=source --import tsx examples/proof-of-compute/bench.ts [difficultyBits=16] [puzzles=40]
 */
import { createProof, encodeProof, type TaskContext } from "@gradual/sdk";
import { checkSolution, puzzleSeed, type Solution, solvePuzzle } from "./puzzle.ts";
import proofOfCompute from "./task.ts";

const difficultyBits = Number(process.argv[2] ?? 16);
const puzzles = Number(process.argv[3] ?? 40);
const taskId = "7a".repeat(32);

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

const node = "b1".repeat(32);
const solveMs: number[] = [];
const attempts: number[] = [];
const solved: { seed: Uint8Array; solution: Solution }[] = [];
for (let index = 0; index < puzzles; index += 1) {
  const seed = puzzleSeed(taskId, index, node);
  const started = performance.now();
  const solution = await solvePuzzle(seed, difficultyBits);
  solveMs.push(performance.now() - started);
  attempts.push(solution.attempts);
  solved.push({ seed, solution });
}

const checks = 20_000;
const started = performance.now();
for (let index = 0; index < checks; index += 1) {
  const { seed, solution } = solved[index % solved.length] as (typeof solved)[number];
  if (!checkSolution(seed, difficultyBits, solution.nonce, solution.digest)) throw new Error("check failed");
}
const checkMs = (performance.now() - started) / checks;

// The whole audit as a node runs it: JSON parse, structure and canonical-form checks, then the one hash.
const audits = 5_000;
const { solution } = solved[0] as (typeof solved)[number];
const proof = createProof(encodeProof({ cycle: 0, nonce: solution.nonce, digest: solution.digest }));
const ctx = { taskId, cycle: 0, config: { difficultyBits: String(difficultyBits) } } as unknown as TaskContext;
const auditStarted = performance.now();
for (let index = 0; index < audits; index += 1) {
  if (!(await proofOfCompute.audit(ctx, proof, node))) throw new Error("audit failed");
}
const auditMs = (performance.now() - auditStarted) / audits;

const sorted = [...solveMs].sort((a, b) => a - b);
const mean = solveMs.reduce((sum, ms) => sum + ms, 0) / solveMs.length;
const meanAttempts = attempts.reduce((sum, n) => sum + n, 0) / attempts.length;
console.log(`difficulty ${difficultyBits} bits, ${puzzles} puzzles (expected ${2 ** difficultyBits} hashes each)`);
console.log(
  `solve: mean ${mean.toFixed(1)} ms, median ${percentile(sorted, 0.5).toFixed(1)} ms, p90 ${percentile(sorted, 0.9).toFixed(1)} ms, mean attempts ${Math.round(meanAttempts)}`,
);
console.log(`check: ${(checkMs * 1000).toFixed(1)} µs per proof (${checks} checks)`);
console.log(`audit: ${(auditMs * 1000).toFixed(1)} µs per proof, JSON and canonical checks included`);
console.log(`ratio: solving costs ${Math.round(mean / checkMs).toLocaleString("en-US")}x checking`);
