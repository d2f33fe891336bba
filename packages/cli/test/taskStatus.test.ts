import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cyclePhaseLabel } from "../src/commands/task.ts";

describe("gradual task status: a cycle's phase", () => {
  it("names a paired task's reveal round as the devnet does: revealing with the commits", () => {
    const cycle = { cycle: 6, phase: "review", openWindows: ["reveal"] };
    assert.equal(cyclePhaseLabel(cycle, 7, true), "revealing with the commits (open: reveal)");
    // A round later the cycle is in review proper.
    assert.equal(cyclePhaseLabel({ ...cycle, openWindows: ["audit"] }, 8, true), "review (open: audit)");
  });

  it("keeps the ledger's phase when reveals are not paired", () => {
    assert.equal(
      cyclePhaseLabel({ cycle: 6, phase: "review", openWindows: ["reveal"] }, 7, false),
      "review (open: reveal)",
    );
    assert.equal(cyclePhaseLabel({ cycle: 7, phase: "work", openWindows: [] }, 7, true), "work");
  });
});
