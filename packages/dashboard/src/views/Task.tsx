import { formatTokenAmount } from "@gradual/protocol";
import { type CycleView, NOTABLE_EVENT_TYPES, type NodeView, type TaskView } from "@gradual/wire";
import { useMemo } from "react";
import { allPages, isNotFound } from "../api/client.ts";
import { useLive, useLiveSnapshot, useResource, useSettlement } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { Chart } from "../components/Chart.tsx";
import { EventLine } from "../components/EventLine.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Loaded, Message } from "../components/Message.tsx";
import { SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { Pipeline, RoundNow } from "../components/Timeline.tsx";
import { useNarrow } from "../components/useNow.ts";
import { type Column, VirtualTable } from "../components/VirtualTable.tsx";
import { SCREEN_AMOUNT, toBaseUnits } from "../model/amounts.ts";
import { escrowedOfTask, stakeOfTask } from "../model/money.ts";
import { nodeStanding, weightShare } from "../model/nodeStatus.ts";
import { cycleSeries } from "../model/series.ts";
import { shortAddress } from "../model/settlement.ts";
import { formatDuration } from "../model/slotTime.ts";
import { timingOf } from "../model/taskParams.ts";
import { windowLayout } from "../model/windowLayout.ts";
import { href } from "../router.ts";

/** Cycles shown in the per-round charts. */
const SERIES_CYCLES = 24;
/** Largest node table loaded (the API pages 1,000 at a time). */
const MAX_NODES = 10_000;

function nodeColumns(task: string, round: number, minimumStake: bigint): readonly Column<NodeView>[] {
  return [
    { key: "index", header: "#", align: "right", width: "3.5rem", render: (node) => node.index, wide: true },
    {
      key: "node",
      header: "Node",
      render: (node) => <HashLink value={node.account} to={href.node(task, node.account)} />,
    },
    { key: "stake", header: "Stake", align: "right", render: (node) => <Amount value={node.stake} digits={2} /> },
    {
      key: "weight",
      header: "Weight",
      align: "right",
      width: "6.5rem",
      render: (node) => weightShare(node),
      wide: true,
    },
    {
      key: "standing",
      header: "Standing",
      render: (node) => {
        const standing = nodeStanding(node, round, minimumStake);
        return <span className={`small tone-${standing.tone}`}>{standing.label}</span>;
      },
      wide: true,
    },
    {
      key: "slashed",
      header: "Slashed",
      align: "right",
      render: (node) =>
        node.slashCount === 0 ? (
          <span className="muted">–</span>
        ) : (
          <Amount className="tone-bad" value={node.slashedTotal} digits={2} />
        ),
    },
    {
      key: "claimable",
      header: "Claimable",
      align: "right",
      render: (node) => <Amount value={node.claimable} digits={3} />,
      wide: true,
    },
    {
      key: "locked",
      header: "Vesting",
      align: "right",
      render: (node) => <Amount value={node.locked} digits={3} />,
      wide: true,
    },
  ];
}

function TaskHeader({ view, round }: { readonly view: TaskView; readonly round: number }) {
  const { task } = view;
  const params = task.params;
  const snapshot = useLiveSnapshot();
  const roundMs = snapshot.clock === undefined ? undefined : Number(params.roundSlots) * snapshot.clock.slotMs;
  return (
    <>
      <h2>
        {task.name} <span className={`status status-${task.status}`}>{task.status}</span>
      </h2>
      <p className="muted small">
        task <HashLink value={task.id} /> · created by <HashLink value={task.creator} to={href.account(task.creator)} />{" "}
        at <SlotTime slot={task.createdSlot} /> · rounds of {params.roundSlots} slots
        {roundMs === undefined ? "" : ` (${formatDuration(roundMs)})`} · bounty{" "}
        {formatTokenAmount(toBaseUnits(String(params.bountyPerRound)), SCREEN_AMOUNT)} per round ·{" "}
        <span data-testid="task-rule">
          {params.distributionRule === "custom"
            ? "custom rule: nodes race to post a payment list"
            : `${String(params.distributionRule)} rule: each cycle pays itself, no list`}
        </span>
      </p>
      <div className="stats">
        <Stat
          label="Round"
          testId="task-round"
          value={round < 0 ? "not started" : round}
          hint={<SlotTime slot={Math.max(view.slot, snapshot.head?.slot ?? 0)} />}
        />
        <Stat
          label="Nodes"
          value={task.nodeCount.toLocaleString("en-US")}
          hint={
            <>
              active weight <Amount value={view.activeWeight} digits={0} />
            </>
          }
        />
        <Stat
          label="Staked"
          value={<Amount value={stakeOfTask(view)} digits={2} />}
          hint={`minimum ${formatTokenAmount(toBaseUnits(String(params.minimumStake)), SCREEN_AMOUNT)}`}
        />
        <Stat
          label="Escrowed"
          value={<Amount value={escrowedOfTask(view)} digits={2} />}
          hint="incl. bounties reserved by open cycles"
        />
        <Stat
          label="Paid"
          tone="good"
          value={<Amount value={task.totalPaid} digits={2} />}
          hint={`vests over ${params.vestingRounds} rounds`}
        />
        <Stat
          label="Slashed"
          tone="bad"
          value={<Amount value={task.totalSlashed} digits={2} />}
          hint={`${Number(params.slashFractionBps) / 100}% of a cheater's stake`}
        />
      </div>
    </>
  );
}

function TaskStatusNote({ view }: { readonly view: TaskView }) {
  const { task } = view;
  const bounty = String(task.params.bountyPerRound);
  const settlement = useSettlement();
  if (task.status === "paused") {
    return (
      <Message kind="info" title="This task is paused: no new cycle starts">
        <p>
          Its escrow (<Amount value={task.escrow} digits={3} />) cannot cover one round's bounty (
          <Amount value={bounty} digits={3} />
          ). Cycles already running finish normally. Anyone can fund it (
          {settlement?.kind === "evm" ? (
            <>
              a <code>fundTask(0x{task.id.slice(0, 8)}…, amount)</code> call of the contract{" "}
              <code title={settlement.contract}>{shortAddress(settlement.contract)}</code>, from a balance deposited in
              it
            </>
          ) : (
            <code>gradual task fund {task.id.slice(0, 8)}… --amount N</code>
          )}
          ); it resumes at the next round start.
        </p>
      </Message>
    );
  }
  if (task.status === "closing" || task.status === "closed") {
    return (
      <Message kind="info" title={task.status === "closing" ? "This task is closing" : "This task is closed"}>
        <p>
          {task.status === "closing"
            ? "No new cycles start; the open ones finish, then the escrow returns to the creator."
            : "Every cycle finished and the escrow went back to the creator. Nodes can still unstake, withdraw and claim."}
        </p>
      </Message>
    );
  }
  if (view.round < 0) {
    return (
      <Message kind="info" title="Starting soon">
        <p>Round 0 starts at slot {task.startSlot}; nodes can stake already.</p>
      </Message>
    );
  }
  return null;
}

function TaskCharts({ view }: { readonly view: TaskView }) {
  const live = useLive();
  const taskId = view.task.id;
  const lastCycle = Math.max(0, view.round);
  const firstCycle = Math.max(0, lastCycle - SERIES_CYCLES + 1);
  const series = useResource(
    view.round < 0 ? null : `task/${taskId}/series`,
    async (client, signal) => {
      const cycles = Array.from({ length: lastCycle - firstCycle + 1 }, (_, index) => firstCycle + index);
      const views = await Promise.all(
        cycles.map(async (cycle): Promise<CycleView | null> => {
          const key = `${taskId}/${cycle}`;
          const cached = live.completedCycles.get(key);
          if (cached !== undefined) return cached;
          try {
            const fetched = await client.cycle(taskId, cycle, signal);
            if (fetched.record.outcome !== null) live.completedCycles.set(key, fetched);
            return fetched;
          } catch (error) {
            if (!isNotFound(error)) throw error;
            return null;
          }
        }),
      );
      // A pruned cycle's triggers are gone from the state: its slashes come from the events the page has seen.
      const { historyFromSlot } = live.getSnapshot();
      const slashed = new Map<number, number>();
      for (const item of live.events((each) => each.event.type === "Slashed")) {
        const event = item.event as { readonly task?: string; readonly cycle?: number };
        if (event.task === taskId && event.cycle !== undefined)
          slashed.set(event.cycle, (slashed.get(event.cycle) ?? 0) + 1);
      }
      const startSlot = view.task.startSlot;
      const roundSlots = Number(view.task.params.roundSlots);
      return cycleSeries(views, firstCycle, (cycle) =>
        historyFromSlot !== undefined && historyFromSlot <= startSlot + cycle * roundSlots
          ? (slashed.get(cycle) ?? 0)
          : null,
      );
    },
    { minIntervalMs: 2_000 },
  );
  return (
    <section aria-labelledby="series-title">
      <h3 id="series-title">
        Round by round <span className="muted small">— each point is one cycle, at the round it worked in</span>
      </h3>
      <Loaded resource={series} what="the cycle history">
        {(data) => (
          <div className="charts" data-testid="task-charts">
            <Chart
              title="Submissions and valid share"
              xLabel="cycle"
              integers
              rightRange={[0, 100]}
              x={data.cycles}
              series={[
                { label: "submissions", values: data.submissions, color: "#3b6fd8", kind: "bars" },
                {
                  label: "valid share",
                  values: data.validShare,
                  color: "#2f9e5b",
                  scale: "right",
                  format: (value) => `${value}%`,
                },
              ]}
            />
            <Chart
              title="Audits raised and upheld (slashes)"
              xLabel="cycle"
              integers
              x={data.cycles}
              series={[
                { label: "triggers", values: data.triggers, color: "#c98a0c", kind: "bars" },
                { label: "slashes", values: data.slashes, color: "#d1432b", kind: "bars" },
              ]}
            />
            <Chart
              title="Paid per cycle (tokens)"
              xLabel="cycle"
              x={data.cycles}
              series={[
                {
                  label: "paid",
                  values: data.paid,
                  color: "#2f9e5b",
                  kind: "bars",
                  format: (value) => value.toLocaleString("en-US", { maximumFractionDigits: 2 }),
                },
              ]}
            />
          </div>
        )}
      </Loaded>
    </section>
  );
}

function NodesTable({ view }: { readonly view: TaskView }) {
  const taskId = view.task.id;
  const nodes = useResource(
    `task/${taskId}/nodes`,
    (client, signal) => allPages((offset, limit) => client.nodes(taskId, offset, limit, signal), MAX_NODES),
    // A big task's table is many pages: refresh it less often so the ledger is not kept busy by one viewer.
    { minIntervalMs: view.task.nodeCount > 1_000 ? 15_000 : 3_000 },
  );
  const minimumStake = BigInt(String(view.task.params.minimumStake ?? "0"));
  const columns = useMemo(() => nodeColumns(taskId, view.round, minimumStake), [taskId, view.round, minimumStake]);
  return (
    <section aria-labelledby="nodes-title">
      <h3 id="nodes-title">
        Nodes <span className="muted small">{view.task.nodeCount.toLocaleString("en-US")} staked</span>
      </h3>
      <Loaded resource={nodes} what="the nodes">
        {(data) => (
          <>
            <VirtualTable
              rows={data.items}
              columns={columns}
              rowKey={(node) => node.account}
              caption="Nodes of the task"
              onActivate={(node) => {
                window.location.hash = href.node(taskId, node.account);
              }}
              testId="node-table"
              empty={
                <Message kind="empty" title="No nodes yet">
                  <p>Nodes appear when they stake in this task (gradual node start, or the devnet's example nodes).</p>
                </Message>
              }
            />
            {data.truncated ? (
              <p className="muted small">{`Showing the first ${data.items.length.toLocaleString("en-US")} of ${data.total.toLocaleString("en-US")} nodes.`}</p>
            ) : null}
          </>
        )}
      </Loaded>
    </section>
  );
}

export function Task({ task }: { readonly task: string }) {
  const live = useLive();
  const snapshot = useLiveSnapshot();
  const narrow = useNarrow();
  const view = useResource(`task/${task}`, (client, signal) => client.task(task, signal));
  const layout = useMemo(() => {
    if (view.data === undefined) return undefined;
    const slot = Math.max(view.data.slot, snapshot.head?.slot ?? 0);
    const { task: record } = view.data;
    return windowLayout(timingOf(record), slot, {
      ...(record.status === "active" ? {} : { lastStartedCycle: Math.max(-1, ...record.openCycles) }),
      openCycles: record.openCycles,
      roundsBefore: narrow ? 1 : 2,
      roundsAfter: narrow ? 0 : 1,
      knownCycles: view.data.cycles.map((cycle) => ({
        cycle: cycle.cycle,
        attempt: cycle.record.attempt,
        attemptRound: cycle.record.attemptRound,
        outcome: cycle.record.outcome,
      })),
    });
  }, [view.data, snapshot.head?.slot, narrow]);
  if (view.data === undefined) {
    if (view.error !== undefined) return <ErrorMessage error={view.error} what="this task" />;
    return <Message kind="loading" title="Loading the task…" />;
  }
  const notable = live
    .events((item) => "task" in item.event && item.event.task === task && NOTABLE_EVENT_TYPES.has(item.event.type))
    .slice(-10)
    .reverse();
  return (
    <div className="view task" data-testid="task-view">
      <nav className="crumbs" aria-label="breadcrumb">
        <a href={href.overview()}>Overview</a> › <span>{view.data.task.name}</span>
      </nav>
      <TaskHeader view={view.data} round={layout?.currentRound ?? view.data.round} />
      <TaskStatusNote view={view.data} />
      {layout === undefined ? null : (
        <>
          <RoundNow layout={layout} task={task} />
          <Pipeline layout={layout} task={task} />
        </>
      )}
      <TaskCharts view={view.data} />
      <section aria-labelledby="task-activity-title">
        <h3 id="task-activity-title">Audits, slashes and payments</h3>
        {notable.length === 0 ? (
          <p className="muted">No audits, slashes or payments in the recent blocks.</p>
        ) : (
          <ul className="events">
            {notable.map((item) => (
              <EventLine key={item.seq} item={item} />
            ))}
          </ul>
        )}
      </section>
      <NodesTable view={view.data} />
    </div>
  );
}
