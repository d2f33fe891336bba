import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { revealPendingMessage } from "../src/commands/staking.ts";

describe("UNSTAKE__REVEAL_PENDING's message", () => {
  it("says to stop the node before waiting, with the current slot and how far the reveal's close is", () => {
    const message = revealPendingMessage({ cycle: 4, revealClosesAt: 120, slot: 110, paired: false, slotMs: 400 });
    assert.match(message, /closes at slot 120 \(now slot 110: 10 slots, about 4 s away\)/);
    assert.match(message, /Stop the node first .*then wait until slot 120/);
    assert.ok(message.indexOf("Stop the node") < message.indexOf("wait until"));
    assert.match(message, /--force \(forfeits cycle 4's pay\); in a devnet .*--force$/);
  });

  it("omits the seconds where the ledger does not give its slot length", () => {
    const message = revealPendingMessage({
      cycle: 4,
      revealClosesAt: 111,
      slot: 110,
      paired: false,
      slotMs: undefined,
    });
    assert.match(message, /\(now slot 110: 1 slot away\)/);
  });

  it("gives no wait advice when reveals are paired (a working node always has one pending)", () => {
    const message = revealPendingMessage({ cycle: 7, revealClosesAt: 90, slot: 85, paired: true, slotMs: 400 });
    assert.doesNotMatch(message, /wait until/);
    assert.match(
      message,
      /Stop the node and run it with `gradual node --leave` \(it reveals, then unstakes\), or pass --force \(forfeits cycle 7's pay\); in a devnet/,
    );
  });
});
