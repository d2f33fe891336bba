import { ERROR_CODES } from "@gradual/protocol";
import type { TxResultWire } from "@gradual/wire";

/** The registry's meaning of a rejection code (docs/errors.md), when the protocol knows it. */
export function meaningOf(code: string): string | undefined {
  return (ERROR_CODES as Record<string, { meaning: string } | undefined>)[code]?.meaning;
}

export function ResultBadge({ result }: { readonly result: TxResultWire }) {
  if (result.ok) return <span className="badge tone-good">ok</span>;
  return (
    <span
      className="badge tone-bad"
      title={`${result.message}${meaningOf(result.code) === undefined ? "" : ` — ${meaningOf(result.code)}`}`}
    >
      {result.code}
    </span>
  );
}
