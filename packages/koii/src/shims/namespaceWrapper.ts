/**
 * What `@_koii/namespace-wrapper` and `@_koii/task-manager/namespace-wrapper` resolve to in a Koii task bundled by
 * gradual (buildKoiiTask): one module, so both import paths share one wrapper and one Express app.
 */
import { createServer, type Server } from "node:http";
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

let localServer: Server | undefined;

/**
 * In a linked task folder (`gradual koii link`), outside any node, Koii's wrapper listens on EXPRESS_PORT (default
 * 3000) when it loads, and Koii's own tests call it there; the linked runtime does the same through this.
 */
export function listenLocally(port: number): Server {
  localServer ??= createServer(app).listen(port, "127.0.0.1");
  return localServer;
}

/**
 * Koii's wrapper exports the listening HTTP server. On a gradual node nothing listens (requests are replayed into
 * `app` in memory), so this stands in for it; in a linked folder it is the local server. `close` is all Koii's own
 * tests call on it.
 */
export const _server = {
  get listening(): boolean {
    return localServer?.listening ?? false;
  },
  close(callback?: (error?: Error) => void): void {
    if (localServer === undefined) {
      callback?.();
      return;
    }
    localServer.close((error) => callback?.(error));
    localServer = undefined;
  },
  address(): ReturnType<Server["address"]> {
    return localServer?.address() ?? null;
  },
};

export const LogLevel = { Log: "log", Warn: "warn", Error: "error" } as const;
