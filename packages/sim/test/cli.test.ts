import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runSimulation } from "../src/index.ts";
import { scenarioPath, shipped } from "./helpers.ts";

const bin = fileURLToPath(new URL("../../cli/bin/gradual.js", import.meta.url));

function gradual(...args: string[]) {
  return spawnSync(process.execPath, [bin, "sim", ...args], { encoding: "utf8", timeout: 120_000 });
}

test("gradual sim --replay reproduces the run of that seed, with its state root", () => {
  const cli = gradual("--scenario", scenarioPath("liar"), "--replay", "4", "--rules", "koii", "--json");
  assert.equal(cli.status, 0, cli.stderr);
  const printed = JSON.parse(cli.stdout) as { stateRoot: string; seed: number; series: unknown[] };
  const direct = runSimulation(shipped("liar"), { seed: 4, rules: "koii" });
  assert.equal(printed.seed, 4);
  assert.equal(printed.stateRoot, direct.stateRoot);
  assert.ok(printed.series.length >= 16);
});

test("gradual sim prints a summary, and a clear error for a bad scenario", () => {
  const summary = gradual("--scenario", scenarioPath("garbage"), "--seed", "2");
  assert.equal(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /scenario garbage, rules gradual, seed 2/);
  assert.match(summary.stdout, /invariants held/);
  const bad = gradual("--scenario", "no-such-file.yaml");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /error\[SIM__BAD_SCENARIO\]: cannot read scenario no-such-file.yaml/);
});

test("gradual sim report refuses a property seed count below 1 before running anything", () => {
  const bad = gradual("report", "--out", "unused-report-dir", "--property-seeds", "0");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /error\[CLI__BAD_OPTION\]: --property-seeds: expected an integer >= 1, got "0"/);
  const help = gradual("report", "--help");
  assert.match(help.stdout, /--property-seeds <n>\s+seeds of the property runs P1-P6, 1\.\.n \(default 10;/);
});
