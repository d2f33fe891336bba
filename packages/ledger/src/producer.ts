import type { BlockHeader } from "./block.ts";
import type { Clock } from "./clock.ts";
import type { Ledger } from "./ledger.ts";
import type { Logger } from "./logger.ts";

export type BlockProducerOptions = {
  /** Slot length; one block per slot. */
  readonly slotMs: number;
  /** Slots without a block after which the ledger reports itself stalled (health 503). Default 5. */
  readonly stallSlots?: number;
  /** Devnet: no timer; slots advance only through {@link BlockProducer.advance}. */
  readonly manualSlots: boolean;
};

export type BlockProducerModules = { readonly ledger: Ledger; readonly clock: Clock; readonly logger: Logger };

/** Most slots one admin call may advance (each is a block, written durably). */
const MAX_ADVANCE_SLOTS = 10_000;

/**
 * Drives block production: one block per `slotMs` on the injected clock, or only on demand with manual slots.
 *
 * Slots are a counter, not wall time: block n is due `n * slotMs` after the schedule's anchor, which is set when
 * the producer starts (so after a restart the chain continues from its last block without a burst of empty ones).
 * A producer that falls behind (a long block, a pause) produces the missing blocks back to back.
 *
 * Slot lag (in /metrics and /v1/health) is measured against the clock, not against the producer's own counter:
 * the larger of the distance to the schedule and the whole slots since the last block was made (or since start),
 * minus the one in progress. A producer that stopped (a bug, a storage failure) therefore shows a growing lag,
 * and after `stallSlots` the ledger reports itself stalled.
 */
export class BlockProducer {
  readonly #options: BlockProducerOptions;
  readonly #modules: BlockProducerModules;
  #anchorMs = 0;
  #cancel: (() => void) | undefined;
  #running = false;
  #inFlight: Promise<unknown> = Promise.resolve();
  #lastProgressMs = 0;
  #started = false;
  #stoppedReason: string | undefined;

  constructor(options: BlockProducerOptions, modules: BlockProducerModules) {
    if (!Number.isSafeInteger(options.slotMs) || options.slotMs < 1) {
      throw new TypeError(`expected slotMs to be a positive integer, got ${options.slotMs}`);
    }
    this.#options = options;
    this.#modules = modules;
  }

  get manualSlots(): boolean {
    return this.#options.manualSlots;
  }

  get slotMs(): number {
    return this.#options.slotMs;
  }

  get stallSlots(): number {
    return this.#options.stallSlots ?? 5;
  }

  start(): void {
    if (this.#running || this.#options.manualSlots) return;
    this.#running = true;
    this.#started = true;
    this.#lastProgressMs = this.#modules.clock.now();
    this.#modules.ledger.onBlock(() => {
      this.#lastProgressMs = this.#modules.clock.now();
    });
    this.#anchorMs = this.#modules.clock.now() - this.#modules.ledger.head.number * this.#options.slotMs;
    this.#schedule();
  }

  /** Slots the chain is behind the clock (0 with manual slots or before start). */
  slotLag(): number {
    if (this.#options.manualSlots || !this.#started) return 0;
    const now = this.#modules.clock.now();
    const due = Math.floor((now - this.#anchorMs) / this.#options.slotMs);
    const behindSchedule = due - this.#modules.ledger.head.number;
    const sinceLastBlock = Math.floor((now - this.#lastProgressMs) / this.#options.slotMs) - 1;
    return Math.max(0, behindSchedule, sinceLastBlock);
  }

  /** Why block production is not keeping up, or undefined while it is (protocol.md §9.2 liveness). */
  stallReason(): string | undefined {
    if (this.#options.manualSlots || !this.#started) return undefined;
    const lag = this.slotLag();
    if (lag < this.stallSlots && this.#stoppedReason === undefined) return undefined;
    return this.#stoppedReason ?? `no block for ${lag} slots`;
  }

  #schedule(): void {
    if (!this.#running) return;
    const { clock, ledger } = this.#modules;
    const dueAt = this.#anchorMs + (ledger.head.number + 1) * this.#options.slotMs;
    this.#cancel = clock.setTimer(dueAt - clock.now(), () => this.#tick());
  }

  #tick(): void {
    this.#cancel = undefined;
    if (!this.#running) return;
    const run = this.#modules.ledger.produceBlock().then(
      () => this.#schedule(),
      (error: unknown) => {
        this.#running = false;
        this.#stoppedReason = `block production stopped: ${error instanceof Error ? error.message : String(error)}`;
        this.#modules.logger.error(this.#stoppedReason);
      },
    );
    this.#inFlight = run;
  }

  /** Produces `count` blocks now, one after the other (the admin slots call). */
  async advance(count: number): Promise<BlockHeader[]> {
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ADVANCE_SLOTS) {
      throw new TypeError(`expected a slot count in [1, ${MAX_ADVANCE_SLOTS}], got ${count}`);
    }
    const headers: BlockHeader[] = [];
    for (let index = 0; index < count; index += 1) headers.push(await this.#modules.ledger.produceBlock());
    return headers;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
    await this.#inFlight.catch(() => {});
  }
}
