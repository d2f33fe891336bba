import type { DistributionEntry } from "@gradual/protocol";
import { type CycleView, MAX_BLOCK_RANGE } from "@gradual/wire";
import { useResource } from "../../api/hooks.ts";
import { Amount } from "../../components/Amount.tsx";
import { HashLink } from "../../components/HashLink.tsx";
import { VirtualTable } from "../../components/VirtualTable.tsx";
import {
  type AttemptStory,
  attemptStories,
  distributionKind,
  type ListPost,
  listClaims,
  listEntriesOf,
  listPosts,
  listStatusLabel,
  listWindowRanges,
  rulePayment,
} from "../../model/distributionStory.ts";
import type { Timing } from "../../model/windowLayout.ts";
import { href } from "../../router.ts";

/**
 * The cycle page's payment. Under `weighted` and `equal`, the cycle pays itself by rule at the first slot of round
 * c+2 (protocol.md §6.2). Under `custom`, each attempt's posting race (who posted, who replaced whom), the list in
 * force (root, total, size, status), its entries from the list blob and how much of it was claimed (§6.1-§6.5).
 */

export function Distributions({
  task,
  cycle,
  view,
  timing,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
  readonly timing: Timing | undefined;
}) {
  const kind = distributionKind(timing);
  if (kind === "unknown" || timing === undefined) {
    return (
      <section aria-labelledby="lists-title">
        <h3 id="lists-title">Distribution</h3>
        <p className="muted">Loading the task's distribution rule…</p>
      </section>
    );
  }
  const rule = timing.params.distributionRule;
  if (rule !== "custom") return <RulePayment view={view} rule={rule} />;
  return <PostingRace task={task} cycle={cycle} view={view} timing={timing} />;
}

function RulePayment({ view, rule }: { readonly view: CycleView; readonly rule: "weighted" | "equal" }) {
  const payment = rulePayment(view, rule);
  return (
    <section aria-labelledby="lists-title" data-testid="rule-payment" data-state={payment.state} data-rule={rule}>
      <h3 id="lists-title">
        Distribution <span className="muted small">paid by the {rule} rule: no list, no distributor</span>
      </h3>
      <p>{payment.text}</p>
      {payment.state === "paid" ? (
        <p data-testid="cycle-outcome">
          Outcome: <strong>{view.record.outcome}</strong> — paid <Amount value={view.record.paid} digits={3} /> into
          vesting; each share unlocks gradually (a node's page shows its vesting).
        </p>
      ) : null}
    </section>
  );
}

function PostingRace({
  task,
  cycle,
  view,
  timing,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
  readonly timing: Timing;
}) {
  const stories = attemptStories(view, timing);
  return (
    <section aria-labelledby="lists-title" data-testid="posting-race">
      <h3 id="lists-title">
        Distribution{" "}
        <span className="muted small">
          custom rule: valid submitters race to post the payment list; the best-scored poster's list stands
        </span>
      </h3>
      {view.pruned ? (
        <p className="muted" data-testid="lists-pruned">
          The cycle's lists were pruned with its other details.
          {view.record.outcome === "paid"
            ? " Its list's claim window had closed: entries nobody had claimed by then returned to the escrow."
            : ""}
        </p>
      ) : stories.length === 0 && view.record.outcome === "no-submitters" ? (
        <p className="muted">No valid submitter: no list to post, and the whole bounty returned to the escrow.</p>
      ) : null}
      {stories.map((story) => (
        <Attempt key={story.attempt} task={task} cycle={cycle} view={view} story={story} timing={timing} />
      ))}
      {view.record.outcome === null || view.record.outcome === "no-submitters" ? null : (
        <p data-testid="cycle-outcome">
          Outcome: <strong>{view.record.outcome}</strong>
          {view.record.outcome === "paid" ? (
            <>
              {" "}
              — a list of <Amount value={view.record.paid} digits={3} /> was accepted; the rest of the bounty went back
              to the escrow.
            </>
          ) : (
            " — the whole bounty went back to the escrow."
          )}
        </p>
      )}
    </section>
  );
}

const BADGES = {
  upcoming: "upcoming",
  open: "open",
  missing: "no list",
  posted: "posted",
  accepted: "accepted",
  rejected: "rejected",
} as const;

function Attempt({
  task,
  cycle,
  view,
  story,
  timing,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly view: CycleView;
  readonly story: AttemptStory;
  readonly timing: Timing;
}) {
  const { list } = story;
  const warn = story.state === "missing" || story.state === "rejected";
  return (
    <article
      className={`distribution${warn ? " tone-border-warn" : ""}`}
      data-testid="distribution"
      data-attempt={story.attempt}
      data-status={story.state}
    >
      <header>
        <strong>
          Attempt {story.attempt} · round {story.round}
          {list === undefined ? null : (
            <>
              {" "}
              · list in force by <HashLink value={list.distributor} to={href.node(task, list.distributor)} />
            </>
          )}
        </strong>
        <span className={`badge status-${story.state}`}>
          {list === undefined ? BADGES[story.state] : listStatusLabel(list.status)}
        </span>
      </header>
      <p className="small" data-testid="attempt-text">
        {story.text}
      </p>
      {list === undefined ? null : (
        <>
          <p className="small">
            {list.entryCount} {list.entryCount === 1 ? "entry" : "entries"}, total{" "}
            <Amount value={list.total} digits={3} /> · {list.triggered ? "list audit triggered" : "no list audit"} ·
            Merkle root <HashLink value={list.listRoot} /> · list blob <HashLink value={list.listBlob} />
          </p>
          <Posts task={task} cycle={cycle} story={story} headSlot={view.slot} />
          {list.status === "accepted" ? <Claims view={view} story={story} timing={timing} /> : null}
          <Entries task={task} story={story} />
        </>
      )}
    </article>
  );
}

/** The race of one attempt, read from the blocks of its list window. */
function Posts({
  task,
  cycle,
  story,
  headSlot,
}: {
  readonly task: string;
  readonly cycle: number;
  readonly story: AttemptStory;
  readonly headSlot: number;
}) {
  const ranges = listWindowRanges(story.listWindow, headSlot, MAX_BLOCK_RANGE);
  const last = ranges[ranges.length - 1]?.[1] ?? -1;
  const posts = useResource(
    ranges.length === 0 ? null : `cycle/${task}/${cycle}/posts/${story.attempt}/${last}`,
    async (client, signal) => {
      const blocks = (await Promise.all(ranges.map(([from, to]) => client.blocks(from, to, signal)))).flat();
      return listPosts(blocks, task, cycle, story.attempt);
    },
    { refresh: "once" },
  );
  if (posts.error !== undefined) {
    return <p className="small muted">The blocks of the list window could not be read, so the race is not shown.</p>;
  }
  if (posts.data === undefined) return null;
  if (posts.data.length === 0) {
    return <p className="small muted">The blocks of the list window hold no post of this attempt (pruned blocks?).</p>;
  }
  return (
    <ol className="small race" data-testid="list-posts" aria-label={`posts of attempt ${story.attempt}`}>
      {posts.data.map((post) => (
        <li key={post.tx} data-testid="list-post" data-refused={post.refused === null ? "false" : "true"}>
          <PostLine task={task} post={post} />
        </li>
      ))}
    </ol>
  );
}

function PostLine({ task, post }: { readonly task: string; readonly post: ListPost }) {
  const poster = <HashLink value={post.poster} to={href.node(task, post.poster)} />;
  if (post.refused !== null) {
    return (
      <>
        slot {post.slot}: {poster}'s list was refused ({post.refused}
        {post.refused === "DISTRIBUTION__NOT_BETTER" ? ": its poster does not beat the list in force" : ""})
      </>
    );
  }
  return (
    <>
      slot {post.slot}: {poster} posted a list of {post.entryCount} entries, <Amount value={post.total} digits={3} />
      {post.replaced === null ? (
        ", the first list"
      ) : (
        <>
          , replacing the list of <HashLink value={post.replaced} to={href.node(task, post.replaced)} /> (it wins the
          race)
        </>
      )}
      {post.replacedBy === null ? (
        " — the list in force"
      ) : (
        <>
          {" "}
          — replaced at slot {post.replacedBy.slot} by{" "}
          <HashLink value={post.replacedBy.poster} to={href.node(task, post.replacedBy.poster)} />
        </>
      )}
    </>
  );
}

function Claims({
  view,
  story,
  timing,
}: {
  readonly view: CycleView;
  readonly story: AttemptStory;
  readonly timing: Timing;
}) {
  if (story.list === undefined) return null;
  const claims = listClaims(view, story.list, timing);
  return (
    <p className="small" data-testid="list-claims">
      {claims.claimed === null || claims.unclaimed === null ? null : (
        <>
          Claimed so far: <Amount value={claims.claimed} digits={3} /> of <Amount value={claims.total} digits={3} />
          {"; still claimable: "}
          <Amount value={claims.unclaimed} digits={3} />.{" "}
        </>
      )}
      {claims.text}
    </p>
  );
}

/** The list's entries, from its blob (the ledger keeps only the root), checked against the posted root. */
function Entries({ task, story }: { readonly task: string; readonly story: AttemptStory }) {
  const list = story.list;
  const blob = useResource(
    list === undefined ? null : `blob/${list.listBlob}`,
    async (client, signal) => {
      const bytes = list === undefined ? undefined : await client.blob(list.listBlob, signal);
      return bytes === undefined || list === undefined ? null : listEntriesOf(bytes, list.listRoot);
    },
    { refresh: "once" },
  );
  if (list === undefined || blob.data === undefined) return null;
  if (blob.data === null) {
    return <p className="small muted">The list blob is not stored on this ledger, so its entries are not shown.</p>;
  }
  if (blob.data.kind === "unreadable") {
    return <p className="small tone-bad">The stored list blob is not a list (`recipient amount` lines).</p>;
  }
  return (
    <>
      {blob.data.matchesRoot ? null : (
        <p className="small tone-bad">The list blob's entries do not lead to the posted Merkle root.</p>
      )}
      <VirtualTable<DistributionEntry>
        rows={blob.data.entries}
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
        caption={`Entries of the list of attempt ${story.attempt} (from its blob)`}
        maxHeight={260}
      />
    </>
  );
}
