import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createLedgerClient, generateKeyPair, type RunningLedger, saveKeyFile, startLedger } from "@gradual/ledger";
import { TOKEN } from "@gradual/protocol";
import { EXAMPLES } from "../koii/support.ts";
import { makeTempDir, removeDir, runGradual } from "./support.ts";

/**
 * Under --json a command's failure is one JSON object on stdout, `{ "error": { code, message, hint? } }` (with the
 * ledger's answer beside it for a refused transaction), so that a script reading stdout can parse it; the exit code
 * is the text form's, and the text form is unchanged without --json.
 */

type JsonError = { error: { code: string; message: string; hint?: string } } & Record<string, unknown>;

/** The whole of stdout as one JSON object with an error. */
function parseError(stdout: string): JsonError {
  const parsed = JSON.parse(stdout) as JsonError;
  assert.equal(typeof parsed.error?.code, "string", stdout);
  assert.equal(typeof parsed.error?.message, "string", stdout);
  return parsed;
}

describe("--json errors", () => {
  let dir: string | undefined;
  let ledger: RunningLedger | undefined;
  let poorKey = "";
  let url = "";

  before(async () => {
    dir = makeTempDir("json-errors");
    ledger = await startLedger({ dataDir: join(dir, "ledger"), port: 0, devnet: true, slotMs: 100, workers: 1 });
    url = ledger.url;
    const poor = generateKeyPair();
    poorKey = join(dir, "poor.json");
    saveKeyFile(poorKey, poor);
    const client = createLedgerClient({ url, timeoutMs: 20_000 });
    await client.faucet(poor.publicKey, TOKEN, { timeoutMs: 10_000 });
  });

  after(async () => {
    await ledger?.close();
    removeDir(dir);
  });

  test("a usage error: code, message and the help hint as JSON on stdout", async () => {
    const result = await runGradual(["node", "status", "--json"], 60_000);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "");
    assert.deepEqual(parseError(result.stdout), {
      error: {
        code: "CLI__MISSING_OPTION",
        message: "required option '--task <id>' not specified",
        hint: "see `gradual node status --help`",
      },
    });
  });

  test("a bad value: the command's own CLI__BAD_INPUT as JSON", async () => {
    const result = await runGradual(["account", "not-an-account", "--json"], 60_000);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "");
    assert.equal(parseError(result.stdout).error.code, "CLI__BAD_INPUT");
  });

  test("an unreachable ledger: LEDGER__UNREACHABLE as JSON", async () => {
    const account = generateKeyPair().publicKey;
    // Port 9 (discard) on 127.0.0.1: nothing listens there on a test machine.
    const result = await runGradual(["account", account, "--ledger", "http://127.0.0.1:9", "--json"], 60_000);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "");
    const { error } = parseError(result.stdout);
    assert.equal(error.code, "LEDGER__UNREACHABLE");
    assert.match(error.message, /cannot reach the ledger at http:\/\/127\.0\.0\.1:9/);
  });

  test("a refused transaction: one object, the ledger's answer with the error beside it; exit 1 as in text", async () => {
    const to = generateKeyPair().publicKey;
    const args = ["transfer", "--key", poorKey, "--to", to, "--amount", "5", "--ledger", url];
    const json = await runGradual([...args, "--json"], 60_000);
    assert.equal(json.code, 1, json.stderr);
    const parsed = parseError(json.stdout);
    assert.equal(parsed.error.code, "ACCOUNT__INSUFFICIENT_BALANCE");
    assert.match(parsed.error.message, /balance 1 token, needed 5 tokens/);
    assert.equal(parsed.status, "included");
    assert.deepEqual((parsed.result as { ok: boolean; code: string }).ok, false);
    assert.equal(json.stderr, "");

    // Without --json: the text form, unchanged.
    const text = await runGradual(args, 60_000);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^transfer [0-9a-f]{64}: included in block \d+ but refused\n$/);
    assert.match(text.stderr, /^error\[ACCOUNT__INSUFFICIENT_BALANCE\]: .*balance 1 token, needed 5 tokens\n$/);
  });

  test("without --json, or on a command that has no --json, errors stay text on stderr", async () => {
    const text = await runGradual(["account", "not-an-account"], 60_000);
    assert.equal(text.code, 1);
    assert.equal(text.stdout, "");
    assert.match(text.stderr, /^error\[CLI__BAD_INPUT\]: /);
    // `gradual node` takes no --json: its usage error is the text form (with --json named as unknown).
    const other = await runGradual(["node", "--json"], 60_000);
    assert.equal(other.code, 1);
    assert.equal(other.stdout, "");
    assert.match(other.stderr, /^error\[CLI__UNKNOWN_OPTION\]: unknown option '--json'/);
  });

  test("a failed koii test run: its report and the error in one object", async () => {
    const folder = join(dir as string, "throws");
    cpSync(`${EXAMPLES}hello-world`, folder, { recursive: true });
    writeFileSync(
      join(folder, "src", "task", "1-task.js"),
      'export async function task(round) {\n  throw new Error("no work in round " + round);\n}\n',
    );
    const result = await runGradual(["koii", "test", folder, "--nodes", "1", "--rounds", "1", "--json"], 180_000);
    assert.equal(result.code, 1, result.stderr);
    const parsed = parseError(result.stdout);
    assert.equal(parsed.error.code, "KOII_TEST__FAILED");
    assert.match(parsed.error.message, /^\d+ call\(s\) failed$/);
    const failed = parsed.failedCalls as { call: string; ok: boolean; detail: string }[];
    assert.ok(failed.length > 0);
    assert.equal(failed[0]?.call, "task+submission");
    assert.match(failed[0]?.detail ?? "", /^threw: no work in round \d+$/);
  });
});
