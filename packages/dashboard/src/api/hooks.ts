import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Settlement } from "../model/settlement.ts";
import type { ApiClient } from "./client.ts";
import type { LiveLedger, LiveSnapshot } from "./live.ts";

/** React access to the live ledger: its snapshot, and REST resources that refresh as blocks arrive. */

export const LiveContext = createContext<LiveLedger | null>(null);

export function useLive(): LiveLedger {
  const live = useContext(LiveContext);
  if (live === null) throw new Error("useLive() needs a <LiveContext.Provider>");
  return live;
}

export function useLiveSnapshot(): LiveSnapshot {
  const live = useLive();
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}

const NO_SUBSCRIPTION = () => () => {};
const NO_SETTLEMENT = () => undefined;

/** Where the chain is settled (ledger or EVM); undefined until known, or outside a live context (unit tests). */
export function useSettlement(): Settlement | undefined {
  const live = useContext(LiveContext);
  return useSyncExternalStore(
    live?.subscribe ?? NO_SUBSCRIPTION,
    live === null ? NO_SETTLEMENT : () => live.getSnapshot().settlement,
  );
}

export type Resource<T> = {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** True until the first answer (or error) for the current key. */
  readonly loading: boolean;
};

export type ResourceOptions = {
  /** "block": refetch after every new block (default); "once": fetch once per key. */
  readonly refresh?: "block" | "once";
  /** Least time between refetches, in milliseconds (default 250). */
  readonly minIntervalMs?: number;
};

/**
 * Loads `load(client, signal)` for `key` and reloads it whenever a block arrives, one request at a time: a block
 * that arrives while a request is in flight causes exactly one more request after it. A null key loads nothing.
 * While the stream is disconnected the last data stays on screen.
 */
export function useResource<T>(
  key: string | null,
  load: (client: ApiClient, signal: AbortSignal) => Promise<T>,
  options: ResourceOptions = {},
): Resource<T> {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  const [state, setState] = useState<Resource<T> & { key: string | null }>({
    key,
    data: undefined,
    error: undefined,
    loading: key !== null,
  });
  const refresh = options.refresh ?? "block";
  const minIntervalMs = options.minIntervalMs ?? 250;
  const connected = snapshot.connection.state === "live";
  const wanted = refresh === "block" ? snapshot.version : 0;
  const latest = useRef({ load, wanted, connected });
  latest.current = { load, wanted, connected };
  const flight = useRef({
    key: null as string | null,
    controller: undefined as AbortController | undefined,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    /** The version the last finished request was started for, and whether it returned data. */
    doneVersion: undefined as number | undefined,
    hasData: false,
    failed: false,
    lastStartMs: 0,
  });

  // `wanted` and `connected` are the triggers: a new block or a reconnection schedules a refetch.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect reads them through `latest`
  useEffect(() => {
    const current = flight.current;
    if (current.key !== key) {
      current.controller?.abort();
      if (current.timer !== undefined) clearTimeout(current.timer);
      current.controller = undefined;
      current.timer = undefined;
      current.doneVersion = undefined;
      current.hasData = false;
      current.key = key;
      setState({ key, data: undefined, error: undefined, loading: key !== null });
    }
    if (key === null) return;

    const start = () => {
      current.timer = undefined;
      if (current.key !== key || current.controller !== undefined) return;
      const version = latest.current.wanted;
      const controller = new AbortController();
      current.controller = controller;
      current.lastStartMs = Date.now();
      const finish = (patch: { data?: T; error?: Error }) => {
        if (current.controller !== controller) return;
        current.controller = undefined;
        current.doneVersion = version;
        if (patch.error === undefined) current.hasData = true;
        current.failed = patch.error !== undefined;
        setState((previous) => ({
          key,
          data: patch.error === undefined ? patch.data : previous.key === key ? previous.data : undefined,
          error: patch.error,
          loading: false,
        }));
        schedule();
      };
      latest.current.load(live.client, controller.signal).then(
        (data) => finish({ data }),
        (error: unknown) => {
          if (!controller.signal.aborted) finish({ error: error instanceof Error ? error : new Error(String(error)) });
        },
      );
    };

    const schedule = () => {
      if (current.key !== key || current.controller !== undefined || current.timer !== undefined) return;
      if (current.doneVersion !== undefined && (refresh === "once" || current.doneVersion === latest.current.wanted))
        return;
      if (!latest.current.connected && current.hasData) return;
      // After a failure, retry calmly (the banner already says the ledger is unreachable).
      const interval = current.failed ? Math.max(minIntervalMs, 2_000) : minIntervalMs;
      const wait = Math.max(0, current.lastStartMs + interval - Date.now());
      current.timer = setTimeout(start, wait);
    };

    schedule();
  }, [key, wanted, connected, refresh, live, minIntervalMs]);

  useEffect(
    () => () => {
      const current = flight.current;
      current.controller?.abort();
      if (current.timer !== undefined) clearTimeout(current.timer);
      current.controller = undefined;
      current.timer = undefined;
      current.key = null;
    },
    [],
  );

  if (state.key !== key) return { data: undefined, error: undefined, loading: key !== null };
  return { data: state.data, error: state.error, loading: state.loading };
}
