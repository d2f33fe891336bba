import { useResource, useSettlement } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Message } from "../components/Message.tsx";
import { SlotRange } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { cycleWindowRows, distributionKind } from "../model/distributionStory.ts";
import { timingOf } from "../model/taskParams.ts";
import { href } from "../router.ts";
import { Audits } from "./cycle/Audits.tsx";
import { Distributions } from "./cycle/Distributions.tsx";
import { Submissions } from "./cycle/Submissions.tsx";

/** A cycle (`#/task/ID/cycle/C`): its record, its windows, then its audits, distributions and submissions. */

function windowState(window: { opensAt: number; closesAt: number }, nextSlot: number): string {
  if (nextSlot < window.opensAt) return "upcoming";
  if (nextSlot >= window.closesAt) return "closed";
  return "open";
}

export function Cycle({ task, cycle }: { readonly task: string; readonly cycle: number }) {
  const view = useResource(`cycle/${task}/${cycle}`, (client, signal) => client.cycle(task, cycle, signal));
  const evm = useSettlement()?.kind === "evm";
  const taskView = useResource(`task/${task}/for-cycle`, (client, signal) => client.task(task, signal), {
    minIntervalMs: 2_000,
  });
  if (view.data === undefined) {
    if (view.error !== undefined) return <ErrorMessage error={view.error} what={`cycle ${cycle}`} />;
    return <Message kind="loading" title={`Loading cycle ${cycle}…`} />;
  }
  const data = view.data;
  const name = taskView.data?.task.name ?? "task";
  const timing = taskView.data === undefined ? undefined : timingOf(taskView.data.task);
  return (
    <div className="view cycle" data-testid="cycle-view" data-cycle={cycle}>
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.overview()}>Overview</a> › <a href={href.task(task)}>{name}</a> › <span>cycle {cycle}</span>
      </nav>
      <h2>
        Cycle {cycle} <span className={`period-chip chip-${data.phase}`}>{data.phase}</span>
        {cycle > 0 ? (
          <a className="small pager" href={href.cycle(task, cycle - 1)}>
            ‹ cycle {cycle - 1}
          </a>
        ) : null}
        <a className="small pager" href={href.cycle(task, cycle + 1)}>
          cycle {cycle + 1} ›
        </a>
      </h2>
      {data.pruned && evm ? (
        <Message kind="info" title="Details pruned">
          This cycle is settled for good (complete, its late-challenge window closed), so the indexer's replay of the
          protocol core deleted its commits, reveals, triggers, votes and lists from its state (protocol.md §9.3). The
          contract keeps its own storage. The summary below stays; the block explorer still shows every contract call of
          the cycle in its slot's block, each with its EVM transaction.
        </Message>
      ) : data.pruned ? (
        <Message kind="info" title="Details pruned">
          This cycle is settled for good (complete, its late-challenge window closed), so the ledger deleted its
          commits, reveals, triggers, votes and lists from the state (protocol.md §9.3). The summary below stays; the
          block explorer still shows every transaction of the cycle in its block, and <code>gradual ledger verify</code>{" "}
          replays them all from genesis.
        </Message>
      ) : null}
      <div className="stats">
        <Stat label="Committed" value={data.record.commitCount} />
        <Stat
          label="Revealed"
          value={data.record.revealCount}
          hint={
            data.record.seed === null ? (
              "seed not fixed yet"
            ) : (
              <>
                seed <HashLink value={data.record.seed} />
              </>
            )
          }
        />
        <Stat
          label="Triggers"
          value={data.record.triggerCount}
          tone={data.record.triggerCount > 0 ? "warn" : undefined}
        />
        <Stat
          label="Reserved"
          value={<Amount value={data.record.reserved} digits={2} />}
          hint={
            data.record.outcome === "paid" && timing?.params.distributionRule === "custom"
              ? "list entries not claimed yet"
              : "bounty held for this cycle"
          }
        />
        <Stat
          label="Paid"
          tone="good"
          value={<Amount value={data.record.paid} digits={2} />}
          hint={data.record.outcome ?? "not yet"}
        />
      </div>
      <section aria-labelledby="windows-title">
        <h3 id="windows-title">Windows</h3>
        <table className="compact windows">
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">Slots</th>
              <th scope="col">State</th>
              <th scope="col" className="wide">
                What happens
              </th>
            </tr>
          </thead>
          <tbody>
            {cycleWindowRows(distributionKind(timing), data).map((window) => {
              const state = windowState(window, data.nextSlot);
              return (
                <tr key={window.key} className={`window-row state-${state}`} data-window={window.key}>
                  <th scope="row">
                    {window.label}
                    {window.attempt === null ? null : (
                      <span className="muted small">{` (attempt ${window.attempt})`}</span>
                    )}
                  </th>
                  <td>
                    <SlotRange opensAt={window.opensAt} closesAt={window.closesAt} />
                  </td>
                  <td>
                    <span className={`badge window-${state}`}>{state}</span>
                  </td>
                  <td className="wide small">{window.what}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <Audits task={task} cycle={cycle} view={data} taskView={taskView.data} />
      <Distributions task={task} cycle={cycle} view={data} timing={timing} />
      <Submissions task={task} cycle={cycle} view={data} />
    </div>
  );
}
