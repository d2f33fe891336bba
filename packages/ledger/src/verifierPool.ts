import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { reject } from "@gradual/protocol";
import {
  type EnvelopeInput,
  finishEnvelope,
  type PreparedEnvelope,
  prepareEnvelope,
  type VerifiedEnvelope,
} from "./verifyEnvelope.ts";

export type VerifierPoolOptions = {
  readonly chainId: string;
  /**
   * Worker threads; defaults to the machine's cores minus one (the applying thread needs one), at least one.
   * 0 verifies everything in the calling thread.
   */
  readonly workers?: number;
  /** Most signatures sent to one worker in one message. */
  readonly maxBatchSize?: number;
  /** When no batch is in flight and at most this many signatures wait, check them in-thread (no round trip). */
  readonly inThreadMax?: number;
};

type Pending = { readonly prepared: PreparedEnvelope; readonly job: Job; readonly index: number };
type Job = {
  readonly results: VerifiedEnvelope[];
  remaining: number;
  readonly resolve: (results: VerifiedEnvelope[]) => void;
};
type Slot = { worker: Worker; inFlight: Map<number, readonly Pending[]> };
/** What a worker receives per signature, and answers: the sha256 of the payload when the signature holds, else null. */
type SignatureItem = { readonly from: string; readonly payload: Uint8Array; readonly signature: string };
type WorkerAnswer = { readonly id: number; readonly hashes: readonly (string | null)[] };

const MAX_WORKER_FAILURES = 8;

/**
 * The worker's whole program. Public keys are parsed once and kept in a small cache (a KeyObject holds native
 * memory; a parse costs about 2% of a verify, so a large cache would buy little). It needs nothing but node:crypto, so it is plain JavaScript run with `eval`: no
 * TypeScript loader in the worker (on Node 20 a loader costs each thread a second isolate, tens of MB). It must
 * agree with keys.ts (`verifyBytes`) and with `transactionHash`; the tests check both.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash, createPublicKey, verify } = require("node:crypto");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const keys = new Map();
function publicKey(account) {
  let key = keys.get(account);
  if (key === undefined) {
    if (keys.size >= 1024) keys.clear();
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(account, "hex")]), format: "der", type: "spki" });
    keys.set(account, key);
  }
  return key;
}
function check(item) {
  if (!HEX64.test(item.from) || !HEX128.test(item.signature)) return null;
  try {
    if (!verify(null, item.payload, publicKey(item.from), Buffer.from(item.signature, "hex"))) return null;
  } catch {
    return null;
  }
  return createHash("sha256").update(item.payload).digest("hex");
}
parentPort.on("message", (request) => {
  parentPort.postMessage({ id: request.id, hashes: request.items.map(check) });
});
`;

/**
 * Verifies ed25519 signatures on worker threads, in batches, so that the single thread that applies transactions
 * spends no time on them (protocol.md §9.2). The cheap stateless checks (size, shape, chain id) and the signing
 * payload are done in the calling thread first; a transaction that fails them never reaches a worker.
 *
 * Requests from concurrent HTTP calls are coalesced: every signature queued in one event-loop turn is split into
 * batches over the workers. Results come back in each caller's order.
 */
export class VerifierPool {
  readonly #chainId: string;
  readonly #maxBatchSize: number;
  readonly #inThreadMax: number;
  readonly #slots: Slot[] = [];
  #queue: Pending[] = [];
  #scheduled = false;
  #nextId = 0;
  #closed = false;
  #failures = 0;
  /** Counters for metrics and tests. */
  readonly stats = { batches: 0, inThread: 0, verified: 0 };

  constructor(options: VerifierPoolOptions) {
    this.#chainId = options.chainId;
    this.#maxBatchSize = options.maxBatchSize ?? 256;
    this.#inThreadMax = options.inThreadMax ?? 2;
    const count = options.workers ?? Math.max(1, availableParallelism() - 1);
    for (let index = 0; index < count; index += 1) this.#slots.push(this.#spawn());
  }

  get workerCount(): number {
    return this.#slots.length;
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on("message", (message: WorkerAnswer) => {
      const batch = slot.inFlight.get(message.id);
      if (batch === undefined) return;
      slot.inFlight.delete(message.id);
      for (const [position, pending] of batch.entries()) {
        this.#settle(pending, answerOf(pending.prepared, message.hashes[position] ?? null));
      }
    });
    const fail = (error: unknown) => {
      // A crashed worker: check its batches in-thread (nothing is lost), then replace it.
      const batches = [...slot.inFlight.values()];
      slot.inFlight.clear();
      for (const batch of batches)
        for (const pending of batch) this.#settle(pending, this.#checkInThread(pending.prepared));
      const index = this.#slots.indexOf(slot);
      if (index < 0 || this.#closed) return;
      this.#failures += 1;
      if (this.#failures > MAX_WORKER_FAILURES) {
        this.#slots.splice(index, 1);
        process.emitWarning(`verifier worker failed (${String(error)}); verifying in-thread from now on`);
      } else {
        process.emitWarning(`verifier worker failed (${String(error)}); replacing it`);
        this.#slots[index] = this.#spawn();
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.#closed) fail(new Error(`exited with code ${code}`));
    });
    return slot;
  }

  #checkInThread(prepared: PreparedEnvelope): VerifiedEnvelope {
    this.stats.inThread += 1;
    return finishEnvelope(prepared);
  }

  #settle(pending: Pending, result: VerifiedEnvelope): void {
    this.stats.verified += 1;
    pending.job.results[pending.index] = result;
    pending.job.remaining -= 1;
    if (pending.job.remaining === 0) pending.job.resolve(pending.job.results);
  }

  /** Checks each envelope; the promise resolves with one result per input, in order. */
  verify(inputs: readonly EnvelopeInput[]): Promise<VerifiedEnvelope[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const job: Job = { results: new Array(inputs.length), remaining: inputs.length, resolve };
      inputs.forEach((input, index) => {
        const prepared = prepareEnvelope(input, this.#chainId);
        if (!prepared.ok) {
          job.results[index] = prepared;
          job.remaining -= 1;
        } else this.#queue.push({ prepared, job, index });
      });
      if (job.remaining === 0) {
        resolve(job.results);
        return;
      }
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#dispatch());
      }
    });
  }

  #dispatch(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    if (queue.length === 0) return;
    const busy = this.#slots.some((slot) => slot.inFlight.size > 0);
    if (this.#slots.length === 0 || this.#closed || (!busy && queue.length <= this.#inThreadMax)) {
      for (const pending of queue) this.#settle(pending, this.#checkInThread(pending.prepared));
      return;
    }
    const perWorker = Math.ceil(queue.length / this.#slots.length);
    const size = Math.max(1, Math.min(this.#maxBatchSize, perWorker));
    for (let start = 0; start < queue.length; start += size) {
      const batch = queue.slice(start, start + size);
      const slot = this.#leastLoaded();
      const id = this.#nextId++;
      slot.inFlight.set(id, batch);
      this.stats.batches += 1;
      const items: SignatureItem[] = batch.map(({ prepared }) => ({
        from: prepared.tx.from,
        payload: prepared.payload,
        signature: prepared.signature,
      }));
      slot.worker.postMessage({ id, items });
    }
  }

  #leastLoaded(): Slot {
    let best = this.#slots[0] as Slot;
    for (const slot of this.#slots) if (slot.inFlight.size < best.inFlight.size) best = slot;
    return best;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      for (const batch of slot.inFlight.values()) {
        for (const pending of batch) this.#settle(pending, this.#checkInThread(pending.prepared));
      }
      slot.inFlight.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}

function answerOf(prepared: PreparedEnvelope, hash: string | null): VerifiedEnvelope {
  if (hash === null) return reject("TX__BAD_SIGNATURE", { from: prepared.tx.from });
  return { ok: true, tx: prepared.tx, hash, signature: prepared.signature };
}
