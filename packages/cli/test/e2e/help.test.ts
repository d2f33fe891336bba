import assert from "node:assert/strict";
import { test } from "node:test";
import { runGradual } from "./support.ts";

/**
 * `gradual help ...` prints the help of the command it names on stdout and exits 0, whatever follows it (commander's
 * own help command exited 1 on `help --help`, printing the help on stderr, and read only one name); a name that is no
 * command is a usage error with its code.
 */
test("gradual help [command...] prints that command's help and exits 0", async () => {
  const cases: readonly [readonly string[], string][] = [
    [["help", "--help"], "Usage: gradual [options] [command]"],
    [["help", "-h"], "Usage: gradual [options] [command]"],
    [["help"], "Usage: gradual [options] [command]"],
    [["help", "help"], "Usage: gradual [options] [command]"],
    [["help", "koii"], "Usage: gradual koii [options] [command]"],
    [["help", "koii", "devnet"], "Usage: gradual koii devnet [options] <dir>"],
    [["help", "koii", "devnet", "--help"], "Usage: gradual koii devnet [options] <dir>"],
    [["koii", "help", "devnet"], "Usage: gradual koii devnet [options] <dir>"],
    [["koii", "help", "--help"], "Usage: gradual koii [options] [command]"],
    [["help", "node", "status"], "Usage: gradual node status [options]"],
  ];
  for (const [args, usage] of cases) {
    const result = await runGradual(args, 60_000);
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout.split("\n")[0], usage, args.join(" "));
    assert.equal(result.stderr, "", args.join(" "));
  }
});

test("gradual help with a name that is no command is an unknown command (exit 1)", async () => {
  const cases: readonly [readonly string[], string, string][] = [
    [["help", "frobnicate"], "unknown command 'frobnicate'", "gradual"],
    [["help", "koii", "nope"], "unknown command 'nope'", "gradual koii"],
  ];
  for (const [args, message, command] of cases) {
    const result = await runGradual(args, 60_000);
    assert.equal(result.code, 1, args.join(" "));
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines[0], `error[CLI__UNKNOWN_COMMAND]: ${message}`, args.join(" "));
    assert.equal(lines.at(-1), `(see \`${command} --help\`)`, args.join(" "));
    assert.equal(result.stdout, "", args.join(" "));
  }
  assert.match((await runGradual(["help", "tsak"], 60_000)).stderr, /Did you mean task\?/);
});

test("an argument named help of a command without subcommands is its argument, not a help request", async () => {
  // `koii check help` checks a folder called help (there is none), as before.
  const result = await runGradual(["koii", "check", "help"], 60_000);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[KOII__BUILD_FAILED\]: no config-task\.yml at help/);
});

test("help gives each default once and marks sim's required options; sim report's example leaves the committed report", async () => {
  const stake = await runGradual(["stake", "--help"], 60_000);
  assert.equal(stake.code, 0, stake.stderr);
  assert.doesNotMatch(stake.stdout, /\(default: "/, "no second default from commander");
  assert.match(stake.stdout, /default:\s+http:\/\/127\.0\.0\.1:7001, what `gradual node` listens on\)/);
  const sim = await runGradual(["sim", "--help"], 60_000);
  assert.match(sim.stdout, /--scenario <file> +scenario file .*required/);
  const report = await runGradual(["sim", "report", "--help"], 60_000);
  assert.match(report.stdout, /--out <dir> +output directory; required/);
  assert.match(report.stdout, /gradual sim report --out report\//);
  assert.doesNotMatch(report.stdout, /--out docs\/simulator-report/);
});
