import { base58, hex } from "@scure/base";

/**
 * Koii (like Solana) writes an ed25519 public key as base58 of its 32 bytes; gradual writes the same 32 bytes as 64
 * lowercase hex characters. Both name the same key, so converting is lossless both ways (docs/koii.md "Keys").
 */

const ACCOUNT = /^[0-9a-f]{64}$/;

export function isAccount(value: unknown): value is string {
  return typeof value === "string" && ACCOUNT.test(value);
}

/** A gradual account (64 hex) as Koii's base58 public key. */
export function accountToKoiiKey(account: string): string {
  if (!isAccount(account))
    throw new TypeError(`accountToKoiiKey: expected 64 lowercase hex characters, got ${String(account)}`);
  return base58.encode(hex.decode(account));
}

/** A Koii base58 public key as a gradual account (64 hex); throws when it is not 32 bytes of base58. */
export function koiiKeyToAccount(key: string): string {
  if (typeof key !== "string") throw new TypeError(`koiiKeyToAccount: expected a base58 string, got ${typeof key}`);
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(key);
  } catch {
    throw new TypeError(`koiiKeyToAccount: ${JSON.stringify(key.slice(0, 64))} is not base58`);
  }
  if (bytes.length !== 32) throw new TypeError(`koiiKeyToAccount: expected 32 bytes of base58, got ${bytes.length}`);
  return hex.encode(bytes);
}

/** The base58 key, or undefined when `key` is not one (for checks that report instead of throwing). */
export function tryKoiiKeyToAccount(key: string): string | undefined {
  try {
    return koiiKeyToAccount(key);
  } catch {
    return undefined;
  }
}

/**
 * The public half of a key, shaped like `PublicKey` of @solana/web3.js (and Koii's fork): what task code calls on
 * `keypair.publicKey`.
 */
export class KoiiPublicKey {
  readonly #bytes: Uint8Array;

  constructor(value: string | Uint8Array) {
    const bytes = typeof value === "string" ? base58.decode(value) : Uint8Array.from(value);
    if (bytes.length !== 32) throw new TypeError(`PublicKey: expected 32 bytes, got ${bytes.length}`);
    this.#bytes = bytes;
  }

  static fromAccount(account: string): KoiiPublicKey {
    return new KoiiPublicKey(hex.decode(account));
  }

  toBase58(): string {
    return base58.encode(this.#bytes);
  }

  toString(): string {
    return this.toBase58();
  }

  toJSON(): string {
    return this.toBase58();
  }

  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  toBuffer(): Buffer {
    return Buffer.from(this.#bytes);
  }

  equals(other: { toBytes(): Uint8Array }): boolean {
    const bytes = other.toBytes();
    return bytes.length === 32 && bytes.every((byte, index) => byte === this.#bytes[index]);
  }

  /** The gradual account (64 hex) of this key. */
  toAccount(): string {
    return hex.encode(this.#bytes);
  }
}

const NODE_KEY_HANDLES = new WeakSet<object>();

const SECRET_KEY_MESSAGE =
  "gradual keeps the node's secret key inside the node and never hands it to task code. " +
  "Sign with namespaceWrapper.payloadSigning(body) or payloadSigning(body, keypair.secretKey), which ask the node to sign.";

/**
 * Stands in for a Keypair's 64-byte `secretKey`. It is a Uint8Array of length 64 to the eye (`instanceof`, `length`)
 * so that `payloadSigning(body, keypair.secretKey)` works, but reading any byte throws with SECRET_KEY_MESSAGE:
 * task code can never use it to sign by itself and get a wrong signature silently.
 */
function createNodeSecretKeyHandle(): Uint8Array {
  const handle = new Proxy(new Uint8Array(64), {
    get(target, property) {
      if (typeof property === "string" && /^\d+$/.test(property))
        throw new Error(`secretKey[${property}]: ${SECRET_KEY_MESSAGE}`);
      if (property === "length" || property === "byteLength") return 64;
      if (property === Symbol.toStringTag) return "Uint8Array";
      if (property === Symbol.iterator || typeof property === "string") {
        return () => {
          throw new Error(`secretKey.${String(property)}: ${SECRET_KEY_MESSAGE}`);
        };
      }
      return Reflect.get(target, property);
    },
  });
  NODE_KEY_HANDLES.add(handle);
  return handle;
}

export function isNodeSecretKeyHandle(value: unknown): boolean {
  return typeof value === "object" && value !== null && NODE_KEY_HANDLES.has(value);
}

/** Shaped like @solana/web3.js `Keypair` for the node's key: the public key is real, the secret key a handle. */
export type KoiiKeypair = {
  readonly publicKey: KoiiPublicKey;
  readonly secretKey: Uint8Array;
};

export function createNodeKeypair(account: string): KoiiKeypair {
  return Object.freeze({ publicKey: KoiiPublicKey.fromAccount(account), secretKey: createNodeSecretKeyHandle() });
}
