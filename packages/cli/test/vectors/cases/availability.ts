import { accountOf, payloadOf } from "../builder.ts";
import { taskWithNodes, type VectorCase, workCycle } from "../scenarios.ts";

/**
 * Availability challenges (protocol.md §5.6): a trigger with verdict `unavailable` against a proof is settled on the
 * ledger, not by votes. Its target answers with `publishProof`, whose payload must hash (SHA-256) to the revealed
 * proof digest; answered, the challenge resolves `answered` at once. In each case bob (300), carol (200) and dave
 * (100) revealed cycle 0, and dave opened availability challenge 0 against bob's proof in slot 22 (it closes at 27).
 * A node's payload is the UTF-8 text `proof:<name>:<cycle>`, whose SHA-256 is its revealed digest.
 */
function challengedBob(b: Parameters<VectorCase["build"]>[0]): void {
  taskWithNodes(b);
  workCycle(b, 0);
  b.advanceTo(22);
  b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
  b.advanceTo(23);
}

export const AVAILABILITY_CASES: readonly VectorCase[] = [
  {
    path: "publishProof/accepted",
    description:
      "bob answers dave's availability challenge in slot 23 by publishing his payload (hex of 'proof:bob:0', whose SHA-256 is his revealed digest): the payload is stored under published/<task>/0/<bob>, his reveal is marked published, the challenge resolves answered at once (ProofPublished, TriggerResolved) and dave's bond comes back; nobody is slashed and bob stays valid.",
    build(b) {
      challengedBob(b);
      b.begin();
      b.publish("bob", 0, 0);
    },
  },
  {
    path: "publishProof/rejected-no-challenge",
    description:
      "carol publishes her payload against trigger 0, which challenges bob's proof, not hers: PUBLISH__NO_CHALLENGE (only the target of an open availability challenge may answer it).",
    build(b) {
      challengedBob(b);
      b.begin();
      b.publish("carol", 0, 0, { expect: "PUBLISH__NO_CHALLENGE" });
    },
  },
  {
    path: "publishProof/rejected-not-availability",
    description:
      "bob triggered against dave's proof with verdict invalid; dave publishes his payload against it: PUBLISH__NO_CHALLENGE, because an invalid-proof trigger is decided by votes, not by publication.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.begin();
      b.publish("dave", 0, 0, { expect: "PUBLISH__NO_CHALLENGE" });
    },
  },
  {
    path: "publishProof/rejected-window-closed",
    description:
      "bob left dave's availability challenge unanswered and it resolved unavailable at slot 27; bob publishes his payload in slot 27: PUBLISH__WINDOW_CLOSED, the proof stays unavailable.",
    build(b) {
      challengedBob(b);
      b.advanceTo(27);
      b.begin();
      b.publish("bob", 0, 0, { expect: "PUBLISH__WINDOW_CLOSED" });
    },
  },
  {
    path: "publishProof/rejected-digest-mismatch",
    description:
      "bob answers dave's challenge with carol's payload ('proof:carol:0'): its SHA-256 is not bob's revealed digest, PUBLISH__DIGEST_MISMATCH (context: expected and got); the challenge stays open.",
    build(b) {
      challengedBob(b);
      b.begin();
      b.publish("bob", 0, 0, { payload: payloadOf("carol", 0), expect: "PUBLISH__DIGEST_MISMATCH" });
    },
  },
  {
    path: "publishProof/rejected-too-large",
    description:
      "bob answers dave's challenge with a payload of 1025 bytes where the task's maxProofBytes is 1024: PUBLISH__TOO_LARGE, checked before the digest.",
    build(b) {
      challengedBob(b);
      b.begin();
      b.publish("bob", 0, 0, { payload: "ab".repeat(1_025), expect: "PUBLISH__TOO_LARGE" });
    },
  },
  {
    path: "triggerAudit/rejected-already-published",
    description:
      "bob answered dave's availability challenge by publishing his payload in slot 23; carol opens another availability challenge against the same proof in slot 24: AUDIT__ALREADY_TRIGGERED, the payload is on the ledger, so the proof is available by definition.",
    build(b) {
      challengedBob(b);
      b.publish("bob", 0, 0);
      b.advanceTo(24);
      b.begin();
      b.trigger("carol", 0, accountOf("bob"), { verdict: "unavailable", expect: "AUDIT__ALREADY_TRIGGERED" });
    },
  },
];
