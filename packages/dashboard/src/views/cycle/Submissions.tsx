import type { Assignment, Commit, CycleView, Reveal } from "@gradual/wire";
import { useMemo } from "react";
import { allPages } from "../../api/client.ts";
import { useResource } from "../../api/hooks.ts";
import { HashLink } from "../../components/HashLink.tsx";
import { Loaded, Message } from "../../components/Message.tsx";
import { SlotTime } from "../../components/SlotTime.tsx";
import { type Column, VirtualTable } from "../../components/VirtualTable.tsx";
import { href } from "../../router.ts";

/** The cycle page's submissions: each node's commit and reveal, whom it audits and who audits it. */

const MAX_ROWS = 10_000;

type SubmissionRow = {
  readonly node: string;
  readonly commit: Commit | undefined;
  readonly reveal: Reveal | undefined;
  readonly checks: readonly string[];
  readonly checkedBy: readonly string[];
};

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

export function Submissions({
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
