import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base58, hex } from "@scure/base";
import nacl from "tweetnacl";
import { accountToKoiiKey, createNodeKeypair, KoiiPublicKey, koiiKeyToAccount } from "../src/keys.ts";
import { runWithContext } from "../src/runtime/context.ts";
import { namespaceWrapper } from "../src/runtime/namespaceWrapper.ts";
import { openAttached, payloadBytes, signAttached } from "../src/signing.ts";
import { fakeContext, fakeNodeKey, tweetnaclSecretKey } from "./fakeContext.ts";

/**
 * Koii signs payloads with tweetnacl: `bs58(nacl.sign(utf8(JSON.stringify(body)), secretKey))`, the 64-byte signature
 * followed by the message. These tests pin that format with a published ed25519 vector and with tweetnacl itself.
 */

// RFC 8032 section 7.1, TEST 2: a one-byte message (0x72, "r").
const RFC_SEED = hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
const RFC_PUBLIC = hex.decode("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
const RFC_MESSAGE = hex.decode("72");
const RFC_SIGNATURE = hex.decode(
  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
);
/** The tweetnacl attached form of the vector, built by hand: signature then message, in base58. */
const RFC_SIGNED = base58.encode(new Uint8Array([...RFC_SIGNATURE, ...RFC_MESSAGE]));
const RFC_SECRET_KEY = new Uint8Array([...RFC_SEED, ...RFC_PUBLIC]);

describe("Koii signed payloads", () => {
  it("sign a published ed25519 vector into tweetnacl's attached form, and open it", () => {
    assert.equal(signAttached(RFC_MESSAGE, RFC_SECRET_KEY), RFC_SIGNED);
    assert.deepEqual(openAttached(RFC_SIGNED, base58.encode(RFC_PUBLIC)), { data: "r" });
    // tweetnacl, the library Koii's wrapper uses, agrees byte for byte.
    assert.equal(base58.encode(nacl.sign(RFC_MESSAGE, RFC_SECRET_KEY)), RFC_SIGNED);
  });

  it("payloadSigning with a secret key equals bs58(nacl.sign(JSON))", async () => {
    const key = fakeNodeKey();
    const secretKey = tweetnaclSecretKey(key);
    const body = { round: 3, data: "héllo", nested: { list: [1, 2] } };
    const ours = await runWithContext(fakeContext({ key }), () => namespaceWrapper.payloadSigning(body, secretKey));
    const theirs = base58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(body)), secretKey));
    assert.equal(ours, theirs);
  });

  it("payloadSigning by the node (no key, or the submitter handle) opens with nacl.sign.open and the node's key", async () => {
    const key = fakeNodeKey();
    const ctx = fakeContext({ key });
    const body = { round: 7, work: "done" };
    const keypair = createNodeKeypair(key.account);
    for (const signed of await runWithContext(ctx, async () => [
      await namespaceWrapper.payloadSigning(body),
      await namespaceWrapper.payloadSigning(body, keypair.secretKey),
    ])) {
      const opened = nacl.sign.open(base58.decode(signed), hex.decode(key.account));
      assert.ok(opened !== null, "tweetnacl accepts the node's signature");
      assert.equal(new TextDecoder().decode(opened), JSON.stringify(body));
    }
  });

  it("verifySignature opens tweetnacl-made signatures and refuses tampered ones with Koii's messages", async () => {
    const { publicKey, secretKey } = nacl.sign.keyPair();
    const message = payloadBytes({ hello: "koii" });
    const signed = base58.encode(nacl.sign(message, secretKey));
    const signer = base58.encode(publicKey);
    assert.deepEqual(await namespaceWrapper.verifySignature(signed, signer), { data: '{"hello":"koii"}' });
    const tampered = nacl.sign(message, secretKey);
    tampered.set([(tampered.at(-2) ?? 0) ^ 1], tampered.length - 2);
    assert.deepEqual(await namespaceWrapper.verifySignature(base58.encode(tampered), signer), {
      error: "Invalid signature",
    });
    const other = base58.encode(nacl.sign.keyPair().publicKey);
    assert.deepEqual(await namespaceWrapper.verifySignature(signed, other), { error: "Invalid signature" });
    const broken = await namespaceWrapper.verifySignature("0OIl", signer);
    assert.match(broken.error ?? "", /^Verification failed: /);
  });

  it("the submitter keypair is shaped like a web3.js Keypair, and its secret key cannot be read", () => {
    const key = fakeNodeKey();
    const keypair = createNodeKeypair(key.account);
    assert.equal(keypair.publicKey.toBase58(), accountToKoiiKey(key.account));
    assert.equal(String(keypair.publicKey), keypair.publicKey.toBase58());
    assert.deepEqual(keypair.publicKey.toBytes(), hex.decode(key.account));
    assert.equal(JSON.stringify({ key: keypair.publicKey }), JSON.stringify({ key: keypair.publicKey.toBase58() }));
    assert.ok(keypair.secretKey instanceof Uint8Array);
    assert.equal(keypair.secretKey.length, 64);
    assert.throws(() => keypair.secretKey[0], /gradual keeps the node's secret key inside the node/);
    assert.throws(() => Uint8Array.from(keypair.secretKey), /gradual keeps the node's secret key/);
    assert.throws(
      () => nacl.sign(new Uint8Array([1]), keypair.secretKey),
      /gradual keeps the node's secret key|secretKey/,
    );
  });

  it("converts keys between Koii's base58 and gradual's hex both ways", () => {
    const key = fakeNodeKey();
    const base = accountToKoiiKey(key.account);
    assert.equal(koiiKeyToAccount(base), key.account);
    assert.ok(new KoiiPublicKey(base).equals(KoiiPublicKey.fromAccount(key.account)));
    assert.throws(() => koiiKeyToAccount("abc"), /expected 32 bytes/);
    assert.throws(() => koiiKeyToAccount("0OIl"), /not base58/);
    assert.throws(() => accountToKoiiKey("XYZ"), /64 lowercase hex/);
  });
});
