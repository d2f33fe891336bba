import type { CycleView, DistributionView } from "@gradual/wire";
import { isNotFound } from "../../api/client.ts";
import { useResource } from "../../api/hooks.ts";
import { Amount } from "../../components/Amount.tsx";
import { HashLink } from "../../components/HashLink.tsx";
import { VirtualTable } from "../../components/VirtualTable.tsx";
import { href } from "../../router.ts";

/** The cycle page's distribution attempts: who was drawn, the list posted and what it paid. */

export function Distributions({
  task,
  cycle,
  view,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
}) {
  const statusKey = view.distributions
    .map((distribution) => `${distribution.attempt}:${distribution.status}:${distribution.distributor}`)
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
          Attempt {view.record.attempt}: the list of{" "}
          <HashLink value={view.record.distributor} to={href.node(task, view.record.distributor)} /> leads the race
          (round {view.record.attemptRound}).
        </p>
      ) : null}
      {pending && view.record.distributor === null ? (
        <p className="muted">
          In round {view.record.attemptRound}, any valid submitter may post a list; the best-drawn poster's list stands.
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
              {distribution.entryCount} entries, total <Amount value={distribution.total} digits={3} /> ·{" "}
              {distribution.triggered ? "challenged" : "not challenged"} · Merkle root{" "}
              <HashLink value={distribution.listRoot} /> · list blob <HashLink value={distribution.listBlob} />
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
