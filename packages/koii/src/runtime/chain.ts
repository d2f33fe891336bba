import { decodeList } from "@gradual/protocol";
import type { LedgerReader, TaskBlobs } from "@gradual/sdk";
import type {
  CycleView,
  DistributionEntryWire,
  DistributionRecordWire,
  NodeView,
  Page,
  Reveal,
  TaskParamsWire,
  TaskView,
  TriggerRecordWire,
  Vote,
} from "@gradual/wire";
import { accountToKoiiKey } from "../keys.ts";

/**
 * What the namespace wrapper reads from the gradual ledger (its /v1 API through ctx.ledger), and the translation of
 * those records into the shapes of Koii's task state. Amounts arrive as decimal strings of base units and leave as
 * JavaScript numbers, as Koii's state has them; a value past 2^53 throws rather than losing digits.
 */

type Decimal = string;

// The replies the wrapper reads, as @gradual/wire describes them (the ledger's routes; on a local network, the same
// views answered from memory).
export type WireTaskParams = TaskParamsWire;
export type WireTaskView = TaskView;
export type WireNode = NodeView;
export type WirePage<T> = Page<T>;
export type WireTrigger = TriggerRecordWire;
export type WireDistribution = DistributionRecordWire;
export type WireCycle = CycleView;
export type WireReveal = Reveal;
export type WireVote = Vote;
export type WireEntry = DistributionEntryWire;

const PAGE = 1_000;

/** A value from the ledger as a JavaScript number, as Koii's state carries amounts. */
export function toKoiiNumber(field: string, value: Decimal | number | bigint): number {
  const big = BigInt(value);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(
      `${field} = ${big} base units is past 2^53 and cannot be a JavaScript number as Koii's API has it`,
    );
  }
  return Number(big);
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /\b404\b|NOT_FOUND/.test(message);
}

/**
 * A linked task folder's local chain (`gradual koii link`) runs Koii's rounds one after another, each through its
 * whole pipeline, so Koii round R sits on a later cycle of the local ledger; these map the one onto the other. On a
 * node a Koii round is its cycle.
 */
export type LocalRounds = {
  readonly cycleOf: (round: number) => number;
  /** The Koii rounds the local chain has run, ascending. */
  readonly rounds: () => readonly number[];
};

let localRounds: LocalRounds | undefined;

export function setLocalRounds(rounds: LocalRounds | undefined): void {
  localRounds = rounds;
}

export function getLocalRounds(): LocalRounds | undefined {
  return localRounds;
}

/** The ledger's cycle of a Koii round (the same number, except on a linked folder's local chain). */
function cycleOfRound(round: number): number {
  return localRounds?.cycleOf(round) ?? round;
}

export class ChainReader {
  readonly #ledger: LedgerReader;
  readonly #taskId: string;
  readonly #blobs: Pick<TaskBlobs, "get"> | undefined;

  /** `blobs`: where posted lists are read from (the ledger holds only their roots); without it a list reads empty. */
  constructor(ledger: LedgerReader, taskId: string, blobs?: Pick<TaskBlobs, "get">) {
    this.#ledger = ledger;
    this.#taskId = taskId;
    this.#blobs = blobs;
  }

  get taskId(): string {
    return this.#taskId;
  }

  #get<T>(path: string): Promise<T> {
    return this.#ledger.get<T>(path) as Promise<T>;
  }

  async #orNull<T>(path: string): Promise<T | null> {
    try {
      return await this.#get<T>(path);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async #all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page: WirePage<T> = await this.#get<WirePage<T>>(
        `${path}${path.includes("?") ? "&" : "?"}offset=${offset}&limit=${PAGE}`,
      );
      items.push(...page.items);
      offset = page.next;
    }
    return items;
  }

  task(taskId = this.#taskId): Promise<WireTaskView> {
    return this.#get<WireTaskView>(`/tasks/${taskId}`);
  }

  nodes(taskId = this.#taskId): Promise<WireNode[]> {
    return this.#all<WireNode>(`/tasks/${taskId}/nodes`);
  }

  node(account: string, taskId = this.#taskId): Promise<WireNode | null> {
    return this.#orNull<WireNode>(`/tasks/${taskId}/nodes/${account}`);
  }

  /** The cycle a Koii round ran in (`round`: Koii's number; the record carries the ledger's). */
  cycle(round: number, taskId = this.#taskId): Promise<WireCycle | null> {
    return this.#orNull<WireCycle>(`/tasks/${taskId}/cycles/${cycleOfRound(round)}`);
  }

  reveals(round: number, taskId = this.#taskId): Promise<WireReveal[]> {
    return this.#all<WireReveal>(`/tasks/${taskId}/cycles/${cycleOfRound(round)}/reveals`);
  }

  votes(cycle: number, trigger: number, taskId = this.#taskId): Promise<WireVote[]> {
    return this.#all<WireVote>(`/tasks/${taskId}/cycles/${cycle}/triggers/${trigger}/votes`);
  }

  /** A posted list's entries, from its blob (protocol.md §6.2), checked against the size the ledger holds. */
  async entries(round: number, attempt: number, taskId = this.#taskId): Promise<WireEntry[]> {
    const view = await this.#orNull<{ distribution: { listBlob: string; entryCount: number } }>(
      `/tasks/${taskId}/cycles/${cycleOfRound(round)}/distributions/${attempt}`,
    );
    if (view === null || this.#blobs === undefined) return [];
    // A list whose poster never stored its blob reads empty here (recipients who computed it can still claim).
    const bytes = await this.#blobs.get(view.distribution.listBlob).catch(() => undefined);
    if (bytes === undefined) return [];
    const entries = decodeList(bytes);
    if (entries === null || entries.length !== view.distribution.entryCount) return [];
    return entries.map((entry) => ({ recipient: entry.recipient, amount: entry.amount.toString() }));
  }

  async slotMs(): Promise<number> {
    return (await this.#get<{ slotMs: number }>("/chain")).slotMs;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Koii shapes (@_koii/namespace-wrapper src/types.ts)

export type KoiiVote = { is_valid: boolean; voter: string; slot: number };
export type KoiiAuditTrigger = { trigger_by: string; slot: number; votes: KoiiVote[] };
export type KoiiSubmission = { submission_value: string | null; slot: number | null; round: number };
export type KoiiSubmissionInfo = {
  submissions: Record<string, Record<string, KoiiSubmission>>;
  submissions_audit_trigger: Record<string, Record<string, KoiiAuditTrigger>>;
};
export type KoiiDistributionInfo = {
  distribution_rewards_submission: Record<string, Record<string, KoiiSubmission>>;
  distributions_audit_trigger: Record<string, Record<string, KoiiAuditTrigger>>;
  distributions_audit_record: Record<string, "Uninitialized" | "PayoutSuccessful" | "PayoutFailed">;
};

/** Koii's vote list: a valid vote is +1, an invalid one -1; "unavailable" has no Koii equivalent and is left out. */
export function koiiVotes(votes: readonly WireVote[]): KoiiVote[] {
  return votes
    .filter((vote) => vote.choice !== "unavailable")
    .map((vote) => ({ is_valid: vote.choice === "valid", voter: accountToKoiiKey(vote.voter), slot: vote.slot }));
}

/** Koii's `votes` of a submitter: 1 without an audit trigger, else the sum of +1 (valid) and -1 (invalid) votes. */
export function tallyKoiiVotes(votes: readonly KoiiVote[] | undefined): number {
  if (votes === undefined) return 1;
  return votes.reduce((sum, vote) => sum + (vote.is_valid ? 1 : -1), 0);
}

export async function auditTriggers(
  chain: ChainReader,
  cycle: WireCycle,
  kind: WireTrigger["kind"],
): Promise<Record<string, KoiiAuditTrigger>> {
  const out: Record<string, KoiiAuditTrigger> = {};
  for (const trigger of cycle.triggers.filter((item) => item.kind === kind)) {
    const votes = trigger.voteCount === 0 ? [] : await chain.votes(cycle.cycle, trigger.index);
    out[accountToKoiiKey(trigger.target)] = {
      trigger_by: accountToKoiiKey(trigger.triggerer),
      slot: trigger.slot,
      votes: koiiVotes(votes),
    };
  }
  return out;
}

export function payoutRecord(cycle: WireCycle): KoiiDistributionInfo["distributions_audit_record"][string] {
  if (cycle.record.outcome === "paid") return "PayoutSuccessful";
  if (cycle.record.outcome === "distribution-failed") return "PayoutFailed";
  if (cycle.distributions.some((distribution) => distribution.status === "rejected")) {
    return "PayoutFailed";
  }
  return "Uninitialized";
}
