/**
 * @gradual/ledger/views: the read API over a state, without the server or storage: the views (wire-form replies of
 * each route) and the table of state reads the ledger's server and the local runs' in-memory reader both serve.
 */
export * from "./stateReads.ts";
export * from "./views.ts";
