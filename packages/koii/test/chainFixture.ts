import { listBlobHash } from "@gradual/protocol";
import { TASK_ID, tableLedger } from "./fakeContext.ts";

/**
 * A small task as the ledger's /v1 API shows it: three nodes (A, B, C), cycle 4 with B's proof triggered (votes: valid,
 * invalid, invalid, unavailable) and one accepted distribution by A, cycle 5 with a rejected list.
 */
export const A = "a1".repeat(32);
export const B = "b2".repeat(32);
export const C = "c3".repeat(32);
export const CREATOR = "0f".repeat(32);

/** The accepted list of cycle 4, by A: the blob a context's `blobs` must hold for it to be read. */
export const LIST_OF_CYCLE_4 = [
  { recipient: A, amount: 5_000_000_000n },
  { recipient: C, amount: 4_000_000_000n },
];

export function chainFixture(options: { urls?: Record<string, string>; digests?: Record<string, string> } = {}) {
  const url = (account: string) => options.urls?.[account] ?? `http://127.0.0.1:1/${account.slice(0, 4)}`;
  const node = (account: string, stake: string, claimable: string) => ({
    task: TASK_ID,
    account,
    url: url(account),
    stake,
    weight: stake,
    claimable,
    locked: "0",
    slashedTotal: "0",
  });
  const nodes = [node(A, "20000000000", "5"), node(B, "30000000000", "0"), node(C, "10000000000", "7")];
  const trigger = (index: number, kind: string, target: string, voteCount: number, resolution: string | null) => ({
    index,
    kind,
    attempt: 0,
    target,
    triggerer: C,
    slot: 130,
    closesAt: 140,
    voteCount,
    resolution,
  });
  return tableLedger({
    [`/tasks/${TASK_ID}`]: {
      task: {
        id: TASK_ID,
        creator: CREATOR,
        name: "fixture",
        bundleHash: "cd".repeat(32),
        metadataHash: null,
        params: {
          roundSlots: 40,
          revealSlots: 13,
          auditSlots: 13,
          minimumStake: "2000000000",
          bountyPerRound: "10000000000",
          allowedFailedDistributions: 3,
        },
        startSlot: 2,
        status: "active",
        escrow: "150000000000",
        nodeCount: 3,
        openCycles: [4, 5],
      },
      slot: 243,
      nextSlot: 244,
      round: 6,
    },
    "/chain": { slotMs: 250 },
    [`/tasks/${TASK_ID}/nodes`]: { items: nodes, offset: 0, total: 3, next: null },
    [`/tasks/${TASK_ID}/nodes/${A}`]: nodes[0],
    [`/tasks/${TASK_ID}/nodes/${B}`]: nodes[1],
    [`/tasks/${TASK_ID}/nodes/${C}`]: nodes[2],
    [`/tasks/${TASK_ID}/cycles/4`]: {
      cycle: 4,
      record: { attempt: 0, outcome: "paid" },
      triggers: [trigger(0, "proof", B, 4, "rejected")],
      distributions: [{ attempt: 0, distributor: A, status: "accepted", entryCount: 2 }],
    },
    [`/tasks/${TASK_ID}/cycles/4/reveals`]: {
      items: [
        {
          node: A,
          proofDigest: options.digests?.[A] ?? "11".repeat(32),
          salt: "00".repeat(32),
          index: 0,
          slot: 123,
          status: "valid",
        },
        {
          node: B,
          proofDigest: options.digests?.[B] ?? "22".repeat(32),
          salt: "00".repeat(32),
          index: 1,
          slot: 124,
          status: "valid",
        },
      ],
      next: null,
    },
    [`/tasks/${TASK_ID}/cycles/4/triggers/0/votes`]: {
      items: [
        { voter: A, choice: "valid", weight: "1", slot: 131 },
        { voter: CREATOR, choice: "invalid", weight: "1", slot: 132 },
        { voter: "d4".repeat(32), choice: "invalid", weight: "1", slot: 133 },
        { voter: "e5".repeat(32), choice: "unavailable", weight: "1", slot: 134 },
      ],
      next: null,
    },
    // The ledger holds a list's root; its entries are the blob `listBlob` (protocol.md §6.2, `LIST_OF_CYCLE_4`).
    [`/tasks/${TASK_ID}/cycles/4/distributions/0`]: {
      items: [],
      next: null,
      distribution: {
        attempt: 0,
        distributor: A,
        status: "accepted",
        entryCount: 2,
        listBlob: listBlobHash(LIST_OF_CYCLE_4),
      },
    },
    [`/tasks/${TASK_ID}/cycles/5`]: {
      cycle: 5,
      record: { attempt: 1, outcome: null },
      triggers: [trigger(0, "distribution", B, 0, "upheld")],
      distributions: [{ attempt: 0, distributor: B, status: "rejected", entryCount: 3 }],
    },
    [`/tasks/${TASK_ID}/cycles/5/reveals`]: { items: [], next: null },
  });
}
