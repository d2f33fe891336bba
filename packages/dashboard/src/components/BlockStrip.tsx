import { useLiveSnapshot } from "../api/hooks.ts";
import type { RecentBlock } from "../api/live.ts";
import { formatSlot } from "../model/slotTime.ts";
import { href } from "../router.ts";
import { useNarrow } from "./useNow.ts";

const MARKS: readonly {
  readonly type: string;
  readonly mark: string;
  readonly label: string;
  readonly tone: string;
}[] = [
  { type: "Slashed", mark: "✂", label: "slash", tone: "bad" },
  { type: "AuditTriggered", mark: "!", label: "audit raised", tone: "warn" },
  { type: "Vested", mark: "$", label: "rewards paid", tone: "good" },
  { type: "CycleStarted", mark: "▶", label: "cycle started", tone: "neutral" },
];

function describe(block: RecentBlock): string {
  const parts = [`block ${formatSlot(block.header.number)}`, `${block.header.txCount} transactions`];
  if (block.failed > 0) parts.push(`${block.failed} rejected`);
  for (const mark of MARKS) if ((block.eventTypes[mark.type] ?? 0) > 0) parts.push(mark.label);
  return parts.join(", ");
}

/** The last blocks as a strip of tiles, newest on the right; each tile links to its block. */
export function BlockStrip({ count = 24 }: { readonly count?: number }) {
  const { recent } = useLiveSnapshot();
  // Fewer tiles on a phone, so the newest block (on the right) is always on screen.
  const narrow = useNarrow(700);
  const blocks = recent.slice(0, narrow ? Math.min(count, 9) : count).reverse();
  const maxTx = Math.max(1, ...blocks.map((block) => block.header.txCount));
  if (blocks.length === 0) return <p className="muted">Waiting for the first block…</p>;
  return (
    <ol className="block-strip" aria-label="recent blocks, oldest first" data-testid="block-strip">
      {blocks.map((block) => (
        <li key={block.header.number}>
          <a
            href={href.block(block.header.number)}
            aria-label={describe(block)}
            title={describe(block)}
            className="block-tile"
          >
            <span className="block-bar" style={{ height: `${Math.round((block.header.txCount / maxTx) * 100)}%` }} />
            {block.failed > 0 ? (
              <span className="block-failed" style={{ height: `${Math.round((block.failed / maxTx) * 100)}%` }} />
            ) : null}
            <span className="block-marks" aria-hidden="true">
              {MARKS.filter((mark) => (block.eventTypes[mark.type] ?? 0) > 0).map((mark) => (
                <span key={mark.type} className={`mark tone-${mark.tone}`}>
                  {mark.mark}
                </span>
              ))}
            </span>
            <span className="block-number">{formatSlot(block.header.number)}</span>
          </a>
        </li>
      ))}
    </ol>
  );
}
