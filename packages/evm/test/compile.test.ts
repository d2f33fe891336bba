import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isRegisteredCode } from "@gradual/protocol";
import { ContractsCompileError, compileContracts, gradualAbi, loadArtifact } from "../src/compile.ts";

const SMALL = `// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

contract Small {
    using SafeERC20 for IERC20;
    error SMALL__ZERO();
    event Stored(uint256 value);
    uint256 public stored;

    function store(uint256 value) external {
        if (value == 0) revert SMALL__ZERO();
        stored = value;
        emit Stored(value);
    }
}
`;

function packageWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gradual-evm-compile-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("compileContracts compiles contracts/src with OpenZeppelin imports, writes artifacts and skips an unchanged build", () => {
  const dir = packageWith({
    "contracts/src/Small.sol": SMALL,
    "contracts/test/SmallTest.sol": SMALL.replace("contract Small", "contract SmallTest"),
  });
  try {
    const first = compileContracts({ packageDir: dir });
    assert.equal(first.compiled, true);
    assert.deepEqual(first.contracts, ["Small"]);
    const artifact = loadArtifact("Small", { packageDir: dir });
    assert.match(artifact.bytecode, /^0x[0-9a-f]{100,}$/);
    assert.match(artifact.deployedBytecode, /^0x[0-9a-f]{100,}$/);
    const names = (artifact.abi as { type: string; name?: string }[])
      .map((item) => `${item.type}:${item.name ?? ""}`)
      .sort();
    assert.deepEqual(names, ["error:SMALL__ZERO", "event:Stored", "function:store", "function:stored"]);
    const second = compileContracts({ packageDir: dir });
    assert.equal(second.compiled, false);
    assert.equal(second.inputsHash, first.inputsHash);
    const withTests = compileContracts({ packageDir: dir, includeTests: true });
    assert.deepEqual(withTests.contracts, ["Small", "SmallTest"]);
    assert.equal(loadArtifact("SmallTest", { packageDir: dir, includeTests: true }).contractName, "SmallTest");
    assert.throws(() => loadArtifact("SmallTest", { packageDir: dir }), /EVM__ARTIFACT_MISSING.*run npm run build/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compileContracts fails on a solc error with its file:line", () => {
  const dir = packageWith({
    "contracts/src/Broken.sol":
      "// SPDX-License-Identifier: Apache-2.0\npragma solidity 0.8.37;\n\ncontract Broken {\n  function f() external { undefinedThing(); }\n}\n",
  });
  try {
    assert.throws(
      () => compileContracts({ packageDir: dir }),
      (error: unknown) =>
        error instanceof ContractsCompileError && /contracts\/src\/Broken\.sol:5:\d+: error/.test(error.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the production contracts fit a chain: each of Gradual and its modules under EIP-170 (runtime) and EIP-3860 (initcode)", () => {
  compileContracts();
  const size = (hex: string) => (hex.length - 2) / 2;
  // `deployContracts` deploys each on its own (the modules first, their addresses passed to Gradual), so no
  // initcode holds another's.
  for (const name of ["Gradual", "GradualAudits", "GradualLists", "GradualTasks"]) {
    const artifact = loadArtifact(name);
    assert.ok(size(artifact.deployedBytecode) <= 24_576, `${name}: ${size(artifact.deployedBytecode)} bytes`);
    assert.ok(size(artifact.bytecode) <= 49_152, `${name} initcode: ${size(artifact.bytecode)} bytes`);
  }
});

test("every custom error of the contracts is a registered code, so a revert's name is the core's code (AUDIT__NOT_APPEALABLE included)", () => {
  compileContracts();
  const names = (gradualAbi() as { type: string; name?: string }[])
    .filter((item) => item.type === "error")
    .map((item) => item.name as string);
  // OpenZeppelin's own (a reentrant call, a failed token transfer): never a rule's answer.
  const library = new Set(["ReentrancyGuardReentrantCall", "SafeERC20FailedOperation"]);
  assert.deepEqual(
    names.filter((name) => !library.has(name) && !isRegisteredCode(name)),
    [],
  );
  assert.ok(names.includes("AUDIT__NOT_APPEALABLE"));
});
