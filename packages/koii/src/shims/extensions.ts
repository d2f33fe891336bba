/** What `@_koii/task-manager/extensions` resolves to: Orca is not available on gradual, and says so when used. */
import { KoiiUnsupportedError } from "../runtime/errors.ts";

const REASON = "gradual nodes start no Orca containers and pay no extension commission";

export async function initializeOrcaClient(..._args: unknown[]): Promise<never> {
  throw new KoiiUnsupportedError("initializeOrcaClient", REASON);
}

export async function getOrcaClient(..._args: unknown[]): Promise<never> {
  throw new KoiiUnsupportedError("getOrcaClient", REASON);
}
