import { paddedLength, sha256Compact, sha256Prefix } from "./sha256Compact.ts";

const LEAF = new Uint8Array([0]);
const EMPTY = new Uint8Array(32);

/**
 * Binary Merkle root over an ordered list of leaf hashes (protocol.md §6.4), padded with empty hashes to a power of
 * two. Used for distribution lists so that a contract can pay a recipient against a proof, and for a block's
 * transactions (a block of 4,096 hashes 8,191 times: the allocation-free SHA-256 does it in a third of the time).
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY;
  let level = leaves.map((leaf) => sha256Compact(LEAF, leaf));
  while (level.length > 1) level = merkleLevelAbove(level);
  return level[0] as Uint8Array;
}

/** The input of one inner hash, `0x01 ‖ left ‖ right` (65 bytes, with room for the padding), reused. */
const nodeInput = new Uint8Array(paddedLength(65));

/**
 * The level above `level` in a `merkleRoot` tree: `H(0x01 ‖ left ‖ right)` per pair, an odd last node paired with 32
 * zero bytes. Hashed in one scratch buffer: no input array per node.
 */
export function merkleLevelAbove(level: readonly Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  nodeInput[0] = 0x01;
  for (let at = 0; at < level.length; at += 2) {
    nodeInput.set(level[at] as Uint8Array, 1);
    nodeInput.set(level[at + 1] ?? EMPTY, 33);
    next.push(sha256Prefix(nodeInput, 65));
  }
  return next;
}
