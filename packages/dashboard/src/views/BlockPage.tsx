import { isNotFound } from "../api/client.ts";
import { useResource, useSettlement } from "../api/hooks.ts";
import { EventLine } from "../components/EventLine.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Message } from "../components/Message.tsx";
import { ResultBadge } from "../components/ResultBadge.tsx";
import { SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { VirtualTable } from "../components/VirtualTable.tsx";
import { formatSlot } from "../model/slotTime.ts";
import { href } from "../router.ts";

/** One block (`#/block/N`): its header, its transactions with their results, and the events it caused. */

export function BlockPage({ number }: { readonly number: number }) {
  const block = useResource(`block/${number}`, (client, signal) => client.block(number, signal), { refresh: "block" });
  const evm = useSettlement()?.kind === "evm";
  if (block.data === undefined) {
    if (block.error !== undefined) {
      if (isNotFound(block.error)) {
        return (
          <div className="view">
            <Message kind="empty" title={`Block ${formatSlot(number)} does not exist yet`}>
              <p>This page shows it as soon as {evm ? "the indexer" : "the ledger"} produces it.</p>
            </Message>
          </div>
        );
      }
      return <ErrorMessage error={block.error} what={`block ${number}`} />;
    }
    return <Message kind="loading" title={`Loading block ${number}…`} />;
  }
  const data = block.data;
  return (
    <div className="view block" data-testid="block-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.explorer()}>Explorer</a> › <span>block {formatSlot(number)}</span>
      </nav>
      <h2>
        Block {formatSlot(number)}
        {number > 0 ? (
          <a className="small pager" href={href.block(number - 1)}>
            ‹ {formatSlot(number - 1)}
          </a>
        ) : null}
        <a className="small pager" href={href.block(number + 1)}>
          {formatSlot(number + 1)} ›
        </a>
      </h2>
      {evm ? (
        <p className="muted small" data-testid="evm-block-note">
          On an EVM chain this is the indexer's block of slot {formatSlot(data.slot)}, not an EVM block: it holds the
          contract calls of every EVM block in that slot, in log order, replayed through the protocol core, and the
          window ends the core reached. Its hashes are the core's; each transaction's page names its EVM transaction.
        </p>
      ) : null}
      <div className="stats">
        <Stat label="Slot" value={formatSlot(data.slot)} hint={<SlotTime slot={data.slot} />} />
        <Stat
          label="Transactions"
          value={data.txs.length}
          hint={`${data.txs.filter((tx) => !tx.result.ok).length} rejected`}
        />
        <Stat label="Events" value={data.events.length} />
      </div>
      <dl className="fields">
        <div>
          <dt>hash</dt>
          <dd>
            <code className="wrap">{data.hash}</code>
          </dd>
        </div>
        <div>
          <dt>previous</dt>
          <dd>
            {number > 0 ? (
              <a href={href.block(number - 1)}>
                <code className="wrap">{data.prevHash}</code>
              </a>
            ) : (
              <code>{data.prevHash}</code>
            )}
          </dd>
        </div>
        <div>
          <dt>state root</dt>
          <dd>
            <code className="wrap">{data.stateRoot}</code>
          </dd>
        </div>
      </dl>
      <section aria-labelledby="block-txs-title">
        <h3 id="block-txs-title">Transactions</h3>
        {data.txs.length === 0 ? (
          <p className="muted">An empty block: nothing was sent in this slot.</p>
        ) : (
          <VirtualTable
            rows={data.txs}
            columns={[
              { key: "hash", header: "Hash", render: (tx) => <HashLink value={tx.hash} to={href.tx(tx.hash)} /> },
              { key: "kind", header: "Kind", render: (tx) => tx.tx.kind },
              {
                key: "from",
                header: "From",
                wide: true,
                render: (tx) => <HashLink value={tx.tx.from} to={href.account(tx.tx.from)} />,
              },
              { key: "result", header: "Result", render: (tx) => <ResultBadge result={tx.result} /> },
            ]}
            rowKey={(tx) => tx.hash}
            caption={`Transactions of block ${number}`}
            onActivate={(tx) => {
              window.location.hash = href.tx(tx.hash);
            }}
            maxHeight={360}
          />
        )}
      </section>
      <section aria-labelledby="block-events-title">
        <h3 id="block-events-title">Protocol events</h3>
        {data.events.length === 0 ? (
          <p className="muted">No protocol events in this block.</p>
        ) : (
          <ul className="events">
            {data.events.slice(0, 200).map((item, index) => (
              <EventLine
                // biome-ignore lint/suspicious/noArrayIndexKey: a block's events are fixed and in ledger order
                key={`${index}-${item.event.type}`}
                item={{ seq: index, block: number, slot: data.slot, tx: item.tx, event: item.event }}
                showTask
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
