import type { BlockEventData, BlockHeaderWire, ChainInfo, CycleView, WireEvent } from "@gradual/wire";
import { isEvmChainId, type Settlement, settlementOfIndexer } from "../model/settlement.ts";
import { measureSlotMs, type SlotClock } from "../model/slotTime.ts";
import { type ApiClient, ApiError } from "./client.ts";
import { type ConnectionStatus, createEventStream, type EventSourceLike, type EventStream } from "./eventStream.ts";

/**
 * The dashboard's live view of one ledger: the chain information, the head, a strip of recent blocks and a
 * bounded log of recent protocol events, fed by the event stream. Views read a snapshot (for React's
 * useSyncExternalStore) and re-read their REST resources when `version` changes, so nothing needs a reload.
 */

export type RecentBlock = {
  readonly header: BlockHeaderWire;
  readonly failed: number;
  readonly eventTypes: Readonly<Record<string, number>>;
};

export type StoredEvent = {
  /** Unique, increasing in ledger order. */
  readonly seq: number;
  readonly block: number;
  readonly slot: number;
  readonly tx: string | null;
  readonly event: WireEvent;
};

export type LiveSnapshot = {
  readonly connection: ConnectionStatus;
  readonly chain: ChainInfo | undefined;
  readonly chainError: ApiError | undefined;
  /** The gradual ledger, or an EVM chain read through `gradual indexer` (undefined until known). */
  readonly settlement: Settlement | undefined;
  readonly head: BlockHeaderWire | undefined;
  /** Newest first. */
  readonly recent: readonly RecentBlock[];
  readonly clock: SlotClock | undefined;
  /** Changes with every block (and on reconnection): views refetch when it changes. */
  readonly version: number;
  /** The first slot the event log holds (events before it were not replayed). */
  readonly historyFromSlot: number | undefined;
  /** The stream is still replaying blocks older than the ledger's head. */
  readonly catchingUp: boolean;
  /** Times the stream came back after being down. */
  readonly reconnections: number;
};

export type LiveLedgerOptions = {
  readonly client: ApiClient;
  /** Blocks replayed on first connection, for the activity and vesting history (default 1,000). */
  readonly historyBlocks?: number;
  /** Most events kept in memory (default 200,000); the oldest blocks are dropped first. */
  readonly maxEvents?: number;
  readonly recentBlocks?: number;
  readonly createSource?: (url: string) => EventSourceLike;
  readonly now?: () => number;
};

export class LiveLedger {
  readonly client: ApiClient;
  readonly #historyBlocks: number;
  readonly #maxEvents: number;
  readonly #recentBlocks: number;
  readonly #now: () => number;
  readonly #createSource: ((url: string) => EventSourceLike) | undefined;
  readonly #listeners = new Set<() => void>();
  #snapshot: LiveSnapshot;
  #stream: EventStream | undefined;
  #blocks: { block: number; slot: number; events: StoredEvent[] }[] = [];
  #eventCount = 0;
  #lastBlock: number | undefined;
  #historyFromSlot: number | undefined;
  #seq = 0;
  #startAfter: number | undefined;
  #notifyScheduled = false;
  #chainRefresh: Promise<void> | undefined;
  #lastChainRefreshMs = 0;
  #wasDown = false;
  #closed = false;
  /** Completed cycles never change: their views are cached here. */
  readonly completedCycles = new Map<string, CycleView>();

  constructor(options: LiveLedgerOptions) {
    this.client = options.client;
    this.#historyBlocks = options.historyBlocks ?? 1_000;
    this.#maxEvents = options.maxEvents ?? 200_000;
    this.#recentBlocks = options.recentBlocks ?? 40;
    this.#now = options.now ?? (() => Date.now());
    this.#createSource = options.createSource;
    this.#snapshot = {
      connection: { state: "connecting", since: this.#now(), attempt: 1, reconnecting: false },
      chain: undefined,
      chainError: undefined,
      settlement: undefined,
      head: undefined,
      recent: [],
      clock: undefined,
      version: 0,
      historyFromSlot: undefined,
      catchingUp: true,
      reconnections: 0,
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): LiveSnapshot => this.#snapshot;

  /** Starts following the ledger: reads /v1/chain, then the event stream from `historyBlocks` before the head. */
  async start(): Promise<void> {
    await this.#refreshChain(true);
    this.#openStream();
  }

  close(): void {
    this.#closed = true;
    this.#stream?.close();
  }

  retryNow(): void {
    this.#stream?.retryNow();
  }

  /** Recent protocol events, oldest first, optionally filtered. */
  events(filter?: (event: StoredEvent) => boolean): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const block of this.#blocks) {
      for (const event of block.events) if (filter === undefined || filter(event)) out.push(event);
    }
    return out;
  }

  #openStream(): void {
    if (this.#closed) return;
    const head = this.#snapshot.chain?.head.number;
    this.#startAfter = head === undefined ? undefined : Math.max(0, head - this.#historyBlocks);
    this.#stream = createEventStream({
      url: (after) => this.client.eventsUrl(after),
      resumeAfter: () => this.#lastBlock ?? this.#startAfter,
      onBlock: (block) => this.#onBlock(block),
      onStatus: (status) => this.#onStatus(status),
      // A block the route does not describe is skipped (and said in the console); the stream goes on.
      onMalformed: (error) => console.warn(`event stream: ${error.message}`),
      now: this.#now,
      ...(this.#createSource === undefined ? {} : { createSource: this.#createSource }),
    });
  }

  #update(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.#scheduleNotify();
  }

  /** Coalesces bursts (a replayed backlog) into one render per animation frame or tick. */
  #scheduleNotify(): void {
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    const run = () => {
      this.#notifyScheduled = false;
      for (const listener of this.#listeners) listener();
    };
    if (typeof requestAnimationFrame === "function" && typeof document !== "undefined" && !document.hidden) {
      requestAnimationFrame(run);
    } else {
      setTimeout(run, 16);
    }
  }

  #onStatus(status: ConnectionStatus): void {
    if (status.state === "disconnected") this.#wasDown = true;
    const patch: { -readonly [K in keyof LiveSnapshot]?: LiveSnapshot[K] } = { connection: status };
    if (status.state === "live" && this.#wasDown) {
      this.#wasDown = false;
      patch.reconnections = this.#snapshot.reconnections + 1;
      patch.version = this.#snapshot.version + 1;
      void this.#refreshChain(true);
    }
    this.#update(patch);
  }

  async #refreshChain(force = false): Promise<void> {
    if (this.#chainRefresh !== undefined) return this.#chainRefresh;
    if (!force && this.#now() - this.#lastChainRefreshMs < 1_000) return;
    this.#lastChainRefreshMs = this.#now();
    this.#chainRefresh = (async () => {
      try {
        const chain = await this.client.chain();
        const settlement = await this.#settlementOf(chain);
        const previous = this.#snapshot.chain;
        if (previous !== undefined && previous.genesisHash !== chain.genesisHash) {
          this.#resetForNewChain(chain, settlement);
          return;
        }
        const head = this.#snapshot.head ?? chain.head;
        this.#update({
          chain,
          settlement,
          chainError: undefined,
          head,
          clock: this.#clockFor(chain, head),
          catchingUp: head.number < chain.head.number - 2,
        });
      } catch (error) {
        this.#update({ chainError: error instanceof ApiError ? error : undefined });
      } finally {
        this.#chainRefresh = undefined;
      }
    })();
    return this.#chainRefresh;
  }

  /**
   * An `evm-…` chain id is the EVM indexer's: its /v1/indexer says which chain and contract (read with every chain
   * refresh, so a divergence shows). Any other chain is the ledger's, which has no such route.
   */
  async #settlementOf(chain: ChainInfo): Promise<Settlement> {
    if (!isEvmChainId(chain.chainId)) return { kind: "ledger" };
    try {
      return settlementOfIndexer(await this.client.indexer()) ?? { kind: "ledger" };
    } catch {
      const previous = this.#snapshot.settlement;
      return previous?.kind === "evm" ? previous : { kind: "ledger" };
    }
  }

  /** The ledger now runs another chain (a new devnet): forget everything and follow the new one. */
  #resetForNewChain(chain: ChainInfo, settlement: Settlement): void {
    this.#stream?.close();
    this.#blocks = [];
    this.#eventCount = 0;
    this.#lastBlock = undefined;
    this.#historyFromSlot = undefined;
    this.completedCycles.clear();
    this.#update({
      chain,
      settlement,
      head: chain.head,
      recent: [],
      historyFromSlot: undefined,
      version: this.#snapshot.version + 1,
      clock: this.#clockFor(chain, chain.head),
    });
    this.#openStream();
  }

  #clockFor(chain: ChainInfo, head: BlockHeaderWire): SlotClock {
    const measured = measureSlotMs(this.#snapshot.recent.map((block) => block.header));
    const slotMs = measured !== undefined && this.#snapshot.recent.length >= 5 ? measured : chain.slotMs;
    return { anchorSlot: head.slot, anchorMs: head.producedAtMs, slotMs: slotMs > 0 ? slotMs : chain.slotMs };
  }

  #onBlock(block: BlockEventData): void {
    const { header } = block;
    this.#lastBlock = header.number;
    const events: StoredEvent[] = block.events.map((item) => ({
      seq: this.#seq++,
      block: header.number,
      slot: header.slot,
      tx: item.tx,
      event: item.event,
    }));
    if (events.length > 0) {
      this.#blocks.push({ block: header.number, slot: header.slot, events });
      this.#eventCount += events.length;
      while (this.#eventCount > this.#maxEvents && this.#blocks.length > 1) {
        const dropped = this.#blocks.shift();
        this.#eventCount -= dropped?.events.length ?? 0;
        if (dropped !== undefined) this.#historyFromSlot = dropped.slot + 1;
      }
    }
    const eventTypes: Record<string, number> = {};
    for (const item of block.events) eventTypes[item.event.type] = (eventTypes[item.event.type] ?? 0) + 1;
    const recent = [
      { header, failed: block.txs.filter((tx) => !tx.result.ok).length, eventTypes },
      ...this.#snapshot.recent,
    ].slice(0, this.#recentBlocks);
    const chain = this.#snapshot.chain;
    this.#historyFromSlot ??= header.slot;
    const chainHead = chain?.head.number ?? header.number;
    this.#snapshot = {
      ...this.#snapshot,
      head: header,
      recent,
      version: this.#snapshot.version + 1,
      historyFromSlot: this.#historyFromSlot,
      catchingUp: header.number < chainHead - 2,
    };
    if (chain !== undefined) this.#snapshot = { ...this.#snapshot, clock: this.#clockFor(chain, header) };
    this.#scheduleNotify();
    if (!this.#snapshot.catchingUp) void this.#refreshChain();
  }
}
