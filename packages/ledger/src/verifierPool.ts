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
   * Worker threads; defaults to the machine's cores: verification is most of a transaction's CPU, and the applying
   * thread needs much less than a core (the scheduler shares the rest). 0 verifies everything in the calling thread.
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
/**
 * One batch as the worker receives it, packed so that posting it copies two flat values instead of an object per
 * signature: `keys` holds each signer's account and signature in hex (64 + 128 characters, back to back), `payloads`
 * the signing payloads one after the other (transferred, not copied), `ends` where each payload ends.
 */
type BatchRequest = {
  readonly id: number;
  readonly keys: string;
  readonly payloads: Uint8Array<ArrayBuffer>;
  readonly ends: Uint32Array;
};
/**
 * The answer: `hashes` holds each payload's sha256 in hex (64 characters each, back to back), `valid` 1 where the
 * signature holds, 0 where it does not.
 */
type BatchAnswer = { readonly id: number; readonly hashes: string; readonly valid: Uint8Array };

const MAX_WORKER_FAILURES = 8;

/**
 * The worker's whole program. Public keys are imported as JWK (`publicKeyObject` in keys.ts says why: a ninth of
 * what parsing the same key as DER costs) and kept in a small cache (a KeyObject holds native memory, about 750
 * bytes). It needs nothing but node:crypto, so it is plain JavaScript run with `eval`: no
 * TypeScript loader in the worker (on Node 20 a loader costs each thread a second isolate, tens of MB). It must
 * agree with keys.ts (`verifyBytes`) and with `transactionHash`; the tests check both.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const crypto = require("node:crypto");
const { createHash, createPublicKey, verify } = crypto;
const HEX = /^[0-9a-f]*$/;
const keys = new Map();
function publicKey(account) {
  let key = keys.get(account);
  if (key === undefined) {
    if (keys.size >= 1024) keys.clear();
    const x = Buffer.from(account, "hex").toString("base64url");
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    keys.set(account, key);
  }
  return key;
}
// One-shot crypto.hash where this Node has it (20.12+): no Hash object per payload.
const sha256Hex = typeof crypto.hash === "function"
  ? (bytes) => crypto.hash("sha256", bytes, "hex")
  : (bytes) => createHash("sha256").update(bytes).digest("hex");
const ZERO_HASH = "0".repeat(64);
parentPort.on("message", ({ id, keys: text, payloads, ends }) => {
  const count = ends.length;
  const valid = new Uint8Array(count);
  const hashes = new Array(count);
  const all = Buffer.from(payloads.buffer, payloads.byteOffset, payloads.byteLength);
  let start = 0;
  for (let index = 0; index < count; index += 1) {
    const payload = all.subarray(start, ends[index]);
    start = ends[index];
    const from = text.slice(index * 192, index * 192 + 64);
    const signature = text.slice(index * 192 + 64, index * 192 + 192);
    let ok = false;
    if (HEX.test(from) && HEX.test(signature)) {
      try {
        ok = verify(null, payload, publicKey(from), Buffer.from(signature, "hex"));
      } catch {
        ok = false;
      }
    }
    valid[index] = ok ? 1 : 0;
    hashes[index] = ok ? sha256Hex(payload) : ZERO_HASH;
  }
  parentPort.postMessage({ id, hashes: hashes.join(""), valid }, [valid.buffer]);
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
    const count = options.workers ?? Math.max(1, availableParallelism());
    for (let index = 0; index < count; index += 1) this.#slots.push(this.#spawn());
  }

  get workerCount(): number {
    return this.#slots.length;
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on("message", (message: BatchAnswer) => {
      const batch = slot.inFlight.get(message.id);
      if (batch === undefined) return;
      slot.inFlight.delete(message.id);
      for (let position = 0; position < batch.length; position += 1) {
        const pending = batch[position] as Pending;
        const hash = message.valid[position] === 1 ? message.hashes.slice(position * 64, position * 64 + 64) : null;
        this.#settle(pending, answerOf(pending.prepared, hash));
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
      const request = packBatch(id, batch);
      slot.worker.postMessage(request, [request.payloads.buffer]);
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

/** Account and signature must each be exactly their hex length, or the packed layout would shift. */
const ACCOUNT_HEX = 64;
const SIGNATURE_HEX = 128;
const UNUSABLE_KEY = "x".repeat(ACCOUNT_HEX + SIGNATURE_HEX);

function packBatch(id: number, batch: readonly Pending[]): BatchRequest {
  let total = 0;
  for (const { prepared } of batch) total += prepared.payload.length;
  const payloads = new Uint8Array(total);
  const ends = new Uint32Array(batch.length);
  const keys: string[] = new Array(batch.length);
  let offset = 0;
  for (let index = 0; index < batch.length; index += 1) {
    const { prepared } = batch[index] as Pending;
    payloads.set(prepared.payload, offset);
    offset += prepared.payload.length;
    ends[index] = offset;
    const { from } = prepared.tx;
    const { signature } = prepared;
    // A signature of the wrong length cannot hold; the worker refuses the non-hex filler.
    keys[index] = from.length === ACCOUNT_HEX && signature.length === SIGNATURE_HEX ? from + signature : UNUSABLE_KEY;
  }
  return { id, keys: keys.join(""), payloads, ends };
}

function answerOf(prepared: PreparedEnvelope, hash: string | null): VerifiedEnvelope {
  if (hash === null) return reject("TX__BAD_SIGNATURE", { from: prepared.tx.from });
  return { ok: true, tx: prepared.tx, hash, signature: prepared.signature };
}
