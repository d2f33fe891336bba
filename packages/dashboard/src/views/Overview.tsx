import { NOTABLE_EVENT_TYPES, type TaskView } from "@gradual/wire";
import { allPages } from "../api/client.ts";
import { useLive, useLiveSnapshot, useResource } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { BlockStrip } from "../components/BlockStrip.tsx";
import { EventLine } from "../components/EventLine.tsx";
import { Loaded, Message } from "../components/Message.tsx";
import { SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { type Column, VirtualTable } from "../components/VirtualTable.tsx";
import { escrowedOfTask, moneyTotals, stakeOfTask, vestingOfNodes } from "../model/money.ts";
import { shortAddress } from "../model/settlement.ts";
import { formatDuration, formatSlot } from "../model/slotTime.ts";
import { href } from "../router.ts";

/** Most tasks the overview loads in full; the rest are a click away in the explorer. */
const OVERVIEW_TASKS = 100;
/** Beyond this many nodes in all, vesting is not summed from node views (too many requests for one page). */
const MAX_NODES_FOR_VESTING = 5_000;

function phaseSummary(view: TaskView): string {
  const parts: string[] = [];
  for (const period of ["work", "review", "distribution"] as const) {
    const cycles = view.cycles.filter((cycle) => cycle.phase === period).map((cycle) => cycle.cycle);
    if (cycles.length > 0) parts.push(`${period}: cycle ${cycles.join(", ")}`);
  }
  if (view.round < 0) return "starts soon";
  return parts.length === 0 ? "no live cycle" : parts.join(" · ");
}

const TASK_COLUMNS: readonly Column<TaskView>[] = [
  {
    key: "name",
    header: "Task",
    render: (view) => (
      <a href={href.task(view.task.id)} className="task-name">
        {view.task.name}
      </a>
    ),
    width: "10rem",
  },
  {
    key: "status",
    header: "State",
    render: (view) => <span className={`status status-${view.task.status}`}>{view.task.status}</span>,
    width: "6rem",
  },
  {
    key: "round",
    header: "Round",
    align: "right",
    render: (view) => (view.round < 0 ? "–" : view.round),
    width: "5rem",
  },
  {
    key: "now",
    header: "Cycles now",
    render: (view) => (
      <span className="small" title={phaseSummary(view)}>
        {phaseSummary(view)}
      </span>
    ),
    wide: true,
    width: "24%",
  },
  {
    key: "nodes",
    header: "Nodes",
    align: "right",
    render: (view) => view.task.nodeCount.toLocaleString("en-US"),
    width: "5.5rem",
  },
  {
    key: "stake",
    header: "Staked",
    align: "right",
    render: (view) => <Amount value={stakeOfTask(view)} digits={2} />,
    wide: true,
  },
  {
    key: "escrow",
    header: "Escrowed",
    align: "right",
    render: (view) => <Amount value={escrowedOfTask(view)} digits={2} />,
  },
  {
    key: "paid",
    header: "Paid",
    align: "right",
    render: (view) => <Amount value={view.task.totalPaid} digits={2} />,
    wide: true,
  },
  {
    key: "slashed",
    header: "Slashed",
    align: "right",
    render: (view) => <Amount value={view.task.totalSlashed} digits={2} />,
    wide: true,
  },
];

export function Overview() {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  const { chain, head, recent } = snapshot;
  const tasks = useResource(
    "overview/tasks",
    async (client, signal) => {
      const list = await client.tasks(0, OVERVIEW_TASKS, signal);
      const views = await Promise.all(list.tasks.map((id) => client.task(id, signal)));
      return { total: list.total, views };
    },
    { minIntervalMs: 1_000 },
  );
  const views = tasks.data?.views ?? [];
  const nodeTotal = views.reduce((sum, view) => sum + view.task.nodeCount, 0);
  const needVesting = views.length > 0 && nodeTotal <= MAX_NODES_FOR_VESTING;
  const vesting = useResource(
    needVesting ? `overview/vesting/${views.map((view) => view.task.id).join(",")}` : null,
    async (client, signal) => {
      let total = 0n;
      for (const view of views) {
        const nodes = await allPages(
          (offset, limit) => client.nodes(view.task.id, offset, limit, signal),
          MAX_NODES_FOR_VESTING,
        );
        total += vestingOfNodes(nodes.items);
      }
      return total;
    },
    { minIntervalMs: 3_000 },
  );
  const money = moneyTotals(views, vesting.data);
  const measured = snapshot.clock?.slotMs;
  const notable = live
    .events((item) => NOTABLE_EVENT_TYPES.has(item.event.type))
    .slice(-12)
    .reverse();

  return (
    <div className="view overview" data-testid="overview">
      <section aria-labelledby="chain-title">
        <h2 id="chain-title">
          Chain{" "}
          <span className="muted small">
            {chain === undefined ? "" : `${chain.chainId}${chain.devnet ? " · devnet" : ""}`}
          </span>
        </h2>
        <div className="stats">
          <Stat
            label="Height"
            testId="stat-height"
            value={head === undefined ? "–" : <a href={href.block(head.number)}>{formatSlot(head.number)}</a>}
            hint={
              snapshot.settlement?.kind === "evm"
                ? "the indexer's blocks, one per slot, from the contract's logs"
                : "blocks so far; one block per slot"
            }
          />
          <Stat
            label="Slot"
            testId="stat-slot"
            value={head === undefined ? "–" : <span data-slot={head.slot}>{formatSlot(head.slot)}</span>}
            hint={head === undefined ? undefined : <SlotTime slot={head.slot} prefix="at " />}
          />
          <Stat
            label="Slot time"
            testId="stat-slot-time"
            value={measured === undefined ? "–" : formatDuration(measured)}
            hint={
              chain === undefined
                ? undefined
                : `configured ${formatDuration(chain.slotMs)}${chain.manualSlots ? "; slots advance by hand" : ""}`
            }
          />
          {snapshot.settlement?.kind === "evm" ? (
            <Stat
              label="Settled on"
              testId="stat-settlement"
              value={`EVM chain ${snapshot.settlement.evmChainId}`}
              hint={
                <>
                  Gradual contract{" "}
                  <code title={snapshot.settlement.contract} data-contract={snapshot.settlement.contract}>
                    {shortAddress(snapshot.settlement.contract)}
                  </code>
                  , read through <code>gradual indexer</code>
                </>
              }
            />
          ) : null}
          <Stat
            label="Tasks"
            value={chain?.taskCount ?? "–"}
            hint={`${recent[0]?.header.txCount ?? 0} transactions in the last block`}
          />
        </div>
      </section>

      <section aria-labelledby="money-title">
        <h2 id="money-title">
          Where the money is <span className="muted small">(hover an amount for base units)</span>
        </h2>
        <div className="stats money">
          <Stat
            label="Staked"
            testId="money-staked"
            value={<Amount value={money.staked} digits={2} />}
            hint="locked by nodes as a guarantee; slashable"
          />
          <Stat
            label="Escrowed"
            testId="money-escrowed"
            value={<Amount value={money.escrowed} digits={2} />}
            hint="bounty waiting to pay future cycles"
          />
          <Stat
            label="Paid"
            testId="money-paid"
            tone="good"
            value={<Amount value={money.paid} digits={2} />}
            hint="rewards paid to nodes, into vesting"
          />
          <Stat
            label="Vesting"
            testId="money-vesting"
            value={
              money.vesting === undefined ? (
                <span className="muted">–</span>
              ) : (
                <Amount value={money.vesting} digits={2} />
              )
            }
            hint={
              money.vesting === undefined
                ? `not summed past ${MAX_NODES_FOR_VESTING} nodes (each node page shows its own)`
                : "paid, unlocking slowly, not yet claimed"
            }
          />
          <Stat
            label="Slashed"
            testId="money-slashed"
            tone="bad"
            value={<Amount value={money.slashed} digits={2} />}
            hint="taken from cheaters: part to the whistleblower, the rest back to escrow"
          />
        </div>
      </section>

      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">Tasks</h2>
        <Loaded resource={tasks} what="the tasks">
          {(data) =>
            data.views.length === 0 ? (
              <Message kind="empty" title="No tasks on this chain yet">
                {snapshot.settlement?.kind === "evm" ? (
                  <p>
                    A task appears here as soon as someone creates one on the contract (a <code>createTask</code> call;{" "}
                    <code>gradual devnet --settlement evm</code> publishes an example task). Nothing else to do: this
                    page updates by itself.
                  </p>
                ) : (
                  <p>
                    A task appears here as soon as someone posts one (<code>gradual task create</code>, or{" "}
                    <code>npm start</code> for a devnet with an example task). Nothing else to do: this page updates by
                    itself.
                  </p>
                )}
              </Message>
            ) : (
              <>
                <VirtualTable
                  rows={data.views}
                  columns={TASK_COLUMNS}
                  rowKey={(view) => view.task.id}
                  caption="Tasks"
                  onActivate={(view) => {
                    window.location.hash = href.task(view.task.id);
                  }}
                  maxHeight={360}
                  testId="task-table"
                />
                {data.total > data.views.length ? (
                  <p className="muted small">{`Showing the first ${data.views.length} of ${data.total} tasks; search the explorer for the others.`}</p>
                ) : null}
              </>
            )
          }
        </Loaded>
      </section>

      <section aria-labelledby="blocks-title">
        <h2 id="blocks-title">
          Recent blocks{" "}
          <span className="muted small">bar height = transactions; red = rejected; ✂ slash, ! audit, $ paid</span>
        </h2>
        <BlockStrip />
      </section>

      <section aria-labelledby="activity-title">
        <h2 id="activity-title">Audits, slashes and payments</h2>
        {notable.length === 0 ? (
          <p className="muted">Nothing notable in the recent blocks: no audits, slashes or payments yet.</p>
        ) : (
          <ul className="events" data-testid="activity">
            {notable.map((item) => (
              <EventLine key={item.seq} item={item} showTask />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
