import { useLiveSnapshot, useResource, useSettlement } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { Loaded } from "../components/Message.tsx";
import { Stat } from "../components/Stat.tsx";
import { evmAddressOf } from "../model/settlement.ts";
import { href } from "../router.ts";

/** One account (`#/account/ACCOUNT`): balance, nonce, its stakes and its vesting in every task. */

export function AccountPage({ account }: { readonly account: string }) {
  const view = useResource(`account/${account}`, (client, signal) => client.account(account, signal));
  const settlement = useSettlement();
  const evm = settlement?.kind === "evm" ? settlement : undefined;
  const address = evm === undefined ? undefined : evmAddressOf(account);
  const isPool = address !== undefined && address === evm?.contract;
  const { chain } = useLiveSnapshot();
  return (
    <div className="view account" data-testid="account-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.explorer()}>Explorer</a> › <span>account</span>
      </nav>
      <h2>
        Account <HashLink value={account} />
      </h2>
      {address === undefined ? (
        <p>
          <code className="wrap small">{account}</code>
        </p>
      ) : (
        <p data-testid="evm-account">
          EVM address <code className="wrap">{address}</code>{" "}
          <span className="muted small">
            (its account id here: <code className="wrap">{account}</code>, the address left-padded to 32 bytes)
          </span>
        </p>
      )}
      {isPool ? (
        <p className="muted" data-testid="evm-pool">
          This is the Gradual contract itself: the indexer keeps its token pool as one account holding 2¹²⁸ − 1 base
          units, so that a deposit is a transfer from it and a withdrawal a transfer to it. The money the contract holds
          is that figure minus the balance below (the overview's supply).
        </p>
      ) : null}
      <Loaded resource={view} what="this account">
        {(data) => (
          <>
            <div className="stats">
              <Stat
                label="Balance"
                value={<Amount value={data.balance} digits={3} />}
                hint={
                  evm === undefined
                    ? undefined
                    : isPool
                      ? "the pool's bookkeeping figure, not tokens"
                      : "deposited in the contract, not staked (not the wallet's tokens)"
                }
              />
              {isPool && chain !== undefined ? (
                <Stat
                  label="Held by the contract"
                  testId="evm-contract-holds"
                  value={<Amount value={chain.supply} digits={3} />}
                  hint="deposits less withdrawals: every balance, stake, escrow and vesting record"
                />
              ) : null}
              <Stat
                label="Claimable"
                tone="good"
                value={<Amount value={data.claimable} digits={3} />}
                hint="over all tasks"
              />
              <Stat
                label="Nonce"
                value={data.nonce}
                hint={
                  data.pending > 0
                    ? `${data.pending} pending`
                    : evm === undefined
                      ? "transactions sent"
                      : isPool
                        ? "deposits, replayed as transfers from the pool"
                        : "contract calls replayed by the indexer (not the EVM account's nonce)"
                }
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
