import type { Account, Hash } from "@gradual/protocol";
import { simSha256Hex } from "./hash.ts";

type Authored = { readonly cycle: number; readonly author: Account };

/**
 * Proof contents, modelled abstractly (docs/simulator.md "What is modelled"). A node that did cycle c's work
 * produces a proof whose digest is a pure function of (task, c, node); the book remembers which digests are real
 * work and for which cycle. An auditor that fetched a proof calls it valid exactly when it is real work for the
 * audited cycle: a garbage digest, or a replay of an older cycle's proof, is invalid. A copy of another node's
 * current proof is valid content (the audit cannot tell who did the work), which is what Koii's visible proofs
 * allow; whether it was the submitter's own work is what the metrics use to call a payment unfair.
 */
export class ProofBook {
  readonly #task: Hash;
  readonly #authored = new Map<Hash, Authored>();
  /**
   * Digest -> the payload it hashes (what a node publishes, as hex, to answer an availability challenge), kept as
   * text and turned into hex only when asked for: few are.
   */
  readonly #payloads = new Map<Hash, { readonly cycle: number; readonly content: string }>();

  constructor(task: Hash) {
    this.#task = task;
  }

  /** The digest of `node`'s real work for `cycle` (recorded as real work). */
  work(cycle: number, node: Account): Hash {
    const content = `gradual-sim/proof/${this.#task}/${cycle}/${node}`;
    const digest = simSha256Hex(content);
    if (!this.#authored.has(digest)) {
      this.#authored.set(digest, { cycle, author: node });
      this.#payloads.set(digest, { cycle, content });
    }
    return digest;
  }

  /** A digest that is nobody's work (what a garbage submitter commits). */
  garbage(cycle: number, node: Account): Hash {
    const content = `gradual-sim/garbage/${this.#task}/${cycle}/${node}`;
    const digest = simSha256Hex(content);
    this.#payloads.set(digest, { cycle, content });
    return digest;
  }

  isValidFor(digest: Hash, cycle: number): boolean {
    return this.#authored.get(digest)?.cycle === cycle;
  }

  /** Whether `digest` is `node`'s own work for `cycle` (a copy is valid but not own work). */
  isOwnWork(digest: Hash, cycle: number, node: Account): boolean {
    const authored = this.#authored.get(digest);
    return authored?.cycle === cycle && authored.author === node;
  }

  /** The payload behind a digest, as hex, if the book made it. */
  payload(digest: Hash): string | undefined {
    const payload = this.#payloads.get(digest);
    return payload === undefined ? undefined : Buffer.from(payload.content, "utf8").toString("hex");
  }

  /** Forgets proofs of cycles before `cycle` (they can no longer be audited, not even late). */
  prune(cycle: number): void {
    // forEach rather than for-of: no [digest, entry] array per proof of the run.
    this.#authored.forEach((authored, digest) => {
      if (authored.cycle < cycle - 1) this.#authored.delete(digest);
    });
    this.#payloads.forEach((payload, digest) => {
      if (payload.cycle < cycle - 1) this.#payloads.delete(digest);
    });
  }
}
