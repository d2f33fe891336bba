/** The ledger URL the CLI and tools use: an explicit one, else $GRADUAL_LEDGER, else the local default. */
export function resolveLedgerUrl(explicit?: string): string {
  return explicit ?? process.env.GRADUAL_LEDGER ?? "http://127.0.0.1:8899";
}
