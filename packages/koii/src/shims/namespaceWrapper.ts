/**
 * What `@_koii/namespace-wrapper` and `@_koii/task-manager/namespace-wrapper` resolve to in a Koii task bundled by
 * gradual (buildKoiiTask): one module, so both import paths share one wrapper and one Express app.
 */
import { createKoiiApp } from "../runtime/expressBridge.ts";

export {
  K2_NODE_URL,
  MAIN_ACCOUNT_PUBKEY,
  SECRET_KEY,
  SERVICE_URL,
  STAKE,
  TASK_ID,
  TASK_NODE_PORT,
  taskNodeAdministered,
} from "../runtime/constants.ts";
export { NamespaceWrapper, namespaceWrapper } from "../runtime/namespaceWrapper.ts";

/** The Express app Koii tasks register routes on; the node serves it under /tasks/{taskId}/ and /task/{taskId}/. */
export const app = createKoiiApp();

/**
 * Koii's wrapper exports the listening HTTP server; on gradual nothing listens (requests are replayed into `app` in
 * memory), so this stands in for it: `close` is all Koii's own tests call on it.
 */
export const _server = {
  listening: false,
  close(callback?: (error?: Error) => void): void {
    callback?.();
  },
  address(): null {
    return null;
  },
};

export const LogLevel = { Log: "log", Warn: "warn", Error: "error" } as const;
