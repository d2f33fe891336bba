import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import type { Running } from "../src/devnet/processes.ts";
import { reportNodeExits } from "../src/devnet/startDevnet.ts";

/** A node's process or thread, seen from the devnet: it exits when told to. */
class FakeRunning extends EventEmitter implements Running {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  kill(): boolean {
    return false;
  }
  end(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit("exit", code, signal);
  }
}

test("a node that stops by itself is reported once, with its log; a stop the devnet asked for is not", () => {
  const nodes = ["node-1", "node-2", "node-3"].map((label) => ({
    label,
    logFile: `/data/${label}.log`,
    process: new FakeRunning(),
  }));
  const lines: string[] = [];
  let stopping = false;
  reportNodeExits(
    nodes,
    () => stopping,
    (line) => lines.push(line),
  );
  nodes[0]?.process.end(1, null);
  nodes[1]?.process.end(null, "SIGKILL");
  assert.deepEqual(lines, [
    "warning: node-1 stopped (exit code 1); the devnet goes on without it (see /data/node-1.log)\n",
    "warning: node-2 stopped (SIGKILL); the devnet goes on without it (see /data/node-2.log)\n",
  ]);
  stopping = true;
  nodes[2]?.process.end(0, null);
  assert.equal(lines.length, 2, "the devnet's own stop says nothing per node");
});
