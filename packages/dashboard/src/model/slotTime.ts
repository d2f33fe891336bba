/**
 * Slots and wall time. The protocol knows only slots (protocol.md §1.1); people read clocks. A {@link SlotClock}
 * anchors one slot at the wall time its block was stored and extrapolates with the ledger's slot length, so the
 * dashboard can say "slot 1,240 · in 3 s (14:03:21)".
 */

export type SlotClock = {
  /** A slot whose block time is known. */
  readonly anchorSlot: number;
  /** Wall time (ms since the epoch) of the anchor slot's block. */
  readonly anchorMs: number;
  /** Milliseconds per slot. */
  readonly slotMs: number;
};

export function slotToWallMs(clock: SlotClock, slot: number): number {
  return clock.anchorMs + (slot - clock.anchorSlot) * clock.slotMs;
}

export function wallMsToSlot(clock: SlotClock, ms: number): number {
  return clock.anchorSlot + Math.floor((ms - clock.anchorMs) / clock.slotMs);
}

/** Median interval between consecutive block times (robust to one slow block); undefined with fewer than 2. */
export function measureSlotMs(
  blocks: readonly { readonly slot: number; readonly producedAtMs: number }[],
): number | undefined {
  const sorted = [...blocks].sort((a, b) => a.slot - b.slot);
  const intervals: number[] = [];
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (previous === undefined || current === undefined) continue;
    const slots = current.slot - previous.slot;
    if (slots > 0) intervals.push((current.producedAtMs - previous.producedAtMs) / slots);
  }
  if (intervals.length === 0) return undefined;
  intervals.sort((a, b) => a - b);
  const middle = Math.floor(intervals.length / 2);
  const median =
    intervals.length % 2 === 1 ? intervals[middle] : ((intervals[middle - 1] ?? 0) + (intervals[middle] ?? 0)) / 2;
  return median;
}

/** 400 -> "400 ms", 8000 -> "8 s", 600000 -> "10 min", 9000000 -> "2 h 30 min", 3 days -> "3 d 0 h". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) {
    const seconds = abs / 1000;
    return `${seconds < 10 ? seconds.toFixed(1).replace(/\.0$/, "") : Math.round(seconds)} s`;
  }
  if (abs < 3_600_000) {
    const minutes = Math.floor(abs / 60_000);
    const seconds = Math.round((abs % 60_000) / 1000);
    return seconds === 0 || minutes >= 10 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  if (abs < 86_400_000) {
    const hours = Math.floor(abs / 3_600_000);
    return `${hours} h ${Math.round((abs % 3_600_000) / 60_000)} min`;
  }
  const days = Math.floor(abs / 86_400_000);
  return `${days} d ${Math.round((abs % 86_400_000) / 3_600_000)} h`;
}

/** "in 3 s", "12 s ago", "now". */
export function formatRelative(deltaMs: number): string {
  if (Math.abs(deltaMs) < 500) return "now";
  return deltaMs > 0 ? `in ${formatDuration(deltaMs)}` : `${formatDuration(deltaMs)} ago`;
}

function pad(value: number): string {
  return value.toString().padStart(2, "0");
}

/** Local wall time "14:03:21", with the date when it is not `todayMs`'s day: "2026-05-01 14:03:21". */
export function formatWallTime(ms: number, todayMs?: number): string {
  const date = new Date(ms);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const today = todayMs === undefined ? undefined : new Date(todayMs);
  const sameDay =
    today !== undefined &&
    today.getFullYear() === date.getFullYear() &&
    today.getMonth() === date.getMonth() &&
    today.getDate() === date.getDate();
  if (sameDay || todayMs === undefined) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** "1,240": slot numbers grouped like amounts. */
export function formatSlot(slot: number): string {
  return slot.toLocaleString("en-US");
}

/** Slots without a block after which the dashboard says the chain stalled (the ledger's /v1/health uses 5 too). */
const STALL_SLOTS = 5;

/**
 * Whole slots since the dashboard last saw a new block, when that is at least `stallSlots` and the chain advances on
 * a timer; undefined otherwise. Measured on this browser's clock from when the block arrived, so a skewed clock
 * between browser and ledger cannot raise a false alarm.
 */
export function stalledSlots(options: {
  readonly manualSlots: boolean;
  readonly slotMs: number;
  readonly lastBlockSeenMs: number;
  readonly nowMs: number;
  readonly stallSlots?: number;
}): number | undefined {
  if (options.manualSlots || options.slotMs <= 0) return undefined;
  const slots = Math.floor((options.nowMs - options.lastBlockSeenMs) / options.slotMs);
  return slots >= (options.stallSlots ?? STALL_SLOTS) ? slots : undefined;
}
