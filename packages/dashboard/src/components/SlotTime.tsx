import { useLiveSnapshot } from "../api/hooks.ts";
import { formatRelative, formatSlot, formatWallTime, slotToWallMs } from "../model/slotTime.ts";

/** A slot as the protocol counts it, with the wall time it maps to (estimated for future slots). */
export function SlotTime({
  slot,
  relative = false,
  prefix = "slot ",
}: {
  readonly slot: number;
  /** Show "in 3 s" / "12 s ago" instead of the clock time. */
  readonly relative?: boolean;
  readonly prefix?: string;
}) {
  const { clock } = useLiveSnapshot();
  if (clock === undefined) return <span className="slot">{`${prefix}${formatSlot(slot)}`}</span>;
  const ms = slotToWallMs(clock, slot);
  const now = Date.now();
  const wall = formatWallTime(ms, now);
  const rel = formatRelative(ms - now);
  return (
    <time className="slot" dateTime={new Date(ms).toISOString()} title={`slot ${formatSlot(slot)} · ${wall} (${rel})`}>
      {`${prefix}${formatSlot(slot)}`}
      <span className="muted small">{` · ${relative ? rel : wall}`}</span>
    </time>
  );
}

/** A slot range [opensAt, closesAt) as "slots 140–143 · 14:03:21–14:03:23". */
export function SlotRange({ opensAt, closesAt }: { readonly opensAt: number; readonly closesAt: number }) {
  const { clock } = useLiveSnapshot();
  const last = closesAt - 1;
  const slots = last > opensAt ? `slots ${formatSlot(opensAt)}–${formatSlot(last)}` : `slot ${formatSlot(opensAt)}`;
  if (clock === undefined) return <span className="slot">{slots}</span>;
  const now = Date.now();
  const from = formatWallTime(slotToWallMs(clock, opensAt), now);
  const to = formatWallTime(slotToWallMs(clock, closesAt), now);
  return (
    <span className="slot" title={`${slots}, ${from} to ${to}`}>
      {slots}
      <span className="muted small">{` · ${from}–${to}`}</span>
    </span>
  );
}
