import type {
  Assignment,
  Commit,
  CycleView,
  DistributionView,
  Reveal,
  TaskView,
  TriggerRecordWire as TriggerRecord,
  VoteList,
} from "@gradual/wire";
import { useMemo } from "react";
import { allPages, isNotFound } from "../api/client.ts";
import { useResource } from "../api/hooks.ts";
import { Amount } from "../components/Amount.tsx";
import { HashLink } from "../components/HashLink.tsx";
import { ErrorMessage, Loaded, Message } from "../components/Message.tsx";
import { SlotRange, SlotTime } from "../components/SlotTime.tsx";
import { Stat } from "../components/Stat.tsx";
import { type Column, VirtualTable } from "../components/VirtualTable.tsx";
import { formatShare } from "../model/formatTokens.ts";
import { href } from "../router.ts";

const MAX_ROWS = 10_000;

const WINDOW_LABELS: readonly {
  readonly name: keyof CycleView["windows"];
  readonly label: string;
  readonly what: string;
}[] = [
  { name: "commit", label: "Commit", what: "nodes post a hash of their proof (end of the work round)" },
  { name: "reveal", label: "Reveal", what: "nodes reveal digest and salt; the audit seed is fixed at the end" },
  { name: "proofTriggers", label: "Audit", what: "auditors trigger against bad proofs (bond locked)" },
  { name: "proofVotes", label: "Proof votes", what: "nodes vote on each trigger; triggers resolve at the end" },
  { name: "distribution", label: "List", what: "the drawn distributor posts the payment list" },
  { name: "distributionTriggers", label: "List audit", what: "nodes recompute the list and trigger if it differs" },
  {
    name: "distributionVotes",
    label: "List votes",
    what: "votes on a list trigger; then the list is paid into vesting",
  },
];

type SubmissionRow = {
  readonly node: string;
  readonly commit: Commit | undefined;
  readonly reveal: Reveal | undefined;
  readonly checks: readonly string[];
  readonly checkedBy: readonly string[];
};

function windowState(window: { opensAt: number; closesAt: number }, nextSlot: number): string {
  if (nextSlot < window.opensAt) return "upcoming";
  if (nextSlot >= window.closesAt) return "closed";
  return "open";
}

function submissionColumns(task: string, slashedTargets: ReadonlySet<string>): readonly Column<SubmissionRow>[] {
  return [
    {
      key: "node",
      header: "Node",
      render: (row) => (
        <>
          <HashLink value={row.node} to={href.node(task, row.node)} />
          {slashedTargets.has(row.node) ? <span className="badge tone-bad">slashed</span> : null}
        </>
      ),
    },
    {
      key: "commit",
      header: "Commit",
      render: (row) =>
        row.commit === undefined ? <span className="muted">none</span> : <SlotTime slot={row.commit.slot} />,
      wide: true,
    },
    {
      key: "reveal",
      header: "Reveal",
      render: (row) =>
        row.reveal === undefined ? (
          <span className="muted">{row.commit === undefined ? "–" : "not revealed"}</span>
        ) : (
          <span title={`reveal #${row.reveal.index}, proof ${row.reveal.proofDigest}`}>
            #{row.reveal.index} <HashLink value={row.reveal.proofDigest} />
          </span>
        ),
    },
    {
      key: "status",
      header: "Proof",
      width: "7rem",
      render: (row) =>
        row.reveal === undefined ? (
          <span className="muted">–</span>
        ) : (
          <span className={`badge status-${row.reveal.status}`}>{row.reveal.status}</span>
        ),
    },
    {
      key: "checks",
      header: "Checks",
      wide: true,
      render: (row) => (
        <span className="small">
          {row.checks.length === 0 ? (
            <span className="muted">–</span>
          ) : (
            row.checks.map((target) => <HashLink key={target} value={target} to={href.node(task, target)} />)
          )}
        </span>
      ),
    },
    {
      key: "checkedBy",
      header: "Checked by",
      wide: true,
      render: (row) => (
        <span className="small">
          {row.checkedBy.length === 0 ? (
            <span className="muted">–</span>
          ) : (
            row.checkedBy.map((auditor) => <HashLink key={auditor} value={auditor} to={href.node(task, auditor)} />)
          )}
        </span>
      ),
    },
  ];
}

function Submissions({
  task,
  cycle,
  view,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
}) {
  const rows = useResource(
    `cycle/${task}/${cycle}/submissions`,
    async (client, signal) => {
      const [commits, reveals, assignments] = await Promise.all([
        allPages<Commit>((offset, limit) => client.commits(task, cycle, offset, limit, signal), MAX_ROWS),
        allPages<Reveal>((offset, limit) => client.reveals(task, cycle, offset, limit, signal), MAX_ROWS),
        allPages<Assignment>((offset, limit) => client.assignments(task, cycle, offset, limit, signal), MAX_ROWS),
      ]);
      const byNode = new Map<string, { commit?: Commit; reveal?: Reveal; assignment?: Assignment }>();
      for (const commit of commits.items) byNode.set(commit.node, { ...byNode.get(commit.node), commit });
      for (const reveal of reveals.items) byNode.set(reveal.node, { ...byNode.get(reveal.node), reveal });
      for (const assignment of assignments.items)
        byNode.set(assignment.auditor, { ...byNode.get(assignment.auditor), assignment });
      const out: SubmissionRow[] = [...byNode.entries()].map(([node, entry]) => ({
        node,
        commit: entry.commit,
        reveal: entry.reveal,
        checks: entry.assignment?.targets ?? [],
        checkedBy: entry.assignment?.auditedBy ?? [],
      }));
      out.sort(
        (a, b) =>
          (a.reveal?.index ?? Number.MAX_SAFE_INTEGER) - (b.reveal?.index ?? Number.MAX_SAFE_INTEGER) ||
          a.node.localeCompare(b.node),
      );
      return { rows: out, assigned: assignments.items.length > 0 };
    },
    { minIntervalMs: view.record.commitCount > 1_000 ? 10_000 : 1_000 },
  );
  const slashed = useMemo(
    () => new Set(view.triggers.filter((trigger) => trigger.resolution === "upheld").map((trigger) => trigger.target)),
    [view.triggers],
  );
  const columns = useMemo(() => submissionColumns(task, slashed), [task, slashed]);
  return (
    <section aria-labelledby="submissions-title">
      <h3 id="submissions-title">
        Commits, reveals and who checks whom{" "}
        <span className="muted small">
          {`${view.record.commitCount} committed · ${view.record.revealCount} revealed`}
          {view.record.seed === null ? " · assignment drawn when the reveal window closes" : ""}
        </span>
      </h3>
      <Loaded resource={rows} what="the submissions">
        {(data) => (
          <VirtualTable
            rows={data.rows}
            columns={columns}
            rowKey={(row) => row.node}
            caption={`Submissions of cycle ${cycle}`}
            testId="submissions-table"
            onActivate={(row) => {
              window.location.hash = href.node(task, row.node);
            }}
            empty={
              <Message kind="empty" title="No commits yet">
                <p>Nodes commit in the last slots of the cycle's work round; this table fills in as they do.</p>
              </Message>
            }
          />
        )}
      </Loaded>
    </section>
  );
}

function TallyBar({ trigger, quorumBps }: { readonly trigger: TriggerRecord; readonly quorumBps: number }) {
  const valid = BigInt(trigger.validWeight);
  const invalid = BigInt(trigger.invalidWeight);
  const unavailable = BigInt(trigger.unavailableWeight);
  const voted = valid + invalid + unavailable;
  const pct = (part: bigint) => (voted === 0n ? 0 : Number((part * 10_000n) / voted) / 100);
  return (
    <div
      className="tally"
      role="img"
      aria-label={`invalid ${pct(invalid)}%, valid ${pct(valid)}%, unavailable ${pct(unavailable)}% of the voted weight; upheld needs more than ${quorumBps / 100}% invalid`}
    >
      <div className="tally-bar">
        <span className="tally-invalid" style={{ width: `${pct(invalid)}%` }} />
        <span className="tally-valid" style={{ width: `${pct(valid)}%` }} />
        <span className="tally-unavailable" style={{ width: `${pct(unavailable)}%` }} />
        <span
          className="tally-quorum"
          style={{ left: `${quorumBps / 100}%` }}
          title={`quorum: more than ${quorumBps / 100}% invalid`}
        />
      </div>
      <div className="tally-legend small">
        <span className="tone-bad">invalid {pct(invalid)}%</span> ·{" "}
        <span className="tone-good">valid {pct(valid)}%</span> ·{" "}
        <span className="muted">unavailable {pct(unavailable)}%</span> · quorum &gt;{quorumBps / 100}%
      </div>
    </div>
  );
}

function TriggerCard({
  task,
  trigger,
  votes,
  taskView,
}: {
  readonly task: string;
  readonly trigger: TriggerRecord;
  readonly votes: VoteList | undefined;
  readonly taskView: TaskView | undefined;
}) {
  const params = taskView?.task.params;
  const quorumBps = Number(params?.slashQuorumBps ?? 6667);
  const participationBps = Number(params?.minParticipationBps ?? 0);
  const voted = BigInt(trigger.validWeight) + BigInt(trigger.invalidWeight) + BigInt(trigger.unavailableWeight);
  const resolution = trigger.resolution;
  const tone =
    resolution === "upheld"
      ? "bad"
      : resolution === "rejected"
        ? "good"
        : resolution === "unavailable"
          ? "warn"
          : "neutral";
  return (
    <article
      className={`trigger tone-border-${tone}`}
      data-testid="trigger"
      data-resolution={resolution ?? "open"}
      data-target={trigger.target}
    >
      <header>
        <strong>
          Trigger #{trigger.index}: {trigger.kind === "proof" ? "proof of " : `list (attempt ${trigger.attempt}) of `}
          <HashLink value={trigger.target} to={href.node(task, trigger.target)} />
        </strong>
        <span className={`badge tone-${tone}`}>{resolution ?? "voting"}</span>
      </header>
      <p className="small">
        raised by <HashLink value={trigger.triggerer} to={href.node(task, trigger.triggerer)} /> at{" "}
        <SlotTime slot={trigger.slot} />, bond <Amount value={trigger.bond} digits={3} /> · votes until{" "}
        <SlotTime slot={trigger.closesAt - 1} /> · {trigger.voteCount} vote
        {trigger.voteCount === 1 ? "" : "s"}
        {taskView === undefined ? null : (
          <>
            {" "}
            · participation {formatShare(voted, taskView.activeWeight)} of the active weight (needs{" "}
            {participationBps / 100}%)
          </>
        )}
      </p>
      <TallyBar trigger={trigger} quorumBps={quorumBps} />
      {resolution === "upheld" && BigInt(trigger.slashed) > 0n ? (
        <p className="tone-bad">
          Upheld: the target was slashed <Amount value={trigger.slashed} digits={3} /> and is not paid for the cycle;
          the triggerer got its bond back and a whistleblower share, the rest was burned.
        </p>
      ) : resolution === "upheld" ? (
        <p className="tone-bad">
          Upheld: the target is not paid for the cycle. It kept its stake: slashing needs{" "}
          {Number(params?.slashSupermajorityBps ?? 8000) / 100}% of the weight that took part.
        </p>
      ) : resolution === "disputed" ? (
        <p className="tone-warn">Disputed: not paid for the cycle, nobody slashed, the bond went back.</p>
      ) : resolution === "rejected" ? (
        <p className="tone-good">Rejected: the proof stands, and the bond went to the target.</p>
      ) : resolution === "unavailable" ? (
        <p className="tone-warn">
          Unavailable: the target did not publish its proof when challenged; it is not paid, nobody is slashed.
        </p>
      ) : resolution === "answered" ? (
        <p className="tone-good">Answered: the target published its proof on the ledger; the bond went back.</p>
      ) : null}
      {votes === undefined || votes.items.length === 0 ? null : (
        <table className="compact">
          <caption className="sr-only">Votes on trigger {trigger.index}</caption>
          <thead>
            <tr>
              <th scope="col">Voter</th>
              <th scope="col">Vote</th>
              <th scope="col" className="align-right">
                Weight
              </th>
              <th scope="col" className="wide">
                Slot
              </th>
            </tr>
          </thead>
          <tbody>
            {votes.items.map((vote) => (
              <tr key={vote.voter}>
                <td>
                  <HashLink value={vote.voter} to={href.node(task, vote.voter)} />
                </td>
                <td className={`vote-${vote.choice}`}>{vote.choice}</td>
                <td className="align-right">
                  <Amount value={vote.weight} digits={2} />
                </td>
                <td className="wide">
                  <SlotTime slot={vote.slot} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function Audits({
  task,
  cycle,
  view,
  taskView,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
  readonly taskView: TaskView | undefined;
}) {
  const triggerKey = view.triggers
    .map((trigger) => `${trigger.index}:${trigger.voteCount}:${trigger.resolution}`)
    .join(",");
  const votes = useResource(
    view.triggers.length === 0 ? null : `cycle/${task}/${cycle}/votes/${triggerKey}`,
    (client, signal) =>
      Promise.all(view.triggers.map((trigger) => client.votes(task, cycle, trigger.index, 0, 1000, signal))),
    { refresh: "once" },
  );
  return (
    <section aria-labelledby="audits-title">
      <h3 id="audits-title">
        Audits <span className="muted small">triggers, their votes (weighted by trust) and how they resolved</span>
      </h3>
      {view.triggers.length === 0 ? (
        <p className="muted" data-testid="no-triggers">
          No audit was raised in this cycle{view.phase === "work" || view.phase === "review" ? " (yet)" : ""}: every
          checked proof passed.
        </p>
      ) : (
        <div className="triggers">
          {view.triggers.map((trigger, index) => (
            <TriggerCard
              key={trigger.index}
              task={task}
              trigger={trigger}
              votes={votes.data?.[index]}
              taskView={taskView}
            />
          ))}
        </div>
      )}
    </section>
  );
}

function Distributions({
  task,
  cycle,
  view,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
}) {
  const statusKey = view.distributions
    .map((distribution) => `${distribution.attempt}:${distribution.status}:${distribution.chunksReceived}`)
    .join(",");
  const lists = useResource(
    view.distributions.length === 0 ? null : `cycle/${task}/${cycle}/lists/${statusKey}`,
    (client, signal) =>
      Promise.all(
        view.distributions.map((distribution) =>
          client.distribution(task, cycle, distribution.attempt, 0, 1000, signal).catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          }),
        ),
      ),
    { refresh: "once" },
  );
  const pending = view.record.outcome === null && view.distributions.length === 0;
  // Attempts that left no list record: their distributor posted nothing in time (a missed duty, no slash, §6.5).
  const failed = view.record.failedDistributors ?? [];
  const silent = Array.from(
    { length: view.record.attempt + (view.record.outcome === "distribution-failed" ? 1 : 0) },
    (_, attempt) => attempt,
  )
    .filter((attempt) => !view.distributions.some((distribution) => distribution.attempt === attempt))
    .map((attempt) => ({ attempt, distributor: failed[attempt] }));
  return (
    <section aria-labelledby="lists-title">
      <h3 id="lists-title">
        Distribution{" "}
        <span className="muted small">who was drawn to post the payment list, the list, and what happened to it</span>
      </h3>
      {silent.map((item) => (
        <article
          key={`silent-${item.attempt}`}
          className="distribution tone-border-warn"
          data-testid="distribution"
          data-status="missing"
        >
          <header>
            <strong>
              Attempt {item.attempt}:{" "}
              {item.distributor === undefined ? (
                "the drawn node"
              ) : (
                <HashLink value={item.distributor} to={href.node(task, item.distributor)} />
              )}{" "}
              posted no list in time
            </strong>
            <span className="badge status-missing">missing</span>
          </header>
          <p className="small">
            A missed duty, not fraud: nobody is slashed, and a new distributor is drawn the next round.
          </p>
        </article>
      ))}
      {view.record.outcome === null &&
      view.record.distributor !== null &&
      view.distributions.every((distribution) => distribution.attempt !== view.record.attempt) &&
      !silent.some((item) => item.attempt === view.record.attempt) ? (
        <p>
          Attempt {view.record.attempt}:{" "}
          <HashLink value={view.record.distributor} to={href.node(task, view.record.distributor)} /> was drawn (round{" "}
          {view.record.attemptRound}) and has not posted its list yet.
        </p>
      ) : null}
      {pending && view.record.distributor === null ? (
        <p className="muted">
          The distributor is drawn at the start of round {view.record.attemptRound}, from the cycle's valid submitters.
        </p>
      ) : null}
      {view.distributions.map((distribution, index) => {
        const list: DistributionView | undefined = lists.data?.[index];
        return (
          <article
            key={distribution.attempt}
            className="distribution"
            data-testid="distribution"
            data-status={distribution.status}
          >
            <header>
              <strong>
                Attempt {distribution.attempt}: list by{" "}
                <HashLink value={distribution.distributor} to={href.node(task, distribution.distributor)} />
              </strong>
              <span className={`badge status-${distribution.status}`}>{distribution.status}</span>
            </header>
            <p className="small">
              {distribution.entryCount} entries, total <Amount value={distribution.total} digits={3} /> · chunks{" "}
              {distribution.chunksReceived}/{distribution.chunkCount} ·{" "}
              {distribution.triggered ? "challenged" : "not challenged"} · digest{" "}
              <HashLink value={distribution.listDigest} />
            </p>
            {list === undefined || list.items.length === 0 ? null : (
              <VirtualTable
                rows={list.items}
                columns={[
                  {
                    key: "recipient",
                    header: "Recipient",
                    render: (entry) => <HashLink value={entry.recipient} to={href.node(task, entry.recipient)} />,
                  },
                  {
                    key: "amount",
                    header: "Amount",
                    align: "right",
                    render: (entry) => <Amount value={entry.amount} digits={3} />,
                  },
                ]}
                rowKey={(entry) => entry.recipient}
                caption={`List of attempt ${distribution.attempt}`}
                maxHeight={260}
              />
            )}
          </article>
        );
      })}
      {view.record.outcome === null ? null : (
        <p data-testid="cycle-outcome">
          Outcome: <strong>{view.record.outcome}</strong> — paid <Amount value={view.record.paid} digits={3} /> into
          vesting; the rest of the bounty went back to the escrow.
        </p>
      )}
    </section>
  );
}

export function Cycle({ task, cycle }: { readonly task: string; readonly cycle: number }) {
  const view = useResource(`cycle/${task}/${cycle}`, (client, signal) => client.cycle(task, cycle, signal));
  const taskView = useResource(`task/${task}/for-cycle`, (client, signal) => client.task(task, signal), {
    minIntervalMs: 2_000,
  });
  if (view.data === undefined) {
    if (view.error !== undefined) return <ErrorMessage error={view.error} what={`cycle ${cycle}`} />;
    return <Message kind="loading" title={`Loading cycle ${cycle}…`} />;
  }
  const data = view.data;
  const name = taskView.data?.task.name ?? "task";
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
      {data.pruned ? (
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
          hint="bounty held for this cycle"
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
            {WINDOW_LABELS.map((window) => {
              const range = data.windows[window.name];
              const state = windowState(range, data.nextSlot);
              const retry = data.record.attempt > 0 && window.name.startsWith("distribution");
              return (
                <tr key={window.name} className={`window-row state-${state}`}>
                  <th scope="row">
                    {window.label}
                    {retry ? <span className="muted small">{` (attempt ${data.record.attempt})`}</span> : null}
                  </th>
                  <td>
                    <SlotRange opensAt={range.opensAt} closesAt={range.closesAt} />
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
      <Distributions task={task} cycle={cycle} view={data} />
      <Submissions task={task} cycle={cycle} view={data} />
    </div>
  );
}
