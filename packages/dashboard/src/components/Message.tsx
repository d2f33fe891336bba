import type { ReactNode } from "react";
import { ApiError } from "../api/client.ts";

/** Empty, loading and error states that say what is going on and what to do. */
export function Message({
  kind,
  title,
  children,
}: {
  readonly kind: "empty" | "loading" | "error" | "info";
  readonly title: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className={`message message-${kind}`} role={kind === "error" ? "alert" : "status"}>
      <strong>{title}</strong>
      {children === undefined ? null : <div className="message-body">{children}</div>}
    </div>
  );
}

const HINTS: Readonly<Record<string, string>> = {
  NETWORK__UNREACHABLE:
    "The ledger is not answering. If you run it yourself, check that it is up (npm start); this page reconnects by itself.",
  TASK__NOT_FOUND: "No task with this id exists on this chain. Check the id, or pick a task on the overview.",
  CYCLE__NOT_FOUND: "This cycle has not started (the task may be paused, or the round is still ahead).",
  NODE__NOT_STAKED:
    "This account has no stake in this task (it may have withdrawn). Its account page shows its balance.",
  API__BLOCK_NOT_FOUND: "This block does not exist yet; the head is lower. The explorer lists the latest blocks.",
  API__TX_NOT_FOUND:
    "The ledger has no transaction with this hash. Check the hash, or search for an account or task instead.",
  API__RECORD_NOT_FOUND: "The ledger has no such record yet.",
  VOTE__TRIGGER_NOT_FOUND: "No trigger with this index in this cycle.",
  LEDGER__SUBSCRIBER_LIMIT: "The ledger has too many live viewers right now; this page retries by itself.",
};

export function ErrorMessage({ error, what }: { readonly error: Error; readonly what: string }) {
  const code = error instanceof ApiError ? error.code : undefined;
  const hint = code === undefined ? undefined : HINTS[code];
  return (
    <Message kind="error" title={`Could not load ${what}`}>
      <p>
        {error.message}
        {code === undefined ? null : <code className="code">{` ${code}`}</code>}
      </p>
      {hint === undefined ? <p>Reload the page if this persists.</p> : <p>{hint}</p>}
    </Message>
  );
}

/** The usual trio: an error (with data still shown when stale), a loading note, or the content. */
export function Loaded<T>({
  resource,
  what,
  children,
}: {
  readonly resource: { readonly data: T | undefined; readonly error: Error | undefined; readonly loading: boolean };
  readonly what: string;
  readonly children: (data: T) => ReactNode;
}) {
  if (resource.data !== undefined) return <>{children(resource.data)}</>;
  if (resource.error !== undefined) return <ErrorMessage error={resource.error} what={what} />;
  return <Message kind="loading" title={`Loading ${what}…`} />;
}
