import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Account, signingPayload, type Transaction } from "@gradual/protocol";

/**
 * ed25519 keys with node:crypto (about 14x faster than pure JS here). A key file is JSON
 * `{ "type": "ed25519", "publicKey": hex32, "secretKey": hex32 }` where the secret is the RFC 8032 seed. Files
 * written before EVM keys existed have no `type`; they are ed25519 keys. A file of another type (`"evm"`, from
 * @gradual/evm) is refused, never read as an ed25519 seed.
 */

const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export type KeyPair = { readonly publicKey: Account; readonly secretKey: string; readonly privateKey: KeyObject };

export function keyPairFromSecret(secretKeyHex: string): KeyPair {
  if (!/^[0-9a-f]{64}$/.test(secretKeyHex)) throw new TypeError("expected a secret key of 64 hex characters");
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, Buffer.from(secretKeyHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return {
    publicKey: Buffer.from(spki.subarray(SPKI_PREFIX.length)).toString("hex"),
    secretKey: secretKeyHex,
    privateKey,
  };
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  return keyPairFromSecret(Buffer.from(pkcs8.subarray(PKCS8_PREFIX.length)).toString("hex"));
}

const publicKeyCache = new Map<string, KeyObject>();

export function publicKeyObject(account: Account): KeyObject {
  let key = publicKeyCache.get(account);
  if (key === undefined) {
    // Bounded: each KeyObject holds native memory (about 750 bytes). Imported as JWK, not as DER: OpenSSL 3 runs a
    // DER key through its decoder framework, which costs as much as the verify itself (176 µs against 16 µs as JWK on
    // this machine, `npm run bench:ledger`), so a task of more keys than the cache holds paid for every signature
    // twice. Same key, same verify: both end in the raw 32-byte import.
    if (publicKeyCache.size >= 4096) publicKeyCache.clear();
    const x = Buffer.from(account, "hex").toString("base64url");
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    publicKeyCache.set(account, key);
  }
  return key;
}

export function signBytes(keyPair: KeyPair, bytes: Uint8Array): string {
  return sign(null, bytes, keyPair.privateKey).toString("hex");
}

export function verifyBytes(account: Account, bytes: Uint8Array, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  try {
    return verify(null, bytes, publicKeyObject(account), Buffer.from(signatureHex, "hex"));
  } catch {
    return false;
  }
}

export function signTransaction(keyPair: KeyPair, tx: Transaction): string {
  if (tx.from !== keyPair.publicKey) throw new TypeError(`tx.from ${tx.from} is not this key's ${keyPair.publicKey}`);
  return signBytes(keyPair, signingPayload(tx));
}

export function verifyTransactionSignature(tx: Transaction, signatureHex: string): boolean {
  return verifyBytes(tx.from, signingPayload(tx), signatureHex);
}

export type KeyFile = { readonly type?: "ed25519"; readonly publicKey: Account; readonly secretKey: string };

/** The `type` of a key file's JSON: "ed25519" when it has none (files written before EVM keys), else its own. */
export function keyFileType(parsed: unknown): string {
  if (typeof parsed !== "object" || parsed === null) return "unknown";
  const type = (parsed as { type?: unknown }).type;
  if (type === undefined) return "ed25519";
  return typeof type === "string" ? type : "unknown";
}

export function saveKeyFile(path: string, keyPair: KeyPair): void {
  mkdirSync(dirname(path), { recursive: true });
  const file: KeyFile = { type: "ed25519", publicKey: keyPair.publicKey, secretKey: keyPair.secretKey };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
}

export function loadKeyFile(path: string): KeyPair {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<KeyFile>;
  const type = keyFileType(parsed);
  if (type !== "ed25519") throw new TypeError(`${path}: expected an ed25519 key file, got a key of type ${type}`);
  if (typeof parsed.secretKey !== "string") throw new TypeError(`${path}: expected a JSON key file with "secretKey"`);
  const keyPair = keyPairFromSecret(parsed.secretKey);
  if (parsed.publicKey !== undefined && parsed.publicKey !== keyPair.publicKey) {
    throw new TypeError(`${path}: publicKey does not match secretKey`);
  }
  return keyPair;
}
