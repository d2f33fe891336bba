import type { CycleView, TaskView, TriggerRecordWire as TriggerRecord, VoteList } from "@gradual/wire";
import { useResource } from "../../api/hooks.ts";
import { Amount } from "../../components/Amount.tsx";
import { HashLink } from "../../components/HashLink.tsx";
import { SlotTime } from "../../components/SlotTime.tsx";
import { formatShare } from "../../model/amounts.ts";
import { href } from "../../router.ts";

/** The cycle page's audits: each trigger with its tally against the quorum, its votes and what it resolved to. */

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

export function Audits({
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
