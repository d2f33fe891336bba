import { useEffect, useRef } from "react";
import { useLiveSnapshot } from "./api/hooks.ts";
import { ConnectionBanner, LiveDot } from "./components/ConnectionBanner.tsx";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { Message } from "./components/Message.tsx";
import { SearchBox } from "./components/SearchBox.tsx";
import { shortAddress } from "./model/settlement.ts";
import { formatSlot } from "./model/slotTime.ts";
import { href, type Route, useRoute } from "./router.ts";
import { AccountPage } from "./views/AccountPage.tsx";
import { BlockPage } from "./views/BlockPage.tsx";
import { Cycle } from "./views/Cycle.tsx";
import { Explorer } from "./views/Explorer.tsx";
import { Node } from "./views/Node.tsx";
import { Overview } from "./views/Overview.tsx";
import { SearchPage } from "./views/SearchPage.tsx";
import { Task } from "./views/Task.tsx";
import { TxPage } from "./views/TxPage.tsx";

function RouteView({ route }: { readonly route: Route }) {
  switch (route.view) {
    case "overview":
      return <Overview />;
    case "task":
      return <Task key={route.task} task={route.task} />;
    case "cycle":
      return <Cycle key={`${route.task}/${route.cycle}`} task={route.task} cycle={route.cycle} />;
    case "node":
      return <Node key={`${route.task}/${route.account}`} task={route.task} account={route.account} />;
    case "explorer":
      return <Explorer />;
    case "block":
      return <BlockPage key={route.number} number={route.number} />;
    case "tx":
      return <TxPage key={route.hash} hash={route.hash} />;
    case "account":
      return <AccountPage key={route.account} account={route.account} />;
    case "search":
      return <SearchPage key={route.query} query={route.query} />;
    case "notFound":
      return (
        <Message kind="empty" title="No such page">
          <p>
            <code>#{route.path}</code> is not a page of this dashboard. Start from the{" "}
            <a href={href.overview()}>overview</a> or the <a href={href.explorer()}>explorer</a>.
          </p>
        </Message>
      );
  }
}

function Header({ route }: { readonly route: Route }) {
  const { chain, head, settlement } = useLiveSnapshot();
  const current =
    route.view === "overview"
      ? "overview"
      : ["explorer", "block", "tx", "account", "search"].includes(route.view)
        ? "explorer"
        : "";
  return (
    <header className="top">
      <a className="brand" href={href.overview()}>
        gradual<span className="muted">{chain === undefined ? "" : ` · ${chain.chainId}`}</span>
      </a>
      {settlement?.kind === "evm" ? (
        <span
          className="settlement-badge"
          data-testid="settlement-badge"
          title={`Settled by the Gradual contract ${settlement.contract} on EVM chain ${settlement.evmChainId}; read through gradual indexer`}
        >
          EVM {settlement.evmChainId} · {shortAddress(settlement.contract)}
        </span>
      ) : null}
      <nav aria-label="main">
        <a href={href.overview()} aria-current={current === "overview" ? "page" : undefined}>
          Overview
        </a>
        <a href={href.explorer()} aria-current={current === "explorer" ? "page" : undefined}>
          Explorer
        </a>
      </nav>
      <div className="top-search">
        <SearchBox />
      </div>
      <div className="top-status">
        <LiveDot />
        {head === undefined ? null : (
          <a href={href.block(head.number)} className="top-head" data-testid="header-slot" data-slot={head.slot}>
            slot {formatSlot(head.slot)}
          </a>
        )}
      </div>
    </header>
  );
}

function Footer() {
  const { settlement } = useLiveSnapshot();
  return (
    <footer className="muted small">
      {settlement?.kind === "evm" ? (
        <>
          Gradual Consensus dashboard over an EVM chain: everything here comes from <code>gradual indexer</code>, which
          replays the Gradual contract's logs (contract <code>{settlement.contract}</code>, EVM chain{" "}
          {settlement.evmChainId}) through the protocol core and serves the ledger's read API and event stream. Accounts
          are EVM addresses; amounts are in tokens (10⁹ base units; hover for the exact figure); times are slots of the
          contract's clock with the wall time they map to.
        </>
      ) : (
        <>
          Gradual Consensus dashboard: everything here comes from the ledger's public API and its event stream. Amounts
          are in tokens (10⁹ base units; hover for the exact figure); times are slots with the wall time they map to.
        </>
      )}
    </footer>
  );
}

export function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const routeKey = JSON.stringify(route);
  const firstRoute = useRef(routeKey);
  useEffect(() => {
    // Move focus to the new page for keyboard and screen-reader users, like a page load would.
    if (routeKey === firstRoute.current) return;
    firstRoute.current = "";
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [routeKey]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header route={route} />
      <ConnectionBanner />
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary resetKey={routeKey}>
          <RouteView route={route} />
        </ErrorBoundary>
      </main>
      <Footer />
    </>
  );
}
