/**
 * Domain separation of what a node's key signs (protocol.md §9.2). The key signs ledger transactions, whose signed
 * bytes always start with "gradual/tx/v1\n" (signingPayload), and, on behalf of task code, task payloads. Task code
 * is untrusted, so its bytes are signed only in one of two forms that can never start with the transaction tag:
 * - a task payload: "gradual/task-payload/v1\n" followed by the task's bytes (`ctx.sign`);
 * - a JSON text as it is (`ctx.signJson`, for Koii's payloadSigning): a JSON text starts with `{`, `[`, `"`, a digit,
 *   `-`, `t`, `f`, `n` or whitespace, never with `g`.
 */

export const TASK_PAYLOAD_DOMAIN = "gradual/task-payload/v1\n";
export const TRANSACTION_DOMAIN = "gradual/tx/v1\n";

/** The bytes the node signs when task code calls `ctx.sign(bytes)`: the domain tag, then the bytes. */
export function taskPayloadBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`taskPayloadBytes: expected bytes, got ${typeof bytes}`);
  const domain = new TextEncoder().encode(TASK_PAYLOAD_DOMAIN);
  const payload = new Uint8Array(domain.length + bytes.length);
  payload.set(domain, 0);
  payload.set(bytes, domain.length);
  return payload;
}

/**
 * The bytes the node signs when task code calls `ctx.signJson(text)`: the UTF-8 of `text`, which must be one JSON
 * text (JSON.parse accepts it) and so can never carry the transaction tag. Throws otherwise.
 */
export function jsonPayloadBytes(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`signJson: expected a JSON text, got ${typeof text}`);
  try {
    JSON.parse(text);
  } catch {
    throw new TypeError("signJson: expected a JSON text (JSON.parse refuses it)");
  }
  if (text.startsWith(TRANSACTION_DOMAIN)) throw new TypeError("signJson: refusing a transaction payload");
  return new TextEncoder().encode(text);
}
