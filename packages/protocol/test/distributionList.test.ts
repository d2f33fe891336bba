import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import {
  bytesToHex,
  type DistributionEntry,
  decodeList,
  encodeList,
  listBlobHash,
  listLeaf,
  listProof,
  listProofDepth,
  listRoot,
  merkleRoot,
  verifyListProof,
} from "../src/index.ts";

const entryArb = fc.record({
  recipient: fc.stringMatching(/^[0-9a-f]{64}$/),
  amount: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
});
const listArb = fc.array(entryArb, { minLength: 1, maxLength: 40 });

describe("distribution lists as Merkle trees (protocol.md §6.2, §6.4)", () => {
  it("a leaf is the recipient's 32 bytes and the amount as 32 big-endian bytes; the root is merkleRoot over them", () => {
    fc.assert(
      fc.property(listArb, (entries) => {
        const leaves = entries.map((entry) => {
          const leaf = listLeaf(entry.recipient, entry.amount) as Uint8Array;
          assert.equal(bytesToHex(leaf.subarray(0, 32)), entry.recipient);
          assert.equal(BigInt(`0x${bytesToHex(leaf.subarray(32))}`), entry.amount);
          return leaf;
        });
        assert.equal(listRoot(entries), bytesToHex(merkleRoot(leaves)));
      }),
      { numRuns: 200 },
    );
    assert.equal(listRoot([]), "0".repeat(64));
    assert.equal(listLeaf("ab", 1n), null);
    assert.equal(listLeaf("a".repeat(64), 2n ** 128n), null);
    assert.equal(listLeaf("a".repeat(64), -1n), null);
  });

  it("every entry's proof leads to the root, and nothing else does", () => {
    fc.assert(
      fc.property(listArb, fc.nat(), (entries, pick) => {
        const root = listRoot(entries);
        const count = entries.length;
        const index = pick % count;
        const entry = entries[index] as DistributionEntry;
        const proof = listProof(entries, index);
        assert.equal(proof.length, listProofDepth(count));
        assert.ok(verifyListProof(root, count, index, entry.recipient, entry.amount, proof));
        assert.ok(!verifyListProof(root, count, index, entry.recipient, entry.amount + 1n, proof), "another amount");
        const other = entry.recipient === "f".repeat(64) ? "e".repeat(64) : "f".repeat(64);
        assert.ok(!verifyListProof(root, count, index, other, entry.amount, proof), "another recipient");
        // A size whose tree is deeper or shallower needs another proof length.
        const deeper = 2 ** proof.length + 1;
        assert.ok(!verifyListProof(root, deeper, index, entry.recipient, entry.amount, proof), "another size");
        assert.ok(!verifyListProof(root, count, count, entry.recipient, entry.amount, proof), "index past the end");
        if (proof.length > 0) {
          const bent = [...proof];
          bent[0] = (bent[0] as string) === "0".repeat(64) ? "1".repeat(64) : "0".repeat(64);
          assert.ok(!verifyListProof(root, count, index, entry.recipient, entry.amount, bent), "a changed sibling");
          assert.ok(!verifyListProof(root, count, index, entry.recipient, entry.amount, proof.slice(1)), "too short");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a proof passes exactly when hashing it step by step from scratch gives the root (the memo of inner hashes)", () => {
    // The reference: listLeaf, then one hash per sibling, nothing cached.
    const reference = (root: string, count: number, index: number, entry: DistributionEntry, proof: string[]) => {
      if (index >= count || proof.length !== listProofDepth(count)) return false;
      const leaf = listLeaf(entry.recipient, entry.amount);
      if (leaf === null || proof.some((sibling) => !/^[0-9a-f]{64}$/.test(sibling))) return false;
      let node = nobleSha256(new Uint8Array([0, ...leaf]));
      let position = index;
      for (const sibling of proof) {
        const other = [...Buffer.from(sibling, "hex")];
        node = nobleSha256(new Uint8Array(position % 2 === 0 ? [1, ...node, ...other] : [1, ...other, ...node]));
        position = Math.floor(position / 2);
      }
      return bytesToHex(node) === root;
    };
    const hexArb = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(listArb, fc.nat(), fc.nat(), hexArb, fc.boolean(), (entries, pick, bend, junk, upper) => {
        const root = listRoot(entries);
        const count = entries.length;
        const index = pick % count;
        const entry = entries[index] as DistributionEntry;
        const proof = listProof(entries, index);
        // Every proof of the list first, so the memo holds the tree's inner hashes; then a changed one.
        entries.forEach((other, at) => {
          assert.ok(verifyListProof(root, count, at, other.recipient, other.amount, listProof(entries, at)));
        });
        const changed = [...proof];
        if (changed.length > 0) changed[upper ? changed.length - 1 : bend % changed.length] = junk;
        for (const candidate of [proof, changed, [...proof].reverse()]) {
          assert.equal(
            verifyListProof(root, count, index, entry.recipient, entry.amount, candidate),
            reference(root, count, index, entry, candidate),
          );
        }
        assert.equal(
          verifyListProof(root, count, index, entry.recipient, entry.amount, ["F".repeat(64), ...proof.slice(1)]),
          false,
        );
      }),
      { numRuns: 200 },
    );
  });

  it("a proof's depth is the least depth whose tree holds the list", () => {
    for (const count of [
      0,
      1,
      2,
      3,
      4,
      5,
      7,
      8,
      9,
      1023,
      1024,
      1025,
      2 ** 31,
      2 ** 31 + 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 40 + 3,
    ]) {
      let depth = 0;
      while (2 ** depth < count) depth += 1;
      assert.equal(listProofDepth(count), depth, `count ${count}`);
    }
  });

  it("an inner node cannot pass for a leaf: leaves and nodes are tagged apart", () => {
    const entries = Array.from({ length: 4 }, (_, index) => ({ recipient: String(index).repeat(64), amount: 1n }));
    const root = listRoot(entries);
    // A two-level proof claimed as a one-level one over the hash of the first pair.
    const proof = listProof(entries, 0);
    assert.ok(!verifyListProof(root, 2, 0, entries[0]?.recipient as string, 1n, proof.slice(1)));
  });

  it("a list's blob is one `recipient amount` line per entry, addressed by its sha256, and decodes strictly", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), (entries) => {
        const bytes = encodeList(entries);
        const plain = entries.map((entry) => ({ recipient: entry.recipient, amount: entry.amount }));
        assert.deepEqual(decodeList(bytes), plain);
        assert.equal(listBlobHash(entries), bytesToHex(nobleSha256(bytes)));
      }),
      { numRuns: 200 },
    );
    const text = (value: string) => new TextEncoder().encode(value);
    const recipient = "a".repeat(64);
    assert.deepEqual(decodeList(text("")), []);
    for (const bad of [
      `${recipient} 1`,
      `${recipient} 01\n`,
      `${recipient}  1\n`,
      `${recipient.toUpperCase()} 1\n`,
      `${recipient} -1\n`,
      `${recipient} 1\n\n`,
      `${recipient} ${2n ** 128n}\n`,
      `${recipient} 1\r\n`,
    ]) {
      assert.equal(decodeList(text(bad)), null, JSON.stringify(bad));
    }
    assert.equal(decodeList(new Uint8Array([0xff, 0xfe])), null);
  });
});
