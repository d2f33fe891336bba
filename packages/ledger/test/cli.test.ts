import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TOKEN } from "@gradual/protocol";
import { type AccountView, genesisToJson, loadKeyFile, type SubmitResult } from "../src/index.ts";
import { makeGenesis, makeKeys } from "./support/fixtures.ts";
import { type LedgerProcess, runCli, spawnLedger, tempDir } from "./support/process.ts";

/** The CLI commands around the ledger, end to end: keys new/show, account, transfer (text and --json). */

describe("gradual keys, account, transfer", () => {
  const dir = tempDir("cli");
  const funded = makeKeys(["alice"]);
  const aliceFile = join(dir.path, "alice.json");
  const bobFile = join(dir.path, "bob.json");
  let ledger: LedgerProcess;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    const genesisFile = join(dir.path, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(funded, 100n * TOKEN))));
    writeFileSync(aliceFile, JSON.stringify({ publicKey: funded.alice.publicKey, secretKey: funded.alice.secretKey }));
    ledger = await spawnLedger(join(dir.path, "data"), {
      args: ["--genesis", genesisFile, "--slot-ms", "50", "--workers", "1"],
    });
    env = { GRADUAL_LEDGER: ledger.url };
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  it("prints help for every command", async () => {
    for (const command of [
      ["ledger"],
      ["ledger", "verify"],
      ["keys", "new"],
      ["keys", "show"],
      ["account"],
      ["transfer"],
    ]) {
      const result = await runCli([...command, "--help"]);
      assert.equal(result.code, 0, command.join(" "));
      assert.match(result.stdout, /Usage: gradual/);
    }
  });

  it("creates a key file, refuses to overwrite it, and shows its public key", async () => {
    const created = await runCli(["keys", "new", "--out", bobFile, "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const { publicKey } = JSON.parse(created.stdout) as { publicKey: string };
    assert.equal(loadKeyFile(bobFile).publicKey, publicKey);
    const again = await runCli(["keys", "new", "--out", bobFile]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error\[KEYS__EXISTS\]/);
    const shown = await runCli(["keys", "show", bobFile]);
    assert.equal(shown.stdout.trim(), publicKey);
    assert.doesNotMatch(shown.stdout, /secret/i);
  });

  it("transfers tokens given with decimals, and shows both accounts", async () => {
    const bob = loadKeyFile(bobFile).publicKey;
    const sent = await runCli(["transfer", "--key", aliceFile, "--to", bob, "--amount", "1.5", "--json"], { env });
    assert.equal(sent.code, 0, sent.stderr);
    const result = JSON.parse(sent.stdout) as SubmitResult;
    assert.equal(result.status, "included");
    const shown = await runCli(["account", bobFile, "--json"], { env });
    const view = JSON.parse(shown.stdout) as AccountView;
    assert.equal(view.balance, "1500000000");
    const text = await runCli(["account", funded.alice.publicKey, "--ledger", ledger.url]);
    assert.match(text.stdout, /balance\s+98\.5 tokens/);
    assert.match(text.stdout, /nonce\s+1/);
  });

  it("reports bad amounts, refusals and an unreachable ledger with codes", async () => {
    const bob = loadKeyFile(bobFile).publicKey;
    const floaty = await runCli(["transfer", "--key", aliceFile, "--to", bob, "--amount", "1e3"], { env });
    assert.equal(floaty.code, 1);
    assert.match(floaty.stderr, /error\[CLI__BAD_INPUT\]/);
    const tooPrecise = await runCli(["transfer", "--key", aliceFile, "--to", bob, "--amount", "0.0000000001"], { env });
    assert.match(tooPrecise.stderr, /error\[CLI__BAD_INPUT\]/);
    const broke = await runCli(["transfer", "--key", bobFile, "--to", funded.alice.publicKey, "--amount", "2"], {
      env,
    });
    assert.equal(broke.code, 1);
    assert.match(broke.stderr, /error\[ACCOUNT__INSUFFICIENT_BALANCE\]/);
    const away = await runCli(["account", bob, "--ledger", "http://127.0.0.1:9"]);
    assert.equal(away.code, 1);
    assert.match(away.stderr, /error\[LEDGER__UNREACHABLE\]/);
  });
});
