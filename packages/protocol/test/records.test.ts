/**
 * One hidden class per record kind (state/records.ts): every record the rules create or change is built by its
 * kind's builder, which writes the fields in the order of the kind's type. A record whose keys come in another order
 * (a ledger that loads its store gets them sorted) therefore comes out of any change in the builder's order, while a
 * site that copied it with a spread, or a `Draft.update` that cloned it, would keep the order it came in: that is
 * what this test catches. Which hidden class V8 gives an object is not observable without natives; the key order is.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVNET_PARAMS, diffStates, type State, stateEntries, stateFromEntries, TOKEN } from "../src/index.ts";
import {
  accountRecord,
  chainRecord,
  cycleRecord,
  distributionRecord,
  nodeRecord,
  revealRecord,
  taskRecord,
  totalsRecord,
  triggerRecord,
  vestingRecord,
} from "../src/state/records.ts";
import { TestChain } from "./harness.ts";
import { type Actor, drive } from "./honestDriver.ts";

/** Each builder takes its own kind's records (`never` here); the test hands it records of that kind only. */
const BUILDERS: Readonly<Record<string, (record: never) => object>> = {
  chain: chainRecord,
  totals: totalsRecord,
  account: accountRecord,
  task: taskRecord,
  node: nodeRecord,
  cycle: cycleRecord,
  reveal: revealRecord,
  trigger: triggerRecord,
  distribution: distributionRecord,
  vesting: vestingRecord,
};

const kindOf = (key: string) => key.split("/", 1)[0] as string;

/** The same records, those of the builders' kinds with their keys sorted (as `canonicalParse` returns them). */
function withSortedKeys(state: State): State {
  return stateFromEntries(
    [...stateEntries(state)].map(([key, value]) => {
      if (BUILDERS[kindOf(key)] === undefined) return [key, value];
      const sorted = Object.entries(value as object).sort(([a], [b]) => (a < b ? -1 : 1));
      return [key, Object.fromEntries(sorted)];
    }),
  );
}

describe("record builders", () => {
  it("give every record the rules change its kind's key order, whatever order it had before", () => {
    const actors: Actor[] = [
      { name: "h1", role: "honest" },
      { name: "h2", role: "honest" },
      { name: "h3", role: "honest" },
      { name: "garbage", role: "garbage" },
      { name: "griefer", role: "griefer" },
      { name: "offline", role: "offline" },
    ];
    const balances: Record<string, bigint> = { creator: 1_000_000n * TOKEN };
    for (const actor of actors) balances[actor.name] = 1_000n * TOKEN;
    const chain = new TestChain(balances);
    const task = chain.createTask(
      "creator",
      { vestingRounds: 3, warmupRounds: 0, rampRounds: 0, distributionRule: "custom" },
      100_000n * TOKEN,
    );
    for (const actor of actors) chain.stakeIn(task, actor.name, 200n * TOKEN);
    drive(chain, actors, 3 * DEVNET_PARAMS.roundSlots);

    // Checked after every transition, so that a record changed by a spread is seen before a later change rebuilds it.
    const changed = new Map<string, number>();
    chain.observers.push((transition, after) => {
      for (const [key, value] of diffStates(transition.before, after)) {
        const build = BUILDERS[kindOf(key)];
        if (build === undefined || value === undefined) continue;
        changed.set(kindOf(key), (changed.get(kindOf(key)) ?? 0) + 1);
        assert.deepEqual(
          Object.keys(value as object),
          Object.keys(build(value as never)),
          `${key}: fields in its kind's order`,
        );
      }
    });
    // Every slot starts from sorted records, so that each site that changes a record meets one in the other order.
    for (let slot = 0; slot < 6 * DEVNET_PARAMS.roundSlots; slot += 1) {
      chain.state = withSortedKeys(chain.state);
      drive(chain, actors, 1);
    }

    // The run changes records of every kind that a cycle with audits, slashes and a list touches.
    for (const kind of Object.keys(BUILDERS)) assert.ok((changed.get(kind) ?? 0) > 0, `some ${kind} record changed`);
  });
});
