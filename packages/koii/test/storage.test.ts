/** CIDs of gradual's Koii storage (packages/koii/src/shims/storage.ts): one encoding per content hash. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { cidOfSha256, KoiiStorageError, sha256OfCid } from "../src/shims/storage.ts";

test("a CID round-trips its sha256, and only its canonical spelling names content", () => {
  const hash = createHash("sha256").update("hello").digest("hex");
  const cid = cidOfSha256(hash);
  assert.match(cid, /^bafkrei[a-z2-7]{52}$/);
  assert.equal(sha256OfCid(cid), hash);
  assert.equal(sha256OfCid(hash), hash, "a sha256 in hex is accepted as it is");
  // The last character carries 3 bits of data and 2 of padding: setting a padding bit must not alias the content.
  const last = cid.at(-1) as string;
  const aliased = `${cid.slice(0, -1)}${"abcdefghijklmnopqrstuvwxyz234567"["abcdefghijklmnopqrstuvwxyz234567".indexOf(last) ^ 1]}`;
  assert.throws(() => sha256OfCid(aliased), KoiiStorageError);
  assert.throws(() => sha256OfCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"), KoiiStorageError);
  assert.throws(() => sha256OfCid(`Qm${"a".repeat(44)}`), KoiiStorageError);
});
