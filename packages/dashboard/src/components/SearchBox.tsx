import { type FormEvent, useState } from "react";
import { classifyQuery } from "../model/search.ts";
import { href } from "../router.ts";

/** A search box: a block number, a transaction hash, a task id or an account key. */
export function SearchBox({ autoFocus = false }: { readonly autoFocus?: boolean }) {
  const [query, setQuery] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = classifyQuery(query);
    if (parsed.kind === "empty") return;
    window.location.hash = parsed.kind === "block" ? href.block(parsed.number) : href.search(query);
    setQuery("");
  };
  return (
    <search>
      <form className="search" onSubmit={submit}>
        <label htmlFor={autoFocus ? "search-main" : "search-header"} className="sr-only">
          Search by block number, transaction hash, task id or account
        </label>
        <input
          id={autoFocus ? "search-main" : "search-header"}
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="block, tx hash, task or account"
          // biome-ignore lint/a11y/noAutofocus: the explorer page exists to search
          autoFocus={autoFocus}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}
