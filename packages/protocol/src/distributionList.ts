import { bytesToHex, hexToBytes, sha256 } from "./encoding/hash.ts";
import { isLowerHex } from "./encoding/lowerHex.ts";
import { merkleRoot } from "./encoding/merkle.ts";
import { sha256Compact } from "./encoding/sha256Compact.ts";
import type { Account, DistributionEntry, Hash } from "./types.ts";

/**
 * Distribution lists as Merkle trees (protocol.md §6.2, deviation 34). A leaf is the recipient's 32 bytes and the
 * amount as 32 big-endian bytes; the tree is `merkleRoot` (leaves tagged 0x00, inner nodes 0x01, odd levels padded
 * with 32 zero bytes). A contract checks one entry against the root in O(log n) sha256 calls, and the list itself
 * travels as a blob, `encodeList`, addressed by its sha256.
 */

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);
const EMPTY = new Uint8Array(32);
const AMOUNT_LIMIT = 1n << 128n;

/** The leaf bytes of one entry, or null when the entry cannot be one (a recipient that is not 64 lower hex). */
export function listLeaf(recipient: Account, amount: bigint): Uint8Array | null {
  if (!isLowerHex(recipient, 64) || amount < 0n || amount >= AMOUNT_LIMIT) return null;
  const leaf = new Uint8Array(64);
  leaf.set(hexToBytes(recipient), 0);
  let rest = amount;
  for (let index = 63; index >= 32 && rest > 0n; index -= 1) {
    leaf[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return leaf;
}

function leaves(entries: readonly DistributionEntry[]): Uint8Array[] {
  return entries.map((entry, index) => {
    const leaf = listLeaf(entry.recipient, entry.amount);
    if (leaf === null) throw new RangeError(`entry ${index} cannot be a list leaf`);
    return leaf;
  });
}

/** The root a list is posted under: what auditors compare with their own list's (§6.3). */
export function listRoot(entries: readonly DistributionEntry[]): Hash {
  return bytesToHex(merkleRoot(leaves(entries)));
}

/** How many sibling hashes prove one entry of a list of `count` entries. */
export function listProofDepth(count: number): number {
  let depth = 0;
  while (2 ** depth < count) depth += 1;
  return depth;
}

/** Every level of a list's tree, leaves first: built once to prove many entries (`proofAt`). */
export function listTree(entries: readonly DistributionEntry[]): Uint8Array[][] {
  let level = leaves(entries).map((leaf) => sha256Compact(LEAF, leaf));
  const levels = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let at = 0; at < level.length; at += 2) {
      next.push(sha256Compact(NODE, level[at] as Uint8Array, level[at + 1] ?? EMPTY));
    }
    level = next;
    levels.push(level);
  }
  return levels;
}

/** The sibling hashes from the entry at `index` up to the root, from the list's `listTree`. */
export function proofAt(tree: readonly (readonly Uint8Array[])[], index: number): Hash[] {
  const count = tree[0]?.length ?? 0;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`no entry ${index} in a list of ${count}`);
  }
  const proof: Hash[] = [];
  let position = index;
  for (let depth = 0; depth < tree.length - 1; depth += 1) {
    proof.push(bytesToHex((tree[depth] as readonly Uint8Array[])[position ^ 1] ?? EMPTY));
    position >>= 1;
  }
  return proof;
}

/** The sibling hashes from the entry at `index` up to the root. */
export function listProof(entries: readonly DistributionEntry[], index: number): Hash[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= entries.length) {
    throw new RangeError(`no entry ${index} in a list of ${entries.length}`);
  }
  return proofAt(listTree(entries), index);
}

/** Whether `(recipient, amount)` is entry `index` of the list of `count` entries under `root`. */
export function verifyListProof(
  root: Hash,
  count: number,
  index: number,
  recipient: Account,
  amount: bigint,
  proof: readonly Hash[],
): boolean {
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) return false;
  if (proof.length !== listProofDepth(count)) return false;
  const leaf = listLeaf(recipient, amount);
  if (leaf === null) return false;
  let node = sha256Compact(LEAF, leaf);
  let position = index;
  for (const sibling of proof) {
    if (!isLowerHex(sibling, 64)) return false;
    const other = hexToBytes(sibling);
    node = position % 2 === 0 ? sha256Compact(NODE, node, other) : sha256Compact(NODE, other, node);
    position = Math.floor(position / 2);
  }
  return bytesToHex(node) === root;
}

/**
 * A list's blob: one line per entry, `recipient amount`, in list order. Plain and strict, so any implementation
 * writes the same bytes and `decodeList` refuses anything else.
 */
export function encodeList(entries: readonly DistributionEntry[]): Uint8Array {
  return new TextEncoder().encode(entries.map((entry) => `${entry.recipient} ${entry.amount}\n`).join(""));
}

/** The sha256 a list's blob is stored under. */
export function listBlobHash(entries: readonly DistributionEntry[]): Hash {
  return bytesToHex(sha256(encodeList(entries)));
}

const LINE = /^([0-9a-f]{64}) (0|[1-9][0-9]{0,38})$/;

/** Parses a list blob; null when it is not exactly what `encodeList` writes. */
export function decodeList(bytes: Uint8Array): DistributionEntry[] | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  if (text === "") return [];
  if (!text.endsWith("\n")) return null;
  const entries: DistributionEntry[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const match = LINE.exec(line);
    if (match === null) return null;
    const amount = BigInt(match[2] as string);
    if (amount >= AMOUNT_LIMIT) return null;
    entries.push({ recipient: match[1] as string, amount });
  }
  return entries;
}
