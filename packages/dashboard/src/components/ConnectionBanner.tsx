import { useEffect, useState } from "react";
import { useLive, useLiveSnapshot } from "../api/hooks.ts";
import { sourceNoun } from "../model/settlement.ts";
import { formatDuration, formatSlot, formatWallTime, stalledSlots } from "../model/slotTime.ts";
import { useNow } from "./useNow.ts";

/**
 * Says on screen whether the page is following the ledger. While the event stream is down it shows since when,
 * when the next attempt is, and that the numbers on screen are as of the last block seen; after it comes back it
 * says so for a few seconds.
 */
export function ConnectionBanner() {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  const now = useNow(500);
  const { connection, head } = snapshot;
  const [recovered, setRecovered] = useState<number | undefined>(undefined);
  const [lastBlockSeen, setLastBlockSeen] = useState<number>(() => Date.now());
  const headNumber = head?.number;
  const source = sourceNoun(snapshot.settlement);

  useEffect(() => {
    if (headNumber !== undefined) setLastBlockSeen(Date.now());
  }, [headNumber]);

  useEffect(() => {
    if (snapshot.reconnections > 0) setRecovered(Date.now());
  }, [snapshot.reconnections]);

  const asOf = head === undefined ? "" : ` What you see is as of block ${formatSlot(head.number)}.`;
  if (connection.state === "disconnected" || (connection.state === "connecting" && connection.reconnecting)) {
    const retryIn = connection.state === "disconnected" ? Math.max(0, connection.retryAt - now) : 0;
    return (
      <div className="banner banner-down" role="alert" data-testid="connection-banner" data-state="disconnected">
        <span className="dot dot-down" aria-hidden="true" />
        <span>
          <strong>Disconnected from {source}</strong>
          {` since ${formatWallTime(connection.since)} (${formatDuration(now - connection.since)}) — `}
          {connection.state === "connecting" || retryIn < 300
            ? "reconnecting now…"
            : `reconnecting in ${formatDuration(retryIn)} (attempt ${connection.attempt + 1}).`}
          {asOf}
        </span>
        <button type="button" onClick={() => live.retryNow()}>
          Retry now
        </button>
      </div>
    );
  }
  if (connection.state === "connecting") {
    return (
      <div className="banner banner-wait" role="status" data-testid="connection-banner" data-state="connecting">
        <span className="dot dot-wait" aria-hidden="true" />
        Connecting to {source}…
      </div>
    );
  }
  const chain = snapshot.chain;
  const stalled =
    connection.state === "live" && chain !== undefined
      ? stalledSlots({
          manualSlots: chain.manualSlots,
          slotMs: chain.slotMs,
          lastBlockSeenMs: lastBlockSeen,
          nowMs: now,
        })
      : undefined;
  if (stalled !== undefined) {
    return (
      <div className="banner banner-down" role="alert" data-testid="connection-banner" data-state="stalled">
        <span className="dot dot-down" aria-hidden="true" />
        <span>
          <strong>
            {snapshot.settlement?.kind === "evm"
              ? "The indexer is not making blocks (the EVM chain or its follower stopped)"
              : "The ledger is not making blocks"}
          </strong>
          {` — none for ${stalled} slots (${formatDuration(now - lastBlockSeen)}), `}
          {`last block ${head === undefined ? "unknown" : formatSlot(head.number)}. Its /v1/health says why.`}
        </span>
      </div>
    );
  }
  const settlement = snapshot.settlement;
  if (settlement?.kind === "evm" && settlement.diverged !== null) {
    return (
      <div className="banner banner-down" role="alert" data-testid="connection-banner" data-state="diverged">
        <span className="dot dot-down" aria-hidden="true" />
        <span>
          <strong>The indexer stopped: the core and the contract diverged</strong> ({settlement.diverged.code}).{" "}
          {settlement.diverged.message}. What you see is the state before that call.
        </span>
      </div>
    );
  }
  if (recovered !== undefined && now - recovered < 5_000) {
    return (
      <div className="banner banner-ok" role="status" data-testid="connection-banner" data-state="recovered">
        <span className="dot dot-live" aria-hidden="true" />
        Reconnected — live again{head === undefined ? "" : ` at block ${formatSlot(head.number)}`}.
      </div>
    );
  }
  return null;
}

/** The small "live" indicator in the header. */
export function LiveDot() {
  const { connection, catchingUp } = useLiveSnapshot();
  const state = connection.state === "live" ? (catchingUp ? "catching up" : "live") : connection.state;
  const dot = connection.state === "live" ? "dot-live" : connection.state === "connecting" ? "dot-wait" : "dot-down";
  return (
    <span className="live-indicator" data-testid="live-indicator" data-state={connection.state}>
      <span className={`dot ${dot}`} aria-hidden="true" />
      {state}
    </span>
  );
}
