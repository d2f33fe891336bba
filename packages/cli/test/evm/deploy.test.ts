import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Anvil, evmKeyFromPrivateKey, startAnvil } from "@gradual/evm";
import { makeTempDir, removeDir, runGradual } from "../e2e/support.ts";

/** anvil's first dev account (10,000 ETH on every anvil). */
const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

type Deployment = {
  chainId: number;
  deployer: string;
  token: { address: string; deployment?: { blockNumber: string; transactionHash: string } };
  gradual: { address: string; blockNumber: string };
  audits: { address: string; blockNumber: string };
  lists: { address: string; blockNumber: string };
  tasks: { address: string; blockNumber: string };
  slotMs: number;
};

/** gradual deploy and gradual token, as processes, against a real anvil. */
describe("gradual deploy and gradual token on anvil", () => {
  const dir = makeTempDir("evm-deploy");
  const deployerFile = join(dir, "deployer.json");
  const holderFile = join(dir, "holder.json");
  const edFile = join(dir, "ed25519.json");
  let anvil: Anvil;
  const run = (args: readonly string[]) => runGradual(args, 90_000);

  before(async () => {
    anvil = await startAnvil();
    const deployer = evmKeyFromPrivateKey(ANVIL_DEPLOYER_KEY);
    writeFileSync(
      deployerFile,
      JSON.stringify({
        type: "evm",
        address: deployer.address,
        accountId: deployer.accountId,
        privateKey: deployer.privateKey,
      }),
      { mode: 0o600 },
    );
    assert.equal((await run(["keys", "new", "--type", "evm", "--out", holderFile])).code, 0);
    assert.equal((await run(["keys", "new", "--out", edFile])).code, 0);
  });
  after(async () => {
    await anvil?.stop();
    removeDir(dir);
  });

  test("deploys the token (and Gradual when built), mints as the deployer and reads the balance", async () => {
    const deployed = await run(["deploy", "--rpc", anvil.rpcUrl, "--key", deployerFile, "--slot-ms", "500", "--json"]);
    assert.equal(deployed.code, 0, deployed.stderr);
    const result = JSON.parse(deployed.stdout) as Deployment;
    assert.equal(result.chainId, anvil.chainId);
    assert.equal(result.slotMs, 500);
    assert.match(result.token.address, /^0x[0-9a-fA-F]{40}$/);
    assert.ok(result.token.deployment, "a TestToken was deployed");
    assert.match(result.gradual.address, /^0x[0-9a-fA-F]{40}$/);
    assert.ok(
      BigInt(result.gradual.blockNumber) > BigInt(result.token.deployment.blockNumber),
      "Gradual after its token",
    );
    // The modules first (each on its own: no initcode nests another's), then Gradual with their addresses.
    assert.ok(BigInt(result.audits.blockNumber) > BigInt(result.token.deployment.blockNumber), "audits module");
    assert.ok(BigInt(result.lists.blockNumber) > BigInt(result.audits.blockNumber), "lists module");
    assert.ok(BigInt(result.tasks.blockNumber) > BigInt(result.lists.blockNumber), "tasks module");
    assert.ok(BigInt(result.gradual.blockNumber) > BigInt(result.tasks.blockNumber), "Gradual after its modules");
    assert.equal(
      new Set([result.audits.address, result.lists.address, result.tasks.address, result.gradual.address]).size,
      4,
    );
    const token = result.token.address;

    const minted = await run(
      ["token", "mint", "--rpc", anvil.rpcUrl, "--key", deployerFile, "--token", token].concat([
        "--to",
        holderFile,
        "--amount",
        "12.5",
      ]),
    );
    assert.equal(minted.code, 0, minted.stderr);
    assert.match(minted.stdout, /minted 12\.5 to 0x/);
    const balance = await run(["token", "balance", holderFile, "--token", token, "--rpc", anvil.rpcUrl, "--json"]);
    assert.equal(balance.code, 0, balance.stderr);
    const read = JSON.parse(balance.stdout) as { address: string; accountId: string; balance: string };
    assert.equal(read.balance, "12500000000");
    const byAccountId = await run(["token", "balance", read.accountId, "--token", token, "--rpc", anvil.rpcUrl]);
    assert.equal(byAccountId.stdout.trim(), "12.5");

    const notMinter = await run(
      ["token", "mint", "--rpc", anvil.rpcUrl, "--key", holderFile, "--token", token].concat([
        "--to",
        holderFile,
        "--amount",
        "1",
      ]),
    );
    assert.equal(notMinter.code, 1);
    assert.match(notMinter.stderr, /error\[EVM__NOT_MINTER\]/);
  });

  test("each failure exits 1 with its code", async () => {
    const cases: [readonly string[], RegExp][] = [
      [["deploy", "--rpc", anvil.rpcUrl, "--key", edFile], /error\[KEYS__NOT_EVM\]/],
      [["deploy", "--rpc", anvil.rpcUrl, "--key", holderFile], /error\[EVM__INSUFFICIENT_FUNDS\]/],
      [["deploy", "--rpc", anvil.rpcUrl, "--key", deployerFile, "--chain-id", "1"], /error\[EVM__CHAIN_ID_MISMATCH\]/],
      [["deploy", "--rpc", "http://127.0.0.1:9", "--key", deployerFile], /error\[EVM__RPC_UNREACHABLE\]/],
      [["deploy", "--rpc", anvil.rpcUrl, "--key", deployerFile, "--slot-ms", "5"], /error\[CLI__BAD_OPTION\]/],
      [["deploy", "--rpc", anvil.rpcUrl, "--key", join(dir, "none.json")], /error\[KEYS__NO_FILE\]/],
    ];
    for (const [args, expected] of cases) {
      const result = await run(args);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stdout}`);
      assert.match(result.stderr, expected, args.join(" "));
    }
  });

  test("--help of each command", async () => {
    for (const command of [["deploy"], ["token"], ["token", "mint"], ["token", "balance"]]) {
      const help = await run([...command, "--help"]);
      assert.equal(help.code, 0, command.join(" "));
      assert.match(help.stdout, /Usage: gradual/);
    }
    assert.match((await run(["deploy", "--help"])).stdout, /EVM__RPC_UNREACHABLE/);
  });
});
