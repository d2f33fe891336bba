import { type BlockWire, MAX_BLOCK_RANGE } from "@gradual/wire";
import { useState } from "react";
import { useLiveSnapshot, useResource } from "../api/hooks.ts";
import { HashLink } from "../components/HashLink.tsx";
import { Loaded } from "../components/Message.tsx";
import { SearchBox } from "../components/SearchBox.tsx";
import { type Column, VirtualTable } from "../components/VirtualTable.tsx";
import { formatRelative, formatSlot, formatWallTime } from "../model/slotTime.ts";
import { href } from "../router.ts";

/** The explorer (`#/explorer`): a search box and the latest blocks, paged back through the chain. */

type BlockRow = BlockWire;

function BlockTime({ producedAtMs }: { readonly producedAtMs: number }) {
  const now = Date.now();
  return (
    <time dateTime={new Date(producedAtMs).toISOString()} data-testid="block-time">
      {formatWallTime(producedAtMs, now)}
      <span className="muted small">{` · ${formatRelative(producedAtMs - now)}`}</span>
    </time>
  );
}

const BLOCK_COLUMNS: readonly Column<BlockRow>[] = [
  {
    key: "number",
    header: "Block",
    width: "6rem",
    render: (block) => <a href={href.block(block.number)}>{formatSlot(block.number)}</a>,
  },
  {
    key: "time",
    header: "Time",
    // The wall time the block was stored (not the slot number, which the Block column already shows).
    render: (block) => <BlockTime producedAtMs={block.producedAtMs} />,
    wide: true,
  },
  { key: "txs", header: "Txs", align: "right", width: "4rem", render: (block) => block.txs.length },
  {
    key: "failed",
    header: "Rejected",
    align: "right",
    width: "7rem",
    render: (block) => {
      const failed = block.txs.filter((tx) => !tx.result.ok).length;
      return failed === 0 ? <span className="muted">0</span> : <span className="tone-bad">{failed}</span>;
    },
  },
  {
    key: "kinds",
    header: "Kinds",
    wide: true,
    render: (block) => (
      <span className="small">
        {[...new Set(block.txs.map((tx) => tx.tx.kind))].join(", ") || <span className="muted">empty</span>}
      </span>
    ),
  },
  { key: "hash", header: "Hash", wide: true, render: (block) => <HashLink value={block.hash} /> },
];

export function Explorer() {
  const { head, settlement } = useLiveSnapshot();
  const [pageEnd, setPageEnd] = useState<number | undefined>(undefined);
  const top = pageEnd ?? head?.number;
  const blocks = useResource(
    top === undefined ? null : `explorer/blocks/${pageEnd === undefined ? "live" : pageEnd}`,
    async (client, signal) => {
      const end = pageEnd ?? (await client.head(signal)).number;
      const from = Math.max(0, end - MAX_BLOCK_RANGE + 1);
      return [...(await client.blocks(from, end, signal))].reverse();
    },
    { refresh: pageEnd === undefined ? "block" : "once", minIntervalMs: 1_000 },
  );
  return (
    <div className="view explorer" data-testid="explorer">
      <h2>Explorer</h2>
      <SearchBox autoFocus />
      <section aria-labelledby="explorer-blocks-title">
        <h3 id="explorer-blocks-title">
          {pageEnd === undefined ? "Latest blocks" : `Blocks up to ${formatSlot(pageEnd)}`}{" "}
          <span className="muted small">
            {settlement?.kind === "evm"
              ? "the indexer's blocks: one per slot, holding the contract calls of the EVM blocks in it; empty blocks included"
              : "one block per slot; empty blocks included"}
          </span>
        </h3>
        <div className="pager-row">
          <button
            type="button"
            disabled={top === undefined || top < MAX_BLOCK_RANGE}
            onClick={() => setPageEnd(Math.max(0, (top ?? 0) - MAX_BLOCK_RANGE))}
          >
            ‹ Older
          </button>
          <button
            type="button"
            disabled={pageEnd === undefined}
            onClick={() =>
              setPageEnd(
                pageEnd === undefined || head === undefined || pageEnd + MAX_BLOCK_RANGE >= head.number
                  ? undefined
                  : pageEnd + MAX_BLOCK_RANGE,
              )
            }
          >
            Newer ›
          </button>
          {pageEnd === undefined ? (
            <span className="muted small">following the head</span>
          ) : (
            <button type="button" onClick={() => setPageEnd(undefined)}>
              Latest
            </button>
          )}
        </div>
        <Loaded resource={blocks} what="the blocks">
          {(data) => (
            <VirtualTable
              rows={data}
              columns={BLOCK_COLUMNS}
              rowKey={(block) => String(block.number)}
              caption="Blocks"
              onActivate={(block) => {
                window.location.hash = href.block(block.number);
              }}
              testId="blocks-table"
            />
          )}
        </Loaded>
      </section>
    </div>
  );
}
