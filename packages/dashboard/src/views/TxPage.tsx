import type { WireTransaction } from "@gradual/wire";
import { useResource, useSettlement } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { Loaded, Message } from "../components/Message.tsx";
import { meaningOf, ResultBadge } from "../components/ResultBadge.tsx";
import { Stat } from "../components/Stat.tsx";
import { evmAddressOf, evmCallOf } from "../model/settlement.ts";
import { formatSlot } from "../model/slotTime.ts";
import { href } from "../router.ts";

/** One transaction (`#/tx/HASH`): pending or included, its result and its fields. */

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

export function TxPage({ hash }: { readonly hash: string }) {
  const tx = useResource(`tx/${hash}`, (client, signal) => client.tx(hash, signal));
  const settlement = useSettlement();
  const evm = settlement?.kind === "evm";
  const call = evm && tx.data !== undefined ? evmCallOf(tx.data.signature) : undefined;
  const pool = settlement?.kind === "evm" ? settlement.contract : undefined;
  const body = tx.data?.tx as { readonly kind: string; readonly from: string; readonly to?: string } | undefined;
  const poolMove =
    pool === undefined || body?.kind !== "transfer"
      ? undefined
      : evmAddressOf(body.from) === pool
        ? "a deposit: the contract pulled the tokens in (Deposited), replayed as a transfer from its pool account"
        : evmAddressOf(body.to ?? "") === pool
          ? "a withdrawal: the contract paid the tokens out (BalanceWithdrawn), replayed as a transfer to its pool account"
          : undefined;
  return (
    <div className="view tx" data-testid="tx-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.explorer()}>Explorer</a> › <span>transaction</span>
      </nav>
      <h2>
        Transaction <HashLink value={tx.data?.hash ?? hash} />
      </h2>
      {call === undefined ? null : (
        <p data-testid="evm-call">
          A contract call on the EVM chain, replayed by the indexer: EVM transaction{" "}
          <code className="wrap" data-testid="evm-tx-hash">
            {call.txHash}
          </code>
          , log {call.logIndex}
          {poolMove === undefined ? "" : `: ${poolMove}`}.{" "}
          <span className="muted small">
            The chain checked its signature and nonce; the hash above is the core's hash of the replayed transaction.
          </span>
        </p>
      )}
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
                hint={evm ? `nonce ${data.tx.nonce} (calls replayed, not the EVM nonce)` : `nonce ${data.tx.nonce}`}
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
