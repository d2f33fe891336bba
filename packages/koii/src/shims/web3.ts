/**
 * What `@_koii/web3.js` (and the older `@_koi/web3.js`) resolve to in a Koii task bundle: the parts Koii tasks use
 * without a K2 chain. `PublicKey` round-trips base58 and bytes (`new PublicKey(TASK_ID)` works: TASK_ID is base58),
 * `Keypair` makes the task's own throwaway keys (never the node's: that one comes from
 * `namespaceWrapper.getSubmitterAccount()` and signs through the node). `Connection` and transactions need K2, which
 * gradual does not have; they say so when used. docs/koii.md "@_koii/web3.js".
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { KoiiPublicKey } from "../keys.ts";
import { KoiiUnsupportedError } from "../runtime/errors.ts";
import { PKCS8_ED25519_PREFIX } from "../signing.ts";

export { KoiiPublicKey as PublicKey };

/** Koii's base unit: 1 KOII = 10^9 ROE (the name web3.js keeps from Solana). */
export const LAMPORTS_PER_SOL = 1_000_000_000;
export const ROE_PER_KOII = LAMPORTS_PER_SOL;

function publicFromSeed(seed: Uint8Array): Uint8Array {
  const key = createPublicKey(
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" }),
  );
  return new Uint8Array(key.export({ format: "der", type: "spki" }).subarray(-32));
}

/** An ed25519 key pair in web3.js's shape: `secretKey` is the 32-byte seed followed by the 32-byte public key. */
export class Keypair {
  readonly publicKey: KoiiPublicKey;
  readonly secretKey: Uint8Array;

  private constructor(seed: Uint8Array) {
    const publicBytes = publicFromSeed(seed);
    this.publicKey = new KoiiPublicKey(publicBytes);
    this.secretKey = new Uint8Array([...seed, ...publicBytes]);
  }

  static generate(): Keypair {
    const { privateKey } = generateKeyPairSync("ed25519");
    return new Keypair(new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32)));
  }

  static fromSeed(seed: Uint8Array): Keypair {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError("Keypair.fromSeed: expected 32 bytes");
    return new Keypair(Uint8Array.from(seed));
  }

  /** A 64-byte secret key (seed then public key); the public half must match the seed, as web3.js checks. */
  static fromSecretKey(secretKey: Uint8Array): Keypair {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== 64) {
      throw new TypeError("Keypair.fromSecretKey: expected 64 bytes (seed then public key)");
    }
    const keypair = new Keypair(secretKey.slice(0, 32));
    if (!keypair.publicKey.toBytes().every((byte, index) => byte === secretKey[32 + index])) {
      throw new Error("Keypair.fromSecretKey: provided secretKey is invalid");
    }
    return keypair;
  }
}

const NO_K2 =
  "gradual has no K2 chain to send transactions to or read accounts from; read the task through namespaceWrapper (getTaskState, getTaskSubmissionInfo) and sign with namespaceWrapper.payloadSigning";

/** web3.js's RPC client: there is no K2 RPC on gradual. */
export class Connection {
  constructor(..._args: unknown[]) {
    throw new KoiiUnsupportedError("new Connection()", NO_K2);
  }
}

export class Transaction {
  constructor(..._args: unknown[]) {
    throw new KoiiUnsupportedError("new Transaction()", NO_K2);
  }
}

export function clusterApiUrl(..._args: unknown[]): never {
  throw new KoiiUnsupportedError("clusterApiUrl", NO_K2);
}
