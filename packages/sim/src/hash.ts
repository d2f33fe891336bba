import * as crypto from "node:crypto";

/**
 * The protocol's `sha256Hex(text)` (SHA-256 of the text's UTF-8, as lowercase hex), computed by Node's native SHA-256:
 * the simulator's own digests (proofs, salts, accounts) are about three hashes per node and cycle, and the protocol's
 * JavaScript SHA-256 of a ~150-character string takes about 3 µs where the native one-shot takes under 1 µs. Only
 * for the simulator's own values: what the protocol hashes, it hashes itself. `crypto.hash` is Node 20.12's; the
 * hasher object is the fallback for an older Node 20.
 */
export const simSha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex");
