import { roundOf, roundStart, type VestingRecord, withdrawableFrom } from "@gradual/protocol";
import type { NodeView, TaskView } from "@gradual/wire";
import { useMemo } from "react";
import type { NodeStatus } from "../api/client.ts";
import { useLive, useLiveSnapshot, useResource } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { Chart } from "../components/Chart.tsx";
import { EventLine } from "../components/EventLine.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Message } from "../components/Message.tsx";
import { SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { tokensAsNumber } from "../model/amounts.ts";
import { nodeHistory, slashSummary, vestingEventsOf } from "../model/nodeHistory.ts";
import { nodeStanding, weightShare } from "../model/nodeStatus.ts";
import { sourceNoun } from "../model/settlement.ts";
import { rampFraction, timingOf } from "../model/taskParams.ts";
import { reconcileUnlocked, replayVesting, vestingCurve, vestingRange } from "../model/vestingCurve.ts";
import type { Timing } from "../model/windowLayout.ts";
import { href } from "../router.ts";

function StakePanel({
  node,
  timing,
  round,
}: {
  readonly node: NodeView;
  readonly timing: Timing;
  readonly round: number;
}) {
  const standing = nodeStanding(node, round, BigInt(timing.params.minimumStake));
  const { rampRounds } = timing.params;
  return (
    <section aria-labelledby="stake-title">
      <h3 id="stake-title">Stake and trust</h3>
      <div className="stats">
        <Stat
          label="Stake"
          testId="node-stake"
          value={<Amount value={node.stake} digits={3} />}
          hint={<span className={`tone-${standing.tone}`}>{standing.label}</span>}
        />
        <Stat
          label="Voting weight"
          value={<Amount value={node.weight} digits={3} />}
          hint={`${weightShare(node)} of stake: trust ramps up over ${rampRounds} round${rampRounds === 1 ? "" : "s"} after activation`}
        />
        <Stat
          label="Unbonding"
          value={<Amount value={node.unbonding} digits={3} />}
          hint={BigInt(node.unbonding) === 0n ? "nothing" : describeWithdrawable(timing, node)}
        />
        <Stat
          label="Slashed from stake"
          testId="node-slashed"
          tone={node.slashCount > 0 ? "bad" : undefined}
          value={<Amount value={node.slashedTotal} digits={3} />}
          hint={`${node.slashCount} slash${node.slashCount === 1 ? "" : "es"} (locked rewards taken are under Slashes) · ${node.losingVotes} losing votes · ${node.equivocations} equivocations`}
        />
      </div>
      {node.lots.length === 0 ? null : (
        <table className="compact lots">
          <caption>Stake lots on the trust ramp (each top-up warms up and ramps on its own)</caption>
          <thead>
            <tr>
              <th scope="col" className="align-right">
                Amount
              </th>
              <th scope="col">Active from</th>
              <th scope="col">Ramp</th>
            </tr>
          </thead>
          <tbody>
            {node.lots.map((lot, index) => {
              const fraction = rampFraction(lot.activationRound, round, rampRounds);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: lots have no identity of their own and only grow at the end
                <tr key={`${lot.activationRound}-${index}`}>
                  <td className="align-right">
                    <Amount value={lot.amount} digits={3} />
                  </td>
                  <td>
                    round {lot.activationRound} (
                    <SlotTime slot={roundStart(timing, lot.activationRound)} prefix="slot " />)
                  </td>
                  <td>
                    <span className="ramp">
                      <span className="ramp-fill" style={{ width: `${Math.round(fraction * 100)}%` }} />
                    </span>{" "}
                    {Math.round(fraction * 100)}%
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {BigInt(node.rampedStake) > 0n ? (
        <p className="small muted">
          <Amount value={node.rampedStake} digits={3} /> of the stake is fully ramped.
        </p>
      ) : null}
    </section>
  );
}

function VestingPanel({
  node,
  timing,
  round,
  task,
}: {
  readonly node: NodeView;
  readonly timing: Timing;
  readonly round: number;
  readonly task: string;
}) {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  // The ledger serves the node's claimable and locked amounts (its view), not its pool's schedule: the page rebuilds it
  // from the Vested, Claimed and Slashed events it has seen and reconciles them with those two amounts.
  // The event log grows with every block: `snapshot.version` makes the replay follow it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: live.events() changes with snapshot.version
  const { record, exact } = useMemo((): { record: VestingRecord; exact: boolean } => {
    const events = vestingEventsOf(live.events(), task, node.account, (slot) => roundOf(timing, slot));
    const replayed = replayVesting(events, timing.params);
    return reconcileUnlocked(replayed, round, { claimable: BigInt(node.claimable), locked: BigInt(node.locked) });
  }, [node, timing, round, task, live, snapshot.version]);
  const ledger = { claimable: BigInt(node.claimable), locked: BigInt(node.locked) };
  const { fromRound, toRound } = vestingRange(record, round);
  const curve = vestingCurve(record, fromRound, toRound);
  const empty = ledger.claimable === 0n && ledger.locked === 0n && record.locked === 0n;
  const everPaid =
    live.events((item) => item.event.type === "Vested" && item.event.node === node.account && item.event.task === task)
      .length > 0;
  return (
    <section
      aria-labelledby="vesting-title"
      data-testid="vesting"
      data-claimable-now={node.claimable}
      data-locked-now={node.locked}
    >
      <h3 id="vesting-title">Rewards, vesting slowly</h3>
      <div className="stats">
        <Stat
          label="Claimable now"
          testId="claimable-now"
          tone="good"
          value={<Amount value={node.claimable} digits={3} />}
          hint="unlocked and not yet claimed"
        />
        <Stat
          label="Still locked"
          value={<Amount value={node.locked} digits={3} />}
          hint="unlocks linearly; a slash can still take part of it"
        />
        <Stat
          label="Fully unlocked"
          value={curve.fullyVestedRound === undefined ? "–" : `round ${curve.fullyVestedRound}`}
          hint={
            curve.fullyVestedRound === undefined ? undefined : (
              <SlotTime slot={roundStart(timing, curve.fullyVestedRound)} relative />
            )
          }
        />
      </div>
      {empty ? (
        everPaid ? (
          <Message kind="empty" title="Nothing vesting right now">
            <p>
              Everything this node was paid has been claimed (or taken by a slash). New rewards arrive when a cycle it
              worked in is paid.
            </p>
          </Message>
        ) : (
          <Message kind="empty" title="No rewards yet">
            <p>A node is paid when a cycle it submitted a valid proof for is distributed, two rounds after the work.</p>
          </Message>
        )
      ) : (
        <>
          <Chart
            title="From now on: what becomes claimable by round, and what stays locked (if nothing more is claimed)"
            xLabel="round"
            x={curve.rounds as number[]}
            markerX={round}
            markerLabel="now"
            testId="vesting-chart"
            series={[
              {
                label: "claimable",
                values: curve.claimable.map((value) => tokensAsNumber(value)),
                color: "#2f9e5b",
                kind: "area",
              },
              {
                label: "locked",
                values: curve.locked.map((value) => tokensAsNumber(value)),
                color: "#7a8699",
                kind: "area",
              },
            ]}
          />
          {exact ? null : (
            <p className="small muted">
              The dashboard saw only part of this node's history, so the curve past now is approximate; the amounts
              above are {sourceNoun(snapshot.settlement)}'s.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function NodeHealth({ task, account, url }: { readonly task: string; readonly account: string; readonly url: string }) {
  const status = useResource<NodeStatus>(
    `node-status/${task}/${account}`,
    (client, signal) => client.nodeStatus(task, account, signal),
    {
      minIntervalMs: 5_000,
    },
  );
  const data = status.data;
  return (
    <p className="small node-health" data-testid="node-health">
      {typeof data?.health?.name === "string" ? (
        <>
          Named <strong data-testid="node-name">{data.health.name}</strong> (by its operator) ·{" "}
        </>
      ) : null}
      Node URL <code>{url}</code> ·{" "}
      {data === undefined ? (
        <span className="muted">
          {status.error === undefined ? "checking its /health…" : "its /health is not reachable from this dashboard"}
        </span>
      ) : data.reachable ? (
        <span className={data.health?.ok === true ? "tone-good" : "tone-warn"}>
          {data.health?.ok === true ? "healthy" : "unhealthy"}
          {typeof data.health?.replicaHeight === "number" ? ` · replica at block ${data.health.replicaHeight}` : ""}
          {typeof data.health?.lastError === "string" ? ` · last error: ${data.health.lastError}` : ""}
        </span>
      ) : (
        <span className="tone-warn">unreachable ({data.error ?? "no answer"})</span>
      )}
    </p>
  );
}

export function Node({ task, account }: { readonly task: string; readonly account: string }) {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  const node = useResource(`node/${task}/${account}`, (client, signal) => client.node(task, account, signal));
  const taskView = useResource<TaskView>(`task/${task}/for-node`, (client, signal) => client.task(task, signal), {
    minIntervalMs: 2_000,
  });
  const timing = useMemo(
    () => (taskView.data === undefined ? undefined : timingOf(taskView.data.task)),
    [taskView.data],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the event log grows with every block (snapshot.version)
  const history = useMemo(() => nodeHistory(live.events(), task, account), [live, task, account, snapshot.version]);
  const crumbs = (
    <nav className="crumbs" aria-label="breadcrumb">
      <a href={href.overview()}>Overview</a> › <a href={href.task(task)}>{taskView.data?.task.name ?? "task"}</a> ›{" "}
      <span>node</span>
    </nav>
  );
  if (node.data === undefined || timing === undefined) {
    const error = node.error ?? taskView.error;
    if (error !== undefined) {
      return (
        <div className="view">
          {crumbs}
          <ErrorMessage error={error} what="this node" />
          <p>
            <a href={href.account(account)}>Open the account page</a> for its balance and any vesting it kept after
            leaving.
          </p>
        </div>
      );
    }
    return <Message kind="loading" title="Loading the node…" />;
  }
  const round = roundOf(timing, Math.max(snapshot.head?.slot ?? 0, taskView.data?.slot ?? 0));
  return (
    <div className="view node" data-testid="node-view" data-account={account}>
      {crumbs}
      <h2>
        Node <HashLink value={account} /> <span className="muted small">#{node.data.index} in this task</span>
      </h2>
      <p className="small">
        <a href={href.account(account)}>account page</a>
      </p>
      <NodeHealth task={task} account={account} url={node.data.url} />
      <StakePanel node={node.data} timing={timing} round={round} />
      <VestingPanel node={node.data} timing={timing} round={round} task={task} />
      <section aria-labelledby="slashes-title" data-testid="node-slashes">
        <h3 id="slashes-title">Slashes</h3>
        {history.slashes.length === 0 ? (
          node.data.slashCount === 0 ? (
            <p className="muted">Never slashed.</p>
          ) : (
            <p>
              Slashed {node.data.slashCount} time{node.data.slashCount === 1 ? "" : "s"} (
              <Amount value={node.data.slashedTotal} digits={3} />
              ), before the blocks this page has seen.
            </p>
          )
        ) : (
          <>
            <p data-testid="node-slash-summary">{slashSummary(history.slashes, node.data.slashCount)}</p>
            <ul className="events">
              {history.slashes.map((item) => (
                <EventLine key={item.seq} item={item} />
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="proofs-title">
        <h3 id="proofs-title">
          Proofs <span className="muted small">recent cycles this node worked in</span>
        </h3>
        {history.proofs.length === 0 ? (
          <p className="muted">No commits in the recent blocks.</p>
        ) : (
          <table className="compact" data-testid="node-proofs">
            <thead>
              <tr>
                <th scope="col">Cycle</th>
                <th scope="col" className="wide">
                  Committed
                </th>
                <th scope="col">Revealed</th>
                <th scope="col">Proof</th>
                <th scope="col" className="align-right">
                  Paid
                </th>
              </tr>
            </thead>
            <tbody>
              {history.proofs.map((proof) => (
                <tr key={proof.cycle}>
                  <td>
                    <a href={href.cycle(task, proof.cycle)}>cycle {proof.cycle}</a>
                  </td>
                  <td className="wide">
                    {proof.committedAt !== undefined ? (
                      <SlotTime slot={proof.committedAt} />
                    ) : proof.beforeHistory || proof.revealedAt !== undefined ? (
                      <span className="muted">before these blocks</span>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td>
                    {proof.revealedAt !== undefined ? (
                      <SlotTime slot={proof.revealedAt} />
                    ) : proof.beforeHistory ? (
                      <span className="muted">before these blocks</span>
                    ) : (
                      <span className="muted">not yet</span>
                    )}
                  </td>
                  <td>
                    <span className={`badge status-${proof.status}`}>{proof.status}</span>
                    {proof.slashed > 0n ? (
                      <>
                        {" "}
                        <Amount className="tone-bad" value={proof.slashed} digits={3} /> slashed
                      </>
                    ) : null}
                  </td>
                  <td className="align-right">
                    {proof.paid > 0n ? <Amount value={proof.paid} digits={3} /> : <span className="muted">–</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="audits-node-title">
        <h3 id="audits-node-title">Audits and votes</h3>
        {history.audits.length + history.votes.length === 0 ? (
          <p className="muted">No audits or votes in the recent blocks.</p>
        ) : (
          <ul className="events">
            {[...history.audits, ...history.votes]
              .sort((a, b) => b.seq - a.seq)
              .slice(0, 30)
              .map((item) => (
                <EventLine key={item.seq} item={item} />
              ))}
          </ul>
        )}
      </section>
      {snapshot.historyFromSlot === undefined ? null : (
        <p className="small muted">
          Activity lists cover the blocks since <SlotTime slot={snapshot.historyFromSlot} />; stake, slashes and vesting
          amounts come from {sourceNoun(snapshot.settlement)}'s current state.
        </p>
      )}
    </div>
  );
}

/** When `gradual withdraw` can succeed: the later of the unbonding end and the last revealed cycle's late challenges. */
function describeWithdrawable(timing: Timing, node: NodeView): string {
  const from = withdrawableFrom(timing.params, node);
  const held =
    from.heldBy === "unbonding" ? "" : `; the late-challenge window of cycle ${from.cycle} holds it until then`;
  return `withdrawable from round ${from.round} (slot ${roundStart(timing, from.round)})${held}`;
}
