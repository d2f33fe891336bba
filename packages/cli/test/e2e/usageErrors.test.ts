import assert from "node:assert/strict";
import { test } from "node:test";
import { runGradual } from "./support.ts";

/**
 * Commander's own usage errors come out as every other CLI error does: one line `error[CODE]: message` with a stable
 * code (docs/errors.md), then a hint naming the command's help; exit 1, no help dump, no stack trace.
 */
test("usage errors carry stable codes and point at the failing command's help", async () => {
  const cases: readonly [readonly string[], string, string][] = [
    [["frobnicate"], "CLI__UNKNOWN_COMMAND", "gradual"],
    [["task", "staus"], "CLI__UNKNOWN_COMMAND", "gradual task"],
    [["node", "status"], "CLI__MISSING_OPTION", "gradual node status"],
    [["node", "status", "--task"], "CLI__BAD_OPTION", "gradual node status"],
    [["sim", "--rules", "foo", "--scenario", "x.yaml"], "CLI__BAD_OPTION", "gradual sim"],
    [["sim", "--bogus"], "CLI__UNKNOWN_OPTION", "gradual sim"],
    [["sim"], "CLI__MISSING_OPTION", "gradual sim"],
    [["sim", "report"], "CLI__MISSING_OPTION", "gradual sim report"],
    [["stake", "0".repeat(64), "--amount", "1"], "CLI__MISSING_OPTION", "gradual stake"],
  ];
  for (const [args, code, command] of cases) {
    const result = await runGradual(args, 60_000);
    assert.equal(result.code, 1, args.join(" "));
    const lines = result.stderr.trim().split("\n");
    assert.match(lines[0] ?? "", new RegExp(`^error\\[${code}\\]: `), args.join(" "));
    assert.equal(lines.at(-1), `(see \`${command} --help\`)`, args.join(" "));
    assert.ok(lines.length <= 3, `${args.join(" ")}: no help dump\n${result.stderr}`);
    assert.equal(result.stdout, "", args.join(" "));
  }
  const sim = await runGradual(["sim"], 60_000);
  assert.match(sim.stderr, /^error\[CLI__MISSING_OPTION\]: required option '--scenario <file>' not specified$/m);
  const suggested = await runGradual(["task", "staus"], 60_000);
  assert.match(suggested.stderr, /Did you mean status\?/);
});
