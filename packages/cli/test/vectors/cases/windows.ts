import { accountOf, type Name, type VectorBuilder } from "../builder.ts";
import {
  commitAll,
  NODES,
  othersThan,
  proofFoundInvalid,
  submitHonestList,
  taskWithNodes,
  toDistribution,
  transferBody,
  type VectorCase,
  workCycle,
} from "../scenarios.ts";

/** Cycle 0's list accepted at slot 37, dave's entry of 333 claimed in slot 38 (vesting over rounds [2, 4)), slot 40. */
function claimedEntryAt40(b: VectorBuilder): void {
  taskWithNodes(b);
  workCycle(b, 0);
  submitHonestList(b, 0);
  b.advanceTo(38);
  b.claimEntry("dave", 0, b.honestList(0), "dave");
  b.advanceTo(40);
}

/** dave's entry of cycle 0's accepted list (333) unclaimed, and bob's late trigger against dave's cycle 0 proof in slot 40. */
function lateTriggerOnUnclaimedEntry(b: VectorBuilder): ReturnType<VectorBuilder["honestList"]> {
  taskWithNodes(b);
  workCycle(b, 0);
  submitHonestList(b, 0);
  const list = b.honestList(0);
  b.advanceTo(40);
  b.trigger("bob", 0, accountOf("dave"));
  return list;
}

/**
 * erin (400) stakes with the three nodes but does not submit; cycle 0's distributor posts a list paying itself the
 * whole bounty, and the two other nodes and erin vote its list trigger invalid (it is upheld and slashes at slot 37).
 * Ends in slot 33; returns the distributor and the node that triggered.
 */
function selfPayingListRejected(b: VectorBuilder): { distributor: Name; first: Name } {
  b.send("alice", transferBody("erin", 1_000n));
  taskWithNodes(b, {}, 5_000n, { ...NODES, erin: 400n });
  workCycle(b, 0);
  const distributor = toDistribution(b, 0);
  b.submitList(distributor, 0, [{ recipient: accountOf(distributor), amount: 1_000n }]);
  const [first = "bob", second = "carol"] = othersThan(distributor);
  b.advanceTo(32);
  b.trigger(first, 0, accountOf(distributor), { kind: "distribution" });
  b.advanceTo(33);
  b.vote(second, 0, 0, "invalid");
  b.vote("erin", 0, 0, "invalid");
  return { distributor, first };
}

/**
 * `proofFoundInvalid` (with `voters` staked beside the three nodes, and working cycle 0: only a cycle's nodes vote on
 * its late decisions, §5.7), then `leavers` (bob by default) unstake in slot 31 and dave appeals his own proof in slot
 * 40 (trigger 1, closes at 45).
 */
function appealedProof(
  b: VectorBuilder,
  voters: Readonly<Partial<Record<Name, bigint>>> = {},
  leavers: readonly Name[] = ["bob"],
): void {
  proofFoundInvalid(b, voters, Object.keys(voters) as Name[]);
  b.advanceTo(31);
  for (const name of leavers) b.send(name, { kind: "unstake", task: b.task });
  b.advanceTo(40);
  b.trigger("dave", 0, accountOf("dave"), { verdict: "valid" });
}

/**
 * Window ends and round starts (protocol.md §2, §4.4, §5.5, §6.4-§6.5, §7, §8), processed by advanceSlot before the
 * transactions of their slot. bob (300), carol (200) and dave (100) are the nodes; see scenarios.ts for the slots.
 */
export const WINDOW_CASES: readonly VectorCase[] = [
  {
    path: "windows/reveal-close-seed",
    description:
      "bob and carol revealed in slot 20, dave reveals in slot 21; at slot 22 the reveal window closes and seed(0) = H(task genesis seed, salts in ledger order, 0) is fixed with revealCount 3.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(20);
      b.reveal("bob", 0);
      b.reveal("carol", 0);
      b.advanceTo(21);
      b.begin();
      b.reveal("dave", 0);
      b.advanceTo(22);
    },
  },
  {
    path: "windows/audit-upheld",
    description:
      "bob (300) triggered against dave's proof and carol (200) voted invalid: at slot 27 invalid is 500 of the 600 that took part (500 voted plus dave's own 100 counted as valid): 83% > 66.67%, and all 500 of the weight that may vote (all but dave's) took part: upheld. dave loses 50% of his stake (50), bob gets his bond (10) back plus 10% of the slash (5), the other 45 is burned (totals.burned, task.burned; the escrow gets nothing), dave's reveal is marked invalid and validCount drops to 2.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-upheld-below-supermajority",
    description:
      "bob (300) triggered against dave's proof and carol (100) voted invalid, dave staked 150: invalid is 400 of the 550 that took part (the votes plus dave's own 150 counted as valid), 72.7%: above slashQuorum (66.67%), so the trigger is upheld and dave's proof is not paid (reveal status invalid, validCount 2), but not above slashSupermajority (77%), so nobody is slashed and no vote counts as losing; bob gets his bond back. A coalition under two thirds of the weight, even with 30% of the rest following it, stays under 77% (§5.5).",
    build(b) {
      taskWithNodes(b, {}, 5_000n, { bob: 300n, carol: 100n, dave: 150n });
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-upheld-slashes-vesting",
    description:
      "dave's entry of cycle 0 (333) is accepted at slot 37 and, in the same slot, the trigger against his cycle 1 proof is upheld: he loses 50 of his stake (bob gets 5 plus his bond, 45 is burned). His entry is not claimed yet, so the slash takes nothing from his vesting now; it is logged (slashLog, seq 0) and replayed on the entry when it is claimed (claimDistribution/accepted-slash-replayed). Unvested rewards stay slashable (§7).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      workCycle(b, 1);
      submitHonestList(b, 0);
      b.advanceTo(32);
      b.trigger("bob", 1, accountOf("dave"));
      b.advanceTo(33);
      b.vote("carol", 1, 0, "invalid");
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
    },
  },
  {
    path: "windows/audit-rejected",
    description:
      "dave (100) triggered against carol's proof, bob (300) voted valid: invalid is 100 of 600 (the votes plus carol's own 200 counted as valid), 16.7%, not above 1 − 66.67%: rejected. dave's bond (10) goes to carol, nobody is slashed, carol is paid as usual, and dave's losing vote is counted (losingVotes 1).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("carol"));
      b.advanceTo(23);
      b.vote("bob", 0, 0, "valid");
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-rejected-losing-vote-penalty",
    description:
      "As audit-rejected with losingVotePenalty 5: besides forfeiting his bond, dave loses 5 of his stake for voting on the losing side (LosingVotePenalized); the penalty is burned (totals.burned, task.burned), not paid into the escrow.",
    build(b) {
      taskWithNodes(b, { losingVotePenalty: 5n });
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("carol"));
      b.advanceTo(23);
      b.vote("bob", 0, 0, "valid");
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-disputed",
    description:
      "bob (300) triggered against dave's proof, carol (200) voted valid: invalid is 300 of 600 (the votes plus dave's own 100 counted as valid), 50%, not above slashQuorum (66.67%) but above 1 − 66.67%: disputed. dave is not slashed but his proof is not paid (reveal status disputed, validCount 2); bob gets his bond back, and nobody's vote counts as losing.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.vote("carol", 0, 0, "valid");
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-rejected-low-participation",
    description:
      "dave (100) alone triggered against carol's proof and nobody voted: 100 of the 400 weight that may vote (all active weight but the target's) is below minParticipation (30%), so the trigger is rejected although every vote said invalid; dave's bond goes to carol.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("carol"));
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-unavailable",
    description:
      "dave (100) opened an availability challenge against bob's cycle 0 proof in slot 22 (verdict unavailable: no votes, bond 10) and bob never published his payload: at slot 27 the challenge resolves unavailable. bob is not paid for the cycle (reveal status unavailable, validCount 2) but nobody is slashed (downtime is not fraud) and dave gets his bond back.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/audit-answered",
    description:
      "dave opened an availability challenge against bob's cycle 0 proof and bob published his payload in slot 23, which settled it as answered; at slot 27, where an unanswered challenge would resolve, nothing more happens: bob's reveal stays valid and published, dave's bond was returned at publication.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
      b.advanceTo(23);
      b.publish("bob", 0, 0);
      b.advanceTo(26);
      b.begin();
      b.advanceTo(27);
    },
  },
  {
    path: "windows/late-trigger-upheld-clawback",
    description:
      "Cycle 0's list was accepted at slot 37 and dave claimed his entry of 333 in slot 38 (vesting over rounds [2, 4)); in slot 40 he claimed the 167 released so far. Also in slot 40 bob triggered late against dave's cycle 0 proof (its own vote window, closing at 45), which holds the 333 the cycle paid him, and carol voted invalid. At slot 45 the late trigger is upheld: first the 166 that dave still holds are clawed back into the escrow (RewardClawedBack; task.totalPaid falls by 166, the claimed 167 is gone), then dave is slashed 50% of his stake (50, burned but for bob's 5).",
    build(b) {
      claimedEntryAt40(b);
      b.claim("dave");
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(41);
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(44);
      b.begin();
      b.advanceTo(45);
    },
  },
  {
    path: "windows/late-trigger-disputed-no-clawback",
    description:
      "Cycle 0's list was accepted at slot 37 and dave claimed his entry of 333 in slot 38 (vesting over rounds [2, 4)). In slot 40 bob triggered late against dave's cycle 0 proof (closes at 45) and carol votes valid, so invalid holds half of D (bob's 300 against carol's 200 and dave's own 100): above a third, not above two thirds. At slot 45 the late trigger resolves disputed: bob's bond comes back, nothing is clawed back and dave's proof stays valid (deviation 37: only an upheld late trigger takes back what the cycle paid). In slot 46 dave claims what has unlocked.",
    build(b) {
      claimedEntryAt40(b);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(41);
      b.vote("carol", 0, 0, "valid");
      b.advanceTo(44);
      b.begin();
      b.advanceTo(46);
      b.claim("dave");
    },
  },
  {
    path: "windows/late-trigger-frozen-claim",
    description:
      "Cycle 0's list was accepted at slot 37 and dave claimed his entry of 333 in slot 38 (vesting over rounds [2, 4)). In slot 40 bob triggered late against dave's cycle 0 proof (closes at 45); the trigger holds the 333 cycle 0 paid him (§5.7), so dave's claim in slot 41 is refused (CLAIM__NOTHING_CLAIMABLE): what he holds is no more than what the open challenge keeps back (§7.1). carol votes invalid; at slot 45 the trigger is upheld and the 333 are clawed back into the escrow from what he holds before his stake is slashed.",
    build(b) {
      claimedEntryAt40(b);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.advanceTo(41);
      b.claim("dave", { expect: "CLAIM__NOTHING_CLAIMABLE" });
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(45);
    },
  },
  {
    path: "windows/late-trigger-holds-rule-share",
    description:
      "A weighted task: cycle 0 paid itself at slot 30 (dave 166 into his vesting pool, released over rounds [2, 4)). In slot 40 bob triggers late against dave's cycle 0 proof: the trigger holds the 166 the cycle paid him, computed from the cycle's payment figures (ruleBase 1000 × his weight 100 / ruleWeight 600), and dave's vesting holds 166 (§5.7, deviation 42). In slot 41 dave's claim is refused (CLAIM__NOTHING_CLAIMABLE): of the 83 released, all must stay while 83 is still locked. carol votes valid; at slot 45 the trigger is disputed (bob's 300 against carol's 200 and dave's own 100): a disputed late trigger takes nothing (deviation 37), its hold is released, and in slot 46 dave claims the 83 released by round 3.",
    build(b) {
      taskWithNodes(b, { distributionRule: "weighted" });
      workCycle(b, 0);
      b.advanceTo(40);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.advanceTo(41);
      b.claim("dave", { expect: "CLAIM__NOTHING_CLAIMABLE" });
      b.vote("carol", 0, 0, "valid");
      b.advanceTo(45);
      b.advanceTo(46);
      b.claim("dave");
    },
  },
  {
    path: "windows/late-trigger-holds-entry-claimed-while-open",
    description:
      "Cycle 0's list was accepted at slot 37 and dave has not claimed his entry of 333. In slot 40 bob triggers late against dave's cycle 0 proof: nothing of the cycle is in dave's vesting yet, so the trigger holds 0. In slot 41 dave claims his entry: the claim records the 333 and the open trigger now holds them too (trigger and vesting `held` 333), so his claim in slot 42 is refused (CLAIM__NOTHING_CLAIMABLE). carol votes invalid; at slot 45 the trigger is upheld and the 333 are clawed back into the escrow before dave's stake is slashed.",
    build(b) {
      const list = lateTriggerOnUnclaimedEntry(b);
      b.begin();
      b.advanceTo(41);
      b.claimEntry("dave", 0, list, "dave");
      b.advanceTo(42);
      b.claim("dave", { expect: "CLAIM__NOTHING_CLAIMABLE" });
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(45);
    },
  },
  {
    path: "windows/late-trigger-unclaimed-entry",
    description:
      "Cycle 0's list was accepted at slot 37 and dave never claimed his entry of 333. In slot 40 bob triggered late against dave's cycle 0 proof and carol voted invalid; at slot 45 the trigger is upheld and dave's proof is invalid. In slot 46 dave claims his entry: DISTRIBUTION__NOT_A_SUBMITTER. Waiting to claim does not shield a reward from a late challenge: the 333 stay in the cycle and return to the escrow when it is pruned (§6.4).",
    build(b) {
      const list = lateTriggerOnUnclaimedEntry(b);
      b.advanceTo(41);
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(45);
      b.advanceTo(46);
      b.begin();
      b.claimEntry("dave", 0, list, "dave", { expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
    },
  },
  {
    path: "windows/appeal-upheld-slashes-voters",
    description:
      "A weighted task with bob 300, carol 100 and dave 150. bob triggered against dave's valid cycle 0 proof and carol voted invalid: 400 of 550 (72.7%), upheld below the slash supermajority, so dave's proof is invalid and unpaid when cycle 0 pays itself at slot 30 (bob 750, carol 250: the invalid proof leaves the denominator). bob unstakes in slot 31 (no weight; still slashable while unbonding and while his proofs can be challenged). In slot 40 dave appeals his own proof (verdict valid, trigger 1, closes at 45) and carol votes valid. At slot 45 the appeal is decided in cycle 0's frame (deviations 39 and 40): D 250 is above a third of the 550 that reviewed the cycle, and support 250 (carol's 100 and dave's own 150) of D 250 is above 77%: dave's proof is valid again (the cycle's payments stay as they were, so he is not paid for it), his bond comes back, and every node that voted invalid on trigger 0 is slashed by half: bob 150 of his unbonding stake and 187 of his locked vesting, carol 50 of stake and 62 of hers; dave gets 10% of each slash (33 and 11) besides his bond (§5.8).",
    build(b) {
      appealedProof(b);
      b.advanceTo(41);
      b.vote("carol", 0, 1, "valid");
      b.advanceTo(44);
      b.begin();
      b.advanceTo(45);
    },
  },
  {
    path: "windows/appeal-disputed",
    description:
      "The same history as windows/appeal-upheld-slashes-voters, but carol votes invalid on dave's appeal: support is dave's own 150 of D 250 (60%), above a third but not above two thirds, so the appeal is disputed: nothing changes and dave's bond comes back. Nobody is slashed.",
    build(b) {
      appealedProof(b);
      b.advanceTo(41);
      b.vote("carol", 0, 1, "invalid");
      b.advanceTo(44);
      b.begin();
      b.advanceTo(45);
    },
  },
  {
    path: "windows/appeal-rejected-bond-burned",
    description:
      "dave's cycle 0 proof was found invalid (upheld below the supermajority) and bob stays staked. In slot 40 dave appeals; bob and carol vote invalid: support is dave's own 150 of D 550 (27%), not above a third: the appeal is rejected, dave's 10 of bond is burned (an appeal's bond goes to nobody: the nodes it accuses are many), and his proof stays invalid.",
    build(b) {
      proofFoundInvalid(b);
      b.advanceTo(40);
      b.trigger("dave", 0, accountOf("dave"), { verdict: "valid" });
      b.advanceTo(41);
      b.vote("bob", 0, 1, "invalid");
      b.vote("carol", 0, 1, "invalid");
      b.advanceTo(44);
      b.begin();
      b.advanceTo(45);
    },
  },
  {
    path: "windows/appeal-reinstated-then-found-invalid-again",
    description:
      "A weighted task: bob 300, carol 100, dave 150, erin 300 and frank 300 work cycle 0 (its reviewWeight is 1,150); erin and frank stay out of its review. bob's trigger against dave's cycle 0 proof is upheld below the supermajority with carol's vote (400 of 550), so dave is unpaid at slot 30; bob unstakes in slot 31. dave appeals in slot 40 and erin votes valid: at slot 45 the appeal is upheld above 77% (450 of 450, and D is above a third of 1,150; a late decision's participation is that quorum, not 30% of any weight), dave's proof is valid again and back in the cycle's counts (validCount 5, revealedWeight 1,150, shareCount 5), and bob and carol are slashed. In slot 46 carol challenges dave's proof late again, and erin and frank vote invalid: at slot 51 it is upheld (650 of 800, 81.3%: carol weighs the 50 she has left, below her reveal's 100), dave is slashed, and his proof leaves the counts once more (validCount 4, revealedWeight 1,000, shareCount 4): a reinstated proof is counted once, whatever happens to it next.",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      b.send("alice", transferBody("frank", 1_000n));
      appealedProof(b, { erin: 300n, frank: 300n });
      b.advanceTo(41);
      b.vote("erin", 0, 1, "valid");
      b.advanceTo(46);
      b.trigger("carol", 0, accountOf("dave"));
      b.advanceTo(47);
      b.vote("erin", 0, 2, "invalid");
      b.vote("frank", 0, 2, "invalid");
      b.advanceTo(50);
      b.begin();
      b.advanceTo(51);
    },
  },
  {
    path: "windows/appeal-without-quorum",
    description:
      "A weighted task: bob 300, carol 100, dave 150, erin 100 and frank 300 all work cycle 0, so the weight of its reveals, fixed with its seed at slot 22, is 950: its reviewWeight. bob's trigger against dave's proof is upheld below the supermajority with carol's vote (400 of 550), so dave is unpaid at slot 30. In slot 31 bob, carol and frank unstake, erin stakes 400 more and alice, who never worked, stakes 300; both are active from slot 40. dave appeals in slot 40. In slot 41 erin votes valid with weight 100, what her cycle 0 reveal carried, not the 500 she holds now; alice's vote is refused with VOTE__NO_WEIGHT (included): only a cycle's own nodes vote on its late decisions (deviation 40). At slot 45 support is 250 of D 250, which would uphold above 77% and slash bob and carol, but a late decision needs D above a third of the weight that reviewed its cycle (316.6 of 950; deviation 39): the appeal is rejected, dave's 10 of bond is burned, his proof stays invalid, and the nodes that left are not judged by the 26% that stayed, nor by stake bought since (with erin's 500 and alice's 300 counted, D would be 950).",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      b.send("alice", transferBody("frank", 1_000n));
      proofFoundInvalid(b, { erin: 100n, frank: 300n }, ["erin", "frank"]);
      b.advanceTo(31);
      for (const name of ["bob", "carol", "frank"] as const) b.send(name, { kind: "unstake", task: b.task });
      b.stake("erin", 400n);
      b.stake("alice", 300n);
      b.advanceTo(40);
      b.trigger("dave", 0, accountOf("dave"), { verdict: "valid" });
      b.advanceTo(41);
      b.begin();
      b.vote("erin", 0, 1, "valid");
      b.vote("alice", 0, 1, "valid", { expect: "VOTE__NO_WEIGHT" });
      b.advanceTo(45);
    },
  },
  {
    path: "windows/appeal-of-list-invalidated-proof-refused",
    description:
      "The history of windows/distribution-rejected-reselected: the distributor of cycle 0 posted a list paying itself, the list trigger was upheld above the supermajority at slot 37, so it was slashed and its proof of cycle 0 became invalid. At slot 40 attempt 1 opens, another valid submitter posts the honest list, accepted at slot 47: cycle 0 completes and its late-challenge window is open. In slot 48 the former distributor appeals its own proof: AUDIT__NOT_APPEALABLE. No proof trigger judged that proof; an upheld list trigger took it out (§6.4), and an appeal answers only a proof trigger's voters (§5.8).",
    build(b) {
      const { distributor, first } = selfPayingListRejected(b);
      b.advanceTo(40);
      b.submitList(first, 0, b.honestList(0), { attempt: 1 });
      b.advanceTo(48);
      b.begin();
      b.trigger(distributor, 0, accountOf(distributor), { verdict: "valid", expect: "AUDIT__NOT_APPEALABLE" });
    },
  },
  {
    path: "windows/late-availability-unanswered",
    description:
      "Cycle 0 paid bob 333 at slot 37. In slot 40 dave opened a late availability challenge against bob's cycle 0 proof (closes at 45) and bob did not publish: at slot 45 it resolves unavailable: bob had not claimed his entry, so nothing of it is in his vesting to claw back, and his proof, now unavailable, can no longer be claimed for; nobody is slashed and dave gets his bond back.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(40);
      b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
      b.advanceTo(44);
      b.begin();
      b.advanceTo(45);
    },
  },
  {
    path: "windows/distribution-accepted",
    description:
      "The honest list for cycle 0 (333 to each of 3 nodes) was not challenged: at slot 37 it is accepted, each entry may be claimed into its recipient's vesting, released over rounds [2, 4), and the unpaid 1 returns to the escrow (CycleCompleted paid 999, returned 1).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
    },
  },
  {
    path: "windows/distribution-accepted-after-false-trigger",
    description:
      "erin (400) staked with the three nodes but does not submit. The lighter of the two non-distributing submitters triggered against the honest list of cycle 0; the other and erin voted valid, so invalid is at most a third of the weight that took part (the votes plus the distributor's own): at slot 37 the trigger is rejected, the triggerer's bond goes to the distributor, and the list is accepted: its total stays reserved for its entries' claims.",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      taskWithNodes(b, {}, 5_000n, { ...NODES, erin: 400n });
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      const [first, second] = othersThan(distributor);
      b.advanceTo(32);
      b.trigger(second ?? "dave", 0, accountOf(distributor), { kind: "distribution" });
      b.advanceTo(33);
      b.vote(first ?? "bob", 0, 0, "valid");
      b.vote("erin", 0, 0, "valid");
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
    },
  },
  {
    path: "windows/distribution-disputed",
    description:
      "The distributor of cycle 0 posted the honest list; the heavier of the two other nodes triggered against it and the lighter voted valid (bob 300, carol 200, dave 100): invalid is a third or a half of the 600 that took part (the votes plus the distributor's own counted as valid), not above slashQuorum (66.67%) but above 1 − 66.67%: disputed. At slot 37 the list is rejected (DistributionRejected, reason disputed) and the attempt fails, but the distributor is not slashed, keeps its valid proof, and the triggerer gets its bond back; the cycle moves to attempt 1 in round 3.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      // NODE_NAMES runs from the heaviest: the first other node is the heavier.
      const [heavier, lighter] = othersThan(distributor) as [Name, Name];
      b.advanceTo(32);
      b.trigger(heavier, 0, accountOf(distributor), { kind: "distribution" });
      b.advanceTo(33);
      b.vote(lighter, 0, 0, "valid");
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
    },
  },
  {
    path: "windows/distribution-rejected-reselected",
    description:
      "erin (400) staked with the three nodes but does not submit. The distributor of cycle 0 posted a list paying itself the whole bounty; the two other nodes and erin voted it invalid, more than two thirds of the weight with the distributor's own counted as valid. At slot 37 the trigger is upheld: the distributor is slashed 50% of its stake, the list is rejected, it joins failedDistributors and the cycle moves to attempt 1 in round 3. At slot 40 attempt 1 opens: any remaining valid submitter may post a list (§6.1).",
    build(b) {
      selfPayingListRejected(b);
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
      b.advanceTo(40);
    },
  },
  {
    path: "windows/paid-by-weighted-rule",
    description:
      "A task with distributionRule weighted: at the first slot of round 2 (slot 30), where lists would open, cycle 0 pays itself with no distributor and no list: 1000 × weight at reveal / revealed weight vests to each valid submitter (bob 500, carol 333, dave 166) over rounds [2, 4). The rule owes ⌊1000 × 600 / 600⌋ = 1000; the shares floor to 999, and that 1 of rounding dust stays reserved in the cycle; nothing returns to the escrow.",
    build(b) {
      taskWithNodes(b, { distributionRule: "weighted" });
      workCycle(b, 0);
      const paid = b.windows(0).distribution.opensAt;
      b.advanceTo(paid - 1);
      b.begin();
      b.advanceTo(paid);
    },
  },
  {
    path: "windows/paid-by-equal-rule",
    description:
      "A task with distributionRule equal: at the first slot of round 2 cycle 0 pays ⌊1000 / 3⌋ = 333 to each of its three valid submitters, vesting over rounds [2, 4), and returns the other 1 to the escrow (the rule owes exactly 333 × 3, so no dust stays).",
    build(b) {
      taskWithNodes(b, { distributionRule: "equal" });
      workCycle(b, 0);
      const paid = b.windows(0).distribution.opensAt;
      b.advanceTo(paid - 1);
      b.begin();
      b.advanceTo(paid);
    },
  },
  {
    path: "windows/distribution-missing",
    description:
      "Nobody posts a list for cycle 0: at slot 32 (end of the distribution window) the attempt fails, with no missed-duty mark (nobody was drawn) and no slash; at slot 40 (round 3) attempt 1 opens to every valid submitter.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      toDistribution(b, 0);
      b.advanceTo(31);
      b.begin();
      b.advanceTo(32);
      b.advanceTo(40);
    },
  },
  {
    path: "windows/distribution-exhausted",
    description:
      "With allowedFailedDistributions 1, attempt 0 of cycle 0 already failed (no list) and nobody posts in attempt 1 either: at slot 42 the cycle completes as distribution-failed and its whole bounty (1000) returns to the escrow.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      toDistribution(b, 0);
      b.advanceTo(40);
      b.advanceTo(41);
      b.begin();
      b.advanceTo(42);
    },
  },
  {
    path: "windows/vesting",
    description:
      "Cycle 0's list was accepted at slot 37; in slot 38 bob and carol claim their entries (333 each), vesting linearly over rounds [2, 4) from the acceptance. In round 3 bob claims 167 (half, floored once on what stays locked: deviation 42); in round 4 he claims the other 166 and his pool is empty, while carol claims all 333 at once.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(37);
      b.begin();
      const list = b.honestList(0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, list, "bob");
      b.claimEntry("carol", 0, list, "carol");
      b.advanceTo(40);
      b.claim("bob");
      b.advanceTo(50);
      b.claim("bob");
      b.claim("carol");
    },
  },
  {
    path: "windows/pause-resume",
    description:
      "A task funded with one bounty (1000): cycle 0 reserved it all, so at round 1 (slot 20) the escrow cannot cover cycle 1 and the task pauses (no cycle 1). The nodes reveal cycle 0, alice funds 1000 in slot 21, and at round 2 (slot 30) the task resumes and cycle 2 starts.",
    build(b) {
      taskWithNodes(b, {}, 1_000n);
      commitAll(b, 0);
      b.advanceTo(19);
      b.begin();
      b.advanceTo(20);
      for (const name of ["bob", "carol", "dave"] as const) b.reveal(name, 0);
      b.advanceTo(21);
      b.send("alice", { kind: "fundTask", task: b.task, amount: 1_000n });
      b.advanceTo(30);
    },
  },
  {
    path: "windows/close-task",
    description:
      "alice closed her task in round 1 while cycles 0 and 1 were open; no cycle starts after that. At slot 37 cycle 0 is paid; at slot 40 cycle 1 (no submitters) completes, the last open cycle, and the remaining escrow (4001) returns to alice: status closed.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(25);
      b.send("alice", { kind: "closeTask", task: b.task });
      submitHonestList(b, 0);
      b.advanceTo(36);
      b.begin();
      b.advanceTo(37);
      b.advanceTo(40);
    },
  },
  {
    path: "windows/list-claim-window-closed",
    description:
      "Cycle 0's list (999) was accepted at slot 37 (round 2) and only bob claimed his entry (333). At the start of round 2 + listClaimRounds (slot 190) the list's claim window closes: the 666 nobody claimed move from the cycle's reservation to the escrow (ListClaimWindowClosed), once; the core may prune the cycle at the same round start, which moves nothing.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, b.honestList(0), "bob");
      b.advanceTo(189);
      b.begin();
      b.advanceTo(190);
      b.advanceTo(200);
    },
  },
  {
    path: "windows/list-claim-window-closed-task-closed",
    description:
      "alice closed her task in round 1; cycle 0's list (999) was accepted at slot 37, nobody claimed, and the task closed at slot 40 when its last open cycle completed. At slot 190 the list's claim window closes: a closed task has no escrow, so the 999 are credited to alice (Credited, reason escrow) for her claim.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(25);
      b.send("alice", { kind: "closeTask", task: b.task });
      submitHonestList(b, 0);
      b.advanceTo(189);
      b.begin();
      b.advanceTo(190);
    },
  },
  {
    path: "windows/cycle-no-submitters",
    description:
      "All three nodes committed in cycle 0 but none revealed: at round 2 (slot 30) nobody can post a list, the cycle completes as no-submitters and its 1000 return to the escrow; nobody is slashed (liveness is not fraud), and cycle 2 starts.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(29);
      b.begin();
      b.advanceTo(30);
    },
  },
];
