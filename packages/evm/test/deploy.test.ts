import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Abi, createPublicClient, erc20Abi, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { loadArtifact } from "../src/compile.ts";
import { deployContracts } from "../src/deploy.ts";
import { mintTestToken, tokenBalance } from "../src/token.ts";

/** anvil's first dev account (10,000 ETH on every anvil), the deployer of these tests. */
export const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

function hasArtifact(name: string): boolean {
  try {
    loadArtifact(name);
    return true;
  } catch {
    return false;
  }
}

describe("deployContracts on anvil", () => {
  let anvil: Anvil;
  const deployer = privateKeyToAccount(ANVIL_DEPLOYER_KEY);
  before(async () => {
    anvil = await startAnvil();
  });
  after(() => anvil?.stop());

  test("deploys a TestToken (9 decimals, the deployer mints) and Gradual when built, with code at each address", async () => {
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 1000 });
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    assert.equal(deployed.chainId, anvil.chainId);
    assert.ok(deployed.token.deployment, "a TestToken was deployed");
    const receipt = await client.getTransactionReceipt({ hash: deployed.token.deployment.transactionHash });
    assert.equal(receipt.contractAddress?.toLowerCase(), deployed.token.address.toLowerCase());
    assert.equal(receipt.blockNumber, deployed.token.deployment.blockNumber);
    const token = deployed.token.address;
    assert.equal(await client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }), 9);
    assert.equal(await client.readContract({ address: token, abi: erc20Abi, functionName: "totalSupply" }), 0n);
    const minter = await client.readContract({
      address: token,
      abi: loadArtifact("TestToken").abi as Abi,
      functionName: "minter",
    });
    assert.equal(minter, deployer.address);
    const latest = await client.getBlock({ blockNumber: deployed.token.deployment.blockNumber });
    assert.ok(deployed.genesisTimestamp >= latest.timestamp, "genesis defaults to the latest block's time");
    if (hasArtifact("Gradual")) {
      assert.ok(deployed.gradual, "Gradual deployed");
      const gradual = { address: deployed.gradual.address, abi: loadArtifact("Gradual").abi as Abi };
      assert.equal(await client.readContract({ ...gradual, functionName: "token" }), token);
      assert.equal(
        await client.readContract({ ...gradual, functionName: "genesisTimestamp" }),
        deployed.genesisTimestamp,
      );
      assert.equal(await client.readContract({ ...gradual, functionName: "slotMs" }), 1000);
    } else {
      assert.equal(deployed.gradual, undefined);
      assert.match(deployed.skipped ?? "", /no Gradual artifact/);
    }
  });

  test("uses a given token without deploying another, and refuses an address with no code", async () => {
    const first = await deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 500 });
    const second = await deployContracts({
      rpcUrl: anvil.rpcUrl,
      account: deployer,
      slotMs: 500,
      token: first.token.address,
      genesisTimestamp: 1_700_000_000n,
    });
    assert.equal(second.token.address, first.token.address);
    assert.equal(second.token.deployment, undefined);
    assert.equal(second.genesisTimestamp, 1_700_000_000n);
    await assert.rejects(
      deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 500, token: deployer.address }),
      { code: "EVM__NOT_A_CONTRACT" },
    );
  });

  test("refuses another chain than the one expected, and an account that cannot pay", async () => {
    await assert.rejects(
      deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 1000, chainId: anvil.chainId + 1 }),
      { code: "EVM__CHAIN_ID_MISMATCH" },
    );
    const pauper = privateKeyToAccount(generatePrivateKey());
    await assert.rejects(deployContracts({ rpcUrl: anvil.rpcUrl, account: pauper, slotMs: 1000 }), {
      code: "EVM__INSUFFICIENT_FUNDS",
    });
  });

  test("mints as the deployer only, and reads balances", async () => {
    const { token } = await deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 1000 });
    const holder = privateKeyToAccount(generatePrivateKey());
    const minted = await mintTestToken({
      rpcUrl: anvil.rpcUrl,
      account: deployer,
      token: token.address,
      to: holder.address,
      amount: 1_500_000_000n,
    });
    assert.equal(minted.balance, 1_500_000_000n);
    assert.equal(
      await tokenBalance({ rpcUrl: anvil.rpcUrl, token: token.address, owner: holder.address }),
      1_500_000_000n,
    );
    await assert.rejects(
      mintTestToken({ rpcUrl: anvil.rpcUrl, account: holder, token: token.address, to: holder.address, amount: 1n }),
      { code: "EVM__NOT_MINTER" },
    );
  });
});

test("an endpoint that does not answer is EVM__RPC_UNREACHABLE", async () => {
  const anvil = await startAnvil();
  await anvil.stop();
  await assert.rejects(
    deployContracts({ rpcUrl: anvil.rpcUrl, account: privateKeyToAccount(ANVIL_DEPLOYER_KEY), slotMs: 1000 }),
    { code: "EVM__RPC_UNREACHABLE" },
  );
});
