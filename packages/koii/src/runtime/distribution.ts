import type { DistributionEntry } from "@gradual/protocol";
import type { Submitter } from "@gradual/sdk";
import { accountToKoiiKey, tryKoiiKeyToAccount } from "../keys.ts";
import { type ChainReader, koiiVotes, tallyKoiiVotes, toKoiiNumber } from "./chain.ts";
import type { KoiiSubmitter } from "./taskManager.ts";

/**
 * Koii's distribution step on gradual (docs/koii.md "Distribution"): the submitters in Koii's shape, Koii's checks of
 * the returned list (TM `userEndDistributionListCheck`), then the translation into the ledger's entries.
 */

/**
 * The cycle's submitters as Koii's `{ publicKey, votes, stake }`, in account order.
 * - publicKey: the account in base58.
 * - votes: counted as Koii's task manager counts them: 1 when nobody triggered an audit of the submission, else the
 *   sum over the trigger's votes of +1 (valid) and -1 (invalid); "unavailable" votes count 0 (a Koii auditor that cannot
 *   fetch a submission casts no vote). The triggerer casts no vote on its own trigger on gradual, as in Koii.
 * - stake: the submitter's trust-ramped weight in the distribution round, in base units (its stake once ramped). It is
 *   fixed by the ledger for that round, so every node computing the list sees the same number.
 */
export async function koiiSubmitters(
  chain: ChainReader,
  cycle: number,
  submitters: readonly Submitter[],
): Promise<KoiiSubmitter[]> {
  const accounts = new Set(submitters.map((submitter) => submitter.account));
  const votes = new Map<string, number>();
  const view = await chain.cycle(cycle);
  for (const trigger of view?.triggers ?? []) {
    if (trigger.kind !== "proof" || !accounts.has(trigger.target)) continue;
    const list = trigger.voteCount === 0 ? [] : await chain.votes(cycle, trigger.index);
    votes.set(trigger.target, tallyKoiiVotes(koiiVotes(list)));
  }
  return [...submitters]
    .sort((left, right) => (left.account < right.account ? -1 : left.account > right.account ? 1 : 0))
    .map((submitter) => ({
      publicKey: accountToKoiiKey(submitter.account),
      votes: votes.get(submitter.account) ?? 1,
      stake: toKoiiNumber("stake", submitter.weight),
    }));
}

export type KoiiListCheck = {
  /** What the ledger pays: positive amounts only, sorted by recipient; empty when the list was refused. */
  readonly entries: DistributionEntry[];
  /** Why the list pays nobody (Koii's checks or gradual's), or undefined when it was accepted. */
  readonly refused?: string;
  /** Entries gradual cannot honour (slashes, unknown keys), each said once. */
  readonly notes: readonly string[];
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/**
 * Koii's checks, in Koii's order: every submitter listed, the total of all values (negatives included) within the
 * bounty, every value an integer. A list failing one is replaced by Koii with zero for everyone; here it pays nobody.
 * Then what gradual cannot do: a negative value (a Koii slash) becomes 0, since only an upheld audit slashes on
 * gradual; a key that is not a submitter of the cycle is dropped, since the ledger pays only them; and the positive
 * amounts together must stay within the bounty, since slashes fund no rewards here.
 */
export function checkKoiiDistribution(
  list: unknown,
  submitters: readonly KoiiSubmitter[],
  bounty: number,
): KoiiListCheck {
  const notes: string[] = [];
  const refuse = (reason: string): KoiiListCheck => ({ entries: [], refused: reason, notes });
  if (typeof list !== "object" || list === null || Array.isArray(list)) {
    return refuse(`distribution returned ${describe(list)}, not an object of { publicKey: amount }`);
  }
  const values = list as Record<string, unknown>;
  const keys = Object.keys(values);
  const missing = submitters
    .filter((submitter) => !keys.includes(submitter.publicKey))
    .map((submitter) => submitter.publicKey);
  if (missing.length > 0) {
    return refuse(`not every submitter is in the list (missing ${missing.length}: ${missing.slice(0, 5).join(", ")})`);
  }
  const numbers = keys.map((key) => values[key]);
  const total = numbers.reduce<number>((sum, value) => sum + (typeof value === "number" ? value : 0), 0);
  if (total > bounty) return refuse(`the amounts total ${total}, more than the bounty of ${bounty} per round`);
  const notInteger = keys.find((key) => !Number.isInteger(values[key]));
  if (notInteger !== undefined) {
    return refuse(
      `the amount for ${notInteger} is ${JSON.stringify(values[notInteger])}, not an integer number of base units`,
    );
  }
  const allowed = new Set(submitters.map((submitter) => submitter.publicKey));
  const entries: DistributionEntry[] = [];
  let paid = 0n;
  for (const key of keys) {
    const amount = values[key] as number;
    if (amount === 0) continue;
    if (amount < 0) {
      notes.push(
        `the list slashes ${key} by ${-amount}: gradual cannot slash from a distribution list (only an upheld audit slashes), so it gets 0`,
      );
      continue;
    }
    const recipient = allowed.has(key) ? tryKoiiKeyToAccount(key) : undefined;
    if (recipient === undefined) {
      notes.push(
        `the list pays ${amount} to ${key}, which is not a submitter of this round: gradual pays only submitters, so it is dropped`,
      );
      continue;
    }
    entries.push({ recipient, amount: BigInt(amount) });
    paid += BigInt(amount);
  }
  if (paid > BigInt(bounty)) {
    return refuse(
      `the rewards total ${paid}, more than the bounty of ${bounty} (on gradual slashes do not fund rewards)`,
    );
  }
  entries.sort((left, right) => (left.recipient < right.recipient ? -1 : left.recipient > right.recipient ? 1 : 0));
  return { entries, notes };
}
