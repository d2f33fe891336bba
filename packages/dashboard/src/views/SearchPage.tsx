import { useResource } from "../api/hooks.ts";
import { HashLink } from "../components/HashLink.tsx";
import { Loaded, Message } from "../components/Message.tsx";
import { SearchBox } from "../components/SearchBox.tsx";
import { classifyQuery } from "../model/search.ts";
import { href } from "../router.ts";

/** A search (`#/search/QUERY`): a block number, a transaction, a task (by id or name) or an account. */

type SearchResult = {
  readonly kind: "task" | "tx" | "account" | "none";
  readonly value: string;
  readonly note?: string;
};

export function SearchPage({ query }: { readonly query: string }) {
  const parsed = classifyQuery(query);
  const result = useResource<SearchResult[]>(
    `search/${query}`,
    async (client, signal) => {
      if (parsed.kind === "block") return [{ kind: "none", value: String(parsed.number), note: "block" }];
      if (parsed.kind !== "hash") {
        const list = await client.tasks(0, 1000, signal);
        const views = await Promise.all(list.tasks.map((id) => client.task(id, signal)));
        const needle = parsed.kind === "text" ? parsed.text.toLowerCase() : "";
        return views
          .filter((view) => view.task.name.toLowerCase().includes(needle) || view.task.id.startsWith(needle))
          .map((view) => ({ kind: "task" as const, value: view.task.id, note: view.task.name }));
      }
      const found: SearchResult[] = [];
      const [task, tx, account] = await Promise.all([
        client.task(parsed.hash, signal).catch(() => undefined),
        client.tx(parsed.hash, signal).catch(() => undefined),
        client.account(parsed.hash, signal).catch(() => undefined),
      ]);
      if (task !== undefined) found.push({ kind: "task", value: parsed.hash, note: task.task.name });
      // By the core's hash, or (on an EVM chain) by the EVM transaction's: the page opens the core's.
      if (tx !== undefined) found.push({ kind: "tx", value: tx.hash, note: tx.tx.kind });
      if (
        account !== undefined &&
        (account.nonce > 0 || account.balance !== "0" || account.stakes.length > 0 || account.vesting.length > 0)
      ) {
        found.push({ kind: "account", value: parsed.hash });
      }
      return found;
    },
    { refresh: "once" },
  );
  if (parsed.kind === "block") {
    window.location.replace(href.block(parsed.number));
    return null;
  }
  const only = result.data?.length === 1 ? result.data[0] : undefined;
  if (only !== undefined && parsed.kind === "hash") {
    window.location.replace(
      only.kind === "task"
        ? href.task(only.value)
        : only.kind === "tx"
          ? href.tx(only.value)
          : href.account(only.value),
    );
  }
  return (
    <div className="view search" data-testid="search-view">
      <h2>Search: {query}</h2>
      <SearchBox />
      <Loaded resource={result} what="the search results">
        {(data) =>
          data.length === 0 ? (
            <Message kind="empty" title="Nothing found">
              <p>
                Search by block number, a transaction hash, a task id or name, or an account key (64 hex characters). On
                an EVM chain, an EVM transaction hash or a 0x address works too. An account that never received or sent
                anything does not show up.
              </p>
            </Message>
          ) : (
            <ul className="results">
              {data.map((item) => (
                <li key={`${item.kind}-${item.value}`}>
                  {item.kind === "task" ? (
                    <a href={href.task(item.value)}>task {item.note}</a>
                  ) : item.kind === "tx" ? (
                    <a href={href.tx(item.value)}>transaction ({item.note})</a>
                  ) : (
                    <a href={href.account(item.value)}>account</a>
                  )}{" "}
                  <HashLink value={item.value} />
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </div>
  );
}
