import type { ListRecord } from "@gradual/node";
import { listRoot } from "@gradual/protocol";
import type { SimNode, Strategy, World } from "../world.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * Does valid work, but posts a wrong list when it wins the race: one other recipient's amount moved to itself (and
 * it contests the honest lists). Honest nodes recompute the list, see it differ, trigger and vote; the liar is
 * slashed and the next attempt follows.
 */
function lyingList(world: World, node: SimNode, cycle: number, attempt: number): ListRecord {
  const honestRecord = honestList(world, node, cycle, attempt);
  const mine = honestRecord.entries.findIndex((entry) => entry.recipient === node.account);
  if (mine < 0 || honestRecord.entries.length < 2) return honestRecord;
  const others = honestRecord.entries.map((_, index) => index).filter((index) => index !== mine);
  const victim = world.random(`liar/${node.account}`).pick(others);
  const stolen = (honestRecord.entries[victim] as { amount: bigint }).amount;
  const entries = honestRecord.entries
    .map((entry, index) => (index === mine ? { recipient: entry.recipient, amount: entry.amount + stolen } : entry))
    .filter((_, index) => index !== victim);
  return { entries, root: listRoot(entries) };
}

export const liar: Strategy = {
  name: "liar",
  nodeClass: "attacker",
  checksProofs: true,
  work: honestWork,
  audit: honestAudit,
  computeList: lyingList,
};
