import assert from "node:assert/strict";
import { test } from "node:test";
import { Draft, type ProtocolEvent, type State } from "@gradual/protocol";
import { runSimulation, SimulationError } from "../src/index.ts";
import { shipped } from "./helpers.ts";

const scenario = shipped("garbage", 6);

function expectBreak(run: () => unknown, invariant: string, slot: number): SimulationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SimulationError, `expected a SimulationError, got ${String(error)}`);
    assert.equal(error.invariant, invariant);
    assert.equal(error.seed, 9);
    assert.ok(error.slot >= slot, `broke at slot ${error.slot}, tampered at ${slot}`);
    assert.match(error.replay, /gradual sim --scenario \S+ --replay 9/);
    assert.match(error.message, /seed 9/);
    return error;
  }
  assert.fail("the tampered run did not break");
}

test("money created outside the rules is caught by the record recount within the round", () => {
  const tamperSlot = 45;
  const mint = (state: State): State => {
    const draft = new Draft(state);
    const account = draft.account("f".repeat(64));
    draft.setAccount("f".repeat(64), { ...account, balance: account.balance + 1n });
    return draft.finish();
  };
  const error = expectBreak(
    () =>
      runSimulation(scenario, {
        seed: 9,
        scenarioPath: "garbage.yaml",
        afterBlock: ({ slot, state, events }) => (slot === tamperSlot ? { state: mint(state), events } : undefined),
      }),
    "conservation",
    tamperSlot,
  );
  assert.ok(error.slot < tamperSlot + 20, "caught within one round");
});

test("a slash without an upheld trigger is caught in its slot", () => {
  const forged: ProtocolEvent = {
    type: "Slashed",
    task: "0".repeat(64),
    cycle: 1,
    trigger: 7,
    node: "e".repeat(64),
    fromStake: 1n,
    fromVesting: 0n,
    toWhistleblower: 0n,
    burned: 1n,
  };
  expectBreak(
    () =>
      runSimulation(scenario, {
        seed: 9,
        afterBlock: ({ slot, state, events }) => (slot === 30 ? { state, events: [...events, forged] } : undefined),
      }),
    "slash-needs-upheld-trigger",
    30,
  );
});

test("a payment above the bounty is caught when its cycle is paid", () => {
  expectBreak(
    () =>
      runSimulation(scenario, {
        seed: 9,
        afterBlock: ({ state, events }) => {
          const accepted = events.find((event) => event.type === "CycleCompleted" && event.outcome === "paid");
          const paid = events.find((event) => event.type === "Vested");
          if (accepted === undefined || paid?.type !== "Vested") return undefined;
          const extra = { ...paid, amount: 10n ** 15n };
          return { state, events: [extra, ...events] };
        },
      }),
    "payout-bound",
    0,
  );
});
