import { type BlockEventData, eventStreamMessage } from "@gradual/wire";

/**
 * Follows the ledger's /v1/events stream and keeps following it: when the connection drops (a ledger restart, a
 * network blip) it reconnects with a growing delay and resumes after the last block it saw (`?after=N`), so no
 * block is missed and none is seen twice. The browser's EventSource retries on its own only for some failures
 * and gives up on others; this wrapper closes it on every error and owns the retry schedule.
 */

export type ConnectionStatus =
  | {
      readonly state: "connecting";
      readonly since: number;
      readonly attempt: number;
      /** True when the stream was live (or tried) before: this is a reconnection, not the first connection. */
      readonly reconnecting: boolean;
    }
  | { readonly state: "live"; readonly since: number }
  | {
      readonly state: "disconnected";
      readonly since: number;
      readonly attempt: number;
      /** Wall time (ms) of the next attempt. */
      readonly retryAt: number;
      readonly reason: string;
    };

/** The subset of EventSource the stream uses, so tests can drive it without a browser. */
export type EventSourceLike = {
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: "block", listener: (event: MessageEvent<string>) => void): void;
  close(): void;
};

export type EventStreamOptions = {
  /** The stream's URL, resuming after block `after` when given. */
  readonly url: (after: number | undefined) => string;
  readonly onBlock: (block: BlockEventData) => void;
  readonly onStatus: (status: ConnectionStatus) => void;
  /** A message that is not JSON or not a block of the route's shape (@gradual/wire): skipped, and told here. */
  readonly onMalformed?: (error: Error) => void;
  /** Called before each (re)connection; its result is the block to resume after. */
  readonly resumeAfter?: () => number | undefined;
  readonly createSource?: (url: string) => EventSourceLike;
  readonly now?: () => number;
  readonly setTimer?: (callback: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
  /** First retry delay and the cap, in milliseconds (default 500 and 5,000). */
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
};

export type EventStream = {
  /** Reconnect now instead of waiting for the next retry. */
  retryNow(): void;
  close(): void;
};

/** 500, 1000, 2000, 4000, 5000, 5000, ... */
export function retryDelayMs(attempt: number, minRetryMs = 500, maxRetryMs = 5_000): number {
  return Math.min(maxRetryMs, minRetryMs * 2 ** Math.max(0, attempt - 1));
}

export function createEventStream(options: EventStreamOptions): EventStream {
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const createSource = options.createSource ?? ((url: string) => new EventSource(url) as unknown as EventSourceLike);
  let source: EventSourceLike | undefined;
  let timer: unknown;
  let closed = false;
  /** Connection attempts since the stream was last live (0 while live). */
  let attempt = 0;
  /** Failures since the stream was last live: they set the retry delay. */
  let failures = 0;
  let lastBlock: number | undefined;
  let downSince: number | undefined;

  const connect = () => {
    if (closed) return;
    timer = undefined;
    attempt += 1;
    const after = options.resumeAfter?.() ?? lastBlock;
    options.onStatus({
      state: "connecting",
      since: downSince ?? now(),
      attempt,
      reconnecting: downSince !== undefined,
    });
    const current = createSource(options.url(after));
    source = current;
    current.onopen = () => {
      if (source !== current) return;
      attempt = 0;
      failures = 0;
      downSince = undefined;
      options.onStatus({ state: "live", since: now() });
    };
    current.addEventListener("block", (event) => {
      if (source !== current) return;
      let block: BlockEventData;
      try {
        block = eventStreamMessage.decode(JSON.parse(event.data), "block");
      } catch (error) {
        options.onMalformed?.(error as Error);
        return;
      }
      if (lastBlock !== undefined && block.header.number <= lastBlock) return;
      lastBlock = block.header.number;
      options.onBlock(block);
    });
    current.onerror = () => {
      if (source !== current) return;
      current.close();
      source = undefined;
      downSince ??= now();
      failures += 1;
      const delay = retryDelayMs(failures, options.minRetryMs, options.maxRetryMs);
      options.onStatus({
        state: "disconnected",
        since: downSince,
        attempt,
        retryAt: now() + delay,
        reason: "the event stream closed",
      });
      timer = setTimer(connect, delay);
    };
  };

  connect();
  return {
    retryNow() {
      if (closed || source !== undefined) return;
      if (timer !== undefined) clearTimer(timer);
      connect();
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      source?.close();
      source = undefined;
    },
  };
}
