import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { createApiClient } from "./api/client.ts";
import { LiveContext } from "./api/hooks.ts";
import { LiveLedger } from "./api/live.ts";
import "./styles.css";

/**
 * Entry point. The page talks to the ledger on its own origin (the ledger serves the dashboard at `/`, and
 * `gradual dashboard --ledger URL` relays /v1 to the ledger), unless `?ledger=URL` names another one that allows it.
 */
const ledgerParameter = new URLSearchParams(window.location.search).get("ledger");
const client = createApiClient({ baseUrl: ledgerParameter ?? "" });
const live = new LiveLedger({ client });
void live.start();

const container = document.getElementById("root");
if (container === null) throw new Error("index.html has no #root element");
createRoot(container).render(
  <LiveContext.Provider value={live}>
    <App />
  </LiveContext.Provider>,
);
