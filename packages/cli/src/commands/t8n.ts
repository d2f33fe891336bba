import { readFileSync, writeFileSync } from "node:fs";
import {
  expectationMismatch,
  InvariantError,
  type PostFile,
  parsePre,
  parseTxs,
  parseVectorJson,
  postFromRun,
  runSteps,
  type StepResult,
  stateFromPre,
  type TxsFile,
  toVectorJson,
} from "@gradual/ledger/t8n";
import { ProtocolError } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError } from "../output.ts";

const FORMATS = `
Files (JSON; amounts in state records and events are bigints written as "123n"):
  pre.json   { "slot": N, "stateRoot"?: hex, "records": { "<state key>": <record>, ... } }
             every record of the state; stateRoot is checked when present.
  txs.json   { "description"?: text, "accounts"?: { name: hex }, "steps": [ step, ... ] } or a bare array of steps:
             { "advanceTo": slot }                   advance one slot at a time, window ends included
             { "tx": <wire tx>, "expect"?: ... }      apply an already verified transaction (applyTransaction)
             { "tx": <wire tx>, "signature": hex, "bytes"?: n, "expect"?: ... }
                                                     admit it at the ledger edge first (size, shape, chain,
                                                     signature, nonce); bytes = wire size, default its JSON length
             expect: { "ok": true } | { "ok": false, "code": "<ERROR CODE>", "included": bool }
  output     { "slot", "stateRoot", "results": [ per step: { step, advanceTo, events } or
             { step, kind, hash, ok, code?, included?, context?, events } ], "records": { ... } }
             (the post.json of a spec vector; see spec-tests/README.md)

Examples:
  gradual t8n --pre spec-tests/vote/accepted/pre.json --txs spec-tests/vote/accepted/txs.json
  gradual t8n --pre pre.json --txs txs.json --slot 40 --out post.json`;

type T8nOptions = { pre: string; txs?: string; slot?: string; out?: string; check?: boolean };

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError("T8N__NO_FILE", `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  return parseVectorJson(text, `${what} ${path}`);
}

function parseSlot(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new CliError("T8N__BAD_SLOT", `--slot: expected a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function summaryLine(result: StepResult): string {
  if ("advanceTo" in result)
    return `step ${result.step}: advanceTo ${result.advanceTo} (${result.events.length} events)`;
  const outcome = result.ok ? "ok" : `${result.code} (${result.included ? "included" : "not included"})`;
  return `step ${result.step}: ${result.kind ?? "?"} ${outcome}`;
}

/** Runs the transition; exported for tests. */
function runT8n(options: T8nOptions): { post: PostFile; mismatches: string[] } {
  const pre = parsePre(readJson(options.pre, "pre-state"), options.pre);
  const txs: TxsFile =
    options.txs === undefined ? { steps: [] } : parseTxs(readJson(options.txs, "transactions"), options.txs);
  const finalSlot = parseSlot(options.slot);
  const state = stateFromPre(pre, options.pre);
  let post: PostFile;
  try {
    post = postFromRun(runSteps(state, txs.steps, finalSlot === undefined ? {} : { finalSlot }));
  } catch (error) {
    if (error instanceof InvariantError) throw new CliError("T8N__INVARIANT_BROKEN", error.message, 2);
    // A pre-state edited by hand can break what the protocol assumes of its own records.
    if (error instanceof ProtocolError) throw new CliError("T8N__PROTOCOL_ERROR", error.message, 2);
    throw error;
  }
  const mismatches: string[] = [];
  txs.steps.forEach((step, index) => {
    const result = post.results[index] as StepResult;
    const mismatch = "tx" in step ? expectationMismatch(result, step.expect) : null;
    if (mismatch !== null) mismatches.push(`step ${index}: ${mismatch}`);
  });
  return { post, mismatches };
}

/** `gradual t8n`: the state transition tool that makes and checks spec vectors (after ethereumjs' t8n). */
export function register(program: Command): void {
  program
    .command("t8n")
    .description("Apply steps (slot advances and transactions) to a pre-state and print the post-state and results")
    .requiredOption("--pre <file>", "pre-state JSON")
    .option("--txs <file>", "steps JSON (default: no steps)")
    .option("--slot <n>", "advance to slot N, one slot at a time, after the steps")
    .option("--out <file>", "write the post-state to this file and print one line per step instead")
    .option("--check", "exit 1 when a transaction's result differs from its step's expect")
    .addHelpText("after", FORMATS)
    .action((options: T8nOptions) => {
      const { post, mismatches } = runT8n(options);
      if (options.out === undefined) {
        process.stdout.write(toVectorJson(post));
      } else {
        writeFileSync(options.out, toVectorJson(post));
        for (const result of post.results) process.stdout.write(`${summaryLine(result)}\n`);
        process.stdout.write(`slot ${post.slot} stateRoot ${post.stateRoot}\n`);
      }
      for (const mismatch of mismatches) process.stderr.write(`expectation not met: ${mismatch}\n`);
      if (options.check === true && mismatches.length > 0) {
        throw new CliError("T8N__EXPECTATION_NOT_MET", `${mismatches.length} step(s) did not meet their expect`);
      }
    });
}
