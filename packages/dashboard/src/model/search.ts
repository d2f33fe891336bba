/** What a search box entry can mean (the explorer's "search by hash or key"). */

export type SearchQuery =
  | { readonly kind: "block"; readonly number: number }
  | { readonly kind: "hash"; readonly hash: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "empty" };

const HEX64 = /^[0-9a-f]{64}$/;
const HEX40 = /^[0-9a-f]{40}$/;

export function classifyQuery(raw: string): SearchQuery {
  const text = raw.trim().replace(/^0x/i, "");
  if (text.length === 0) return { kind: "empty" };
  const digits = text.replace(/[,_\s]/g, "");
  if (/^(0|[1-9][0-9]{0,14})$/.test(digits)) return { kind: "block", number: Number(digits) };
  const lower = text.toLowerCase();
  if (HEX64.test(lower)) return { kind: "hash", hash: lower };
  // An EVM address: the account id an EVM chain gives it (the address left-padded to 32 bytes).
  if (HEX40.test(lower)) return { kind: "hash", hash: lower.padStart(64, "0") };
  return { kind: "text", text };
}

/** "ab12cd…ef34": enough of a 64-hex value to tell values apart on screen. */
export function shortHex(value: string, head = 6, tail = 4): string {
  if (value.length <= head + tail + 1) return value;
  return `${value.slice(0, head)}…${value.slice(-tail)}`;
}
