import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { makeTempDir, removeDir, runGradual } from "./support.ts";

/** `npm start` (gradual devnet) with the ledger's port taken says so and names --port, instead of a stack. */
test("gradual devnet refuses a taken port with a code and the way out", async () => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen({ port: 0, host: "127.0.0.1" }, done));
  const address = blocker.address();
  assert.ok(typeof address === "object" && address !== null);
  const dataDir = makeTempDir("port-in-use");
  try {
    const result = await runGradual(["devnet", "--port", String(address.port), "--data", dataDir], 60_000);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`^error\\[DEVNET__PORT_IN_USE\\]: port ${address.port} is already in use`, "m"),
    );
    assert.match(result.stderr, /--port/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await new Promise<void>((done) => blocker.close(() => done()));
    removeDir(dataDir);
  }
});
