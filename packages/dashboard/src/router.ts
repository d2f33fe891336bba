import { useEffect, useState } from "react";

/**
 * Hash routes, so the ledger can serve the dashboard as static files from `/` and any link can be shared:
 * `#/`, `#/task/ID`, `#/task/ID/cycle/C`, `#/task/ID/node/ACCOUNT`, `#/explorer`, `#/block/N`, `#/tx/HASH`,
 * `#/account/ACCOUNT`, `#/search/QUERY`.
 */

export type Route =
  | { readonly view: "overview" }
  | { readonly view: "task"; readonly task: string }
  | { readonly view: "cycle"; readonly task: string; readonly cycle: number }
  | { readonly view: "node"; readonly task: string; readonly account: string }
  | { readonly view: "explorer" }
  | { readonly view: "block"; readonly number: number }
  | { readonly view: "tx"; readonly hash: string }
  | { readonly view: "account"; readonly account: string }
  | { readonly view: "search"; readonly query: string }
  | { readonly view: "notFound"; readonly path: string };

const HEX64 = /^[0-9a-f]{64}$/;
const UINT = /^(0|[1-9][0-9]{0,14})$/;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "").replace(/\/+$/, "");
  const parts = path.length === 0 ? [] : path.split("/").map((part) => decodeURIComponent(part));
  const [first, second, third, fourth] = parts;
  if (parts.length === 0) return { view: "overview" };
  if (first === "task" && second !== undefined && HEX64.test(second)) {
    if (parts.length === 2) return { view: "task", task: second };
    if (parts.length === 4 && third === "cycle" && fourth !== undefined && UINT.test(fourth)) {
      return { view: "cycle", task: second, cycle: Number(fourth) };
    }
    if (parts.length === 4 && third === "node" && fourth !== undefined && HEX64.test(fourth)) {
      return { view: "node", task: second, account: fourth };
    }
  }
  if (first === "explorer" && parts.length === 1) return { view: "explorer" };
  if (first === "block" && parts.length === 2 && second !== undefined && UINT.test(second)) {
    return { view: "block", number: Number(second) };
  }
  if (first === "tx" && parts.length === 2 && second !== undefined && HEX64.test(second))
    return { view: "tx", hash: second };
  if (first === "account" && parts.length === 2 && second !== undefined && HEX64.test(second)) {
    return { view: "account", account: second };
  }
  if (first === "search" && parts.length >= 2) return { view: "search", query: parts.slice(1).join("/") };
  return { view: "notFound", path };
}

export const href = {
  overview: () => "#/",
  task: (task: string) => `#/task/${task}`,
  cycle: (task: string, cycle: number) => `#/task/${task}/cycle/${cycle}`,
  node: (task: string, account: string) => `#/task/${task}/node/${account}`,
  explorer: () => "#/explorer",
  block: (number: number) => `#/block/${number}`,
  tx: (hash: string) => `#/tx/${hash}`,
  account: (account: string) => `#/account/${account}`,
  search: (query: string) => `#/search/${encodeURIComponent(query.trim())}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
