import { ERROR_CODES } from "@gradual/protocol";
import type { BlockWire as Block, TxResultWire as TxResult, WireTransaction } from "@gradual/wire";
import { type FormEvent, useState } from "react";
import { isNotFound, MAX_BLOCK_RANGE } from "../api/client.ts";
import { useLiveSnapshot, useResource } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { EventLine } from "../components/EventLine.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Loaded, Message } from "../components/Message.tsx";
import { SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { type Column, VirtualTable } from "../components/VirtualTable.tsx";
import { classifyQuery } from "../model/search.ts";
import { formatRelative, formatSlot, formatWallTime } from "../model/slotTime.ts";
import { href } from "../router.ts";

function meaningOf(code: string): string | undefined {
  return (ERROR_CODES as Record<string, { meaning: string } | undefined>)[code]?.meaning;
}

export function ResultBadge({ result }: { readonly result: TxResult }) {
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

/** A search box: a block number, a transaction hash, a task id or an account key. */
export function SearchBox({ autoFocus = false }: { readonly autoFocus?: boolean }) {
  const [query, setQuery] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = classifyQuery(query);
    if (parsed.kind === "empty") return;
    window.location.hash = parsed.kind === "block" ? href.block(parsed.number) : href.search(query);
    setQuery("");
  };
  return (
    <search>
      <form className="search" onSubmit={submit}>
        <label htmlFor={autoFocus ? "search-main" : "search-header"} className="sr-only">
          Search by block number, transaction hash, task id or account
        </label>
        <input
          id={autoFocus ? "search-main" : "search-header"}
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="block, tx hash, task or account"
          // biome-ignore lint/a11y/noAutofocus: the explorer page exists to search
          autoFocus={autoFocus}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

type BlockRow = Block;

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
  const { head } = useLiveSnapshot();
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
          <span className="muted small">one block per slot; empty blocks included</span>
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

function TxFields({ tx }: { readonly tx: WireTransaction }) {
  const entries = Object.entries(tx).filter(([key]) => !["kind", "chainId", "from", "nonce"].includes(key));
  return (
    <dl className="fields">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            {typeof value === "string" && /^[0-9a-f]{64}$/.test(value) ? (
              <HashLink
                value={value}
                to={
                  key === "task"
                    ? href.task(value)
                    : key === "to" || key === "target"
                      ? href.account(value)
                      : href.search(value)
                }
              />
            ) : typeof value === "string" && /^\d+$/.test(value) && /amount|funding|stake/i.test(key) ? (
              <Amount value={value} />
            ) : (
              <code className="wrap">{typeof value === "string" ? value : JSON.stringify(value)}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function BlockPage({ number }: { readonly number: number }) {
  const block = useResource(`block/${number}`, (client, signal) => client.block(number, signal), { refresh: "block" });
  if (block.data === undefined) {
    if (block.error !== undefined) {
      if (isNotFound(block.error)) {
        return (
          <div className="view">
            <Message kind="empty" title={`Block ${formatSlot(number)} does not exist yet`}>
              <p>This page shows it as soon as the ledger produces it.</p>
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

export function TxPage({ hash }: { readonly hash: string }) {
  const tx = useResource(`tx/${hash}`, (client, signal) => client.tx(hash, signal));
  return (
    <div className="view tx" data-testid="tx-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.explorer()}>Explorer</a> › <span>transaction</span>
      </nav>
      <h2>
        Transaction <HashLink value={hash} />
      </h2>
      <Loaded resource={tx} what="this transaction">
        {(data) => (
          <>
            <div className="stats">
              <Stat label="Kind" value={data.tx.kind} />
              <Stat
                label="Status"
                value={data.status === "pending" ? "pending" : <ResultBadge result={data.result} />}
                hint={data.status === "pending" ? `received at block ${data.receivedAtBlock}` : undefined}
              />
              {data.status === "included" ? (
                <Stat
                  label="Block"
                  value={<a href={href.block(data.block)}>{formatSlot(data.block)}</a>}
                  hint={`position ${data.position}`}
                />
              ) : null}
              <Stat
                label="From"
                value={<HashLink value={data.tx.from} to={href.account(data.tx.from)} />}
                hint={`nonce ${data.tx.nonce}`}
              />
            </div>
            {data.status === "included" && !data.result.ok ? (
              <Message kind="error" title={`Rejected: ${data.result.code}`}>
                <p>{data.result.message}</p>
                {meaningOf(data.result.code) === undefined ? null : (
                  <p className="muted">{meaningOf(data.result.code)}</p>
                )}
                {Object.keys(data.result.context).length === 0 ? null : (
                  <pre className="context">{JSON.stringify(data.result.context, null, 2)}</pre>
                )}
                <p className="small">An included rejection uses its nonce and changes nothing else.</p>
              </Message>
            ) : null}
            <h3>Fields</h3>
            <TxFields tx={data.tx} />
          </>
        )}
      </Loaded>
    </div>
  );
}

export function AccountPage({ account }: { readonly account: string }) {
  const view = useResource(`account/${account}`, (client, signal) => client.account(account, signal));
  return (
    <div className="view account" data-testid="account-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.explorer()}>Explorer</a> › <span>account</span>
      </nav>
      <h2>
        Account <HashLink value={account} />
      </h2>
      <p>
        <code className="wrap small">{account}</code>
      </p>
      <Loaded resource={view} what="this account">
        {(data) => (
          <>
            <div className="stats">
              <Stat label="Balance" value={<Amount value={data.balance} digits={3} />} />
              <Stat
                label="Claimable"
                tone="good"
                value={<Amount value={data.claimable} digits={3} />}
                hint="over all tasks"
              />
              <Stat
                label="Nonce"
                value={data.nonce}
                hint={data.pending > 0 ? `${data.pending} pending` : "transactions sent"}
              />
            </div>
            <h3>Stakes</h3>
            {data.stakes.length === 0 ? (
              <p className="muted">No stake in any task.</p>
            ) : (
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col" className="align-right">
                      Stake
                    </th>
                    <th scope="col" className="align-right wide">
                      Weight
                    </th>
                    <th scope="col" className="align-right">
                      Slashed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.stakes.map((stake) => (
                    <tr key={stake.task}>
                      <td>
                        <a href={href.node(stake.task, account)}>node in task {stake.task.slice(0, 8)}…</a>
                      </td>
                      <td className="align-right">
                        <Amount value={stake.stake} digits={3} />
                      </td>
                      <td className="align-right wide">
                        <Amount value={stake.weight} digits={3} />
                      </td>
                      <td className="align-right">
                        <Amount value={stake.slashedTotal} digits={3} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>Vesting</h3>
            {data.vesting.length === 0 ? (
              <p className="muted">No rewards from any task.</p>
            ) : (
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col" className="align-right">
                      Claimable
                    </th>
                    <th scope="col" className="align-right">
                      Locked
                    </th>
                    <th scope="col" className="align-right wide">
                      Claimed so far
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.vesting.map((vesting) => (
                    <tr key={vesting.task}>
                      <td>
                        <a href={href.task(vesting.task)}>task {vesting.task.slice(0, 8)}…</a>
                      </td>
                      <td className="align-right">
                        <Amount value={vesting.claimable} digits={3} />
                      </td>
                      <td className="align-right">
                        <Amount value={vesting.locked} digits={3} />
                      </td>
                      <td className="align-right wide">
                        <Amount value={vesting.totalClaimed} digits={3} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}

type SearchResult = {
  readonly kind: "task" | "tx" | "account" | "none";
  readonly value: string;
  readonly note?: string;
};

export function SearchPage({ query }: { readonly query: string }) {
  const parsed = classifyQuery(query);
  const result = useResource<SearchResult[]>(
    `search/${query}`,
    async (client, signal) => {
      if (parsed.kind === "block") return [{ kind: "none", value: String(parsed.number), note: "block" }];
      if (parsed.kind !== "hash") {
        const list = await client.tasks(0, 1000, signal);
        const views = await Promise.all(list.tasks.map((id) => client.task(id, signal)));
        const needle = parsed.kind === "text" ? parsed.text.toLowerCase() : "";
        return views
          .filter((view) => view.task.name.toLowerCase().includes(needle) || view.task.id.startsWith(needle))
          .map((view) => ({ kind: "task" as const, value: view.task.id, note: view.task.name }));
      }
      const found: SearchResult[] = [];
      const [task, tx, account] = await Promise.all([
        client.task(parsed.hash, signal).catch(() => undefined),
        client.tx(parsed.hash, signal).catch(() => undefined),
        client.account(parsed.hash, signal).catch(() => undefined),
      ]);
      if (task !== undefined) found.push({ kind: "task", value: parsed.hash, note: task.task.name });
      if (tx !== undefined) found.push({ kind: "tx", value: parsed.hash, note: tx.tx.kind });
      if (
        account !== undefined &&
        (account.nonce > 0 || account.balance !== "0" || account.stakes.length > 0 || account.vesting.length > 0)
      ) {
        found.push({ kind: "account", value: parsed.hash });
      }
      return found;
    },
    { refresh: "once" },
  );
  if (parsed.kind === "block") {
    window.location.replace(href.block(parsed.number));
    return null;
  }
  const only = result.data?.length === 1 ? result.data[0] : undefined;
  if (only !== undefined && parsed.kind === "hash") {
    window.location.replace(
      only.kind === "task"
        ? href.task(only.value)
        : only.kind === "tx"
          ? href.tx(only.value)
          : href.account(only.value),
    );
  }
  return (
    <div className="view search" data-testid="search-view">
      <h2>Search: {query}</h2>
      <SearchBox />
      <Loaded resource={result} what="the search results">
        {(data) =>
          data.length === 0 ? (
            <Message kind="empty" title="Nothing found">
              <p>
                Search by block number, a transaction hash, a task id or name, or an account key (64 hex characters). An
                account that never received or sent anything does not show up.
              </p>
            </Message>
          ) : (
            <ul className="results">
              {data.map((item) => (
                <li key={`${item.kind}-${item.value}`}>
                  {item.kind === "task" ? (
                    <a href={href.task(item.value)}>task {item.note}</a>
                  ) : item.kind === "tx" ? (
                    <a href={href.tx(item.value)}>transaction ({item.note})</a>
                  ) : (
                    <a href={href.account(item.value)}>account</a>
                  )}{" "}
                  <HashLink value={item.value} />
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </div>
  );
}
