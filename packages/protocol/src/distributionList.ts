import { bytesToHex, hexToBytes, sha256 } from "./encoding/hash.ts";
import { isLowerHex, packLowerHex, writeLowerHex } from "./encoding/lowerHex.ts";
import { merkleLevelAbove } from "./encoding/merkle.ts";
import {
  paddedLength,
  sha256Prefix,
  sha256PrefixPacked,
  unpackHash,
  writePackedHash,
} from "./encoding/sha256Compact.ts";
import type { Account, DistributionEntry, Hash } from "./types.ts";

/**
 * Distribution lists as Merkle trees (protocol.md §6.2, deviation 34). A leaf is the recipient's 32 bytes and the
 * amount as 32 big-endian bytes; the tree is `merkleRoot` (leaves tagged 0x00, inner nodes 0x01, odd levels padded
 * with 32 zero bytes). A contract checks one entry against the root in O(log n) sha256 calls, and the list itself
 * travels as a blob, `encodeList`, addressed by its sha256.
 */

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

/**
 * The input of one hash of a list tree, `0x00 ‖ leaf` or `0x01 ‖ left ‖ right` (65 bytes, with room for the padding),
 * reused: a claim checks 15 of them and allocates none.
 */
const stepInput = new Uint8Array(paddedLength(65));

const SMALL_AMOUNT_LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes an entry's 64 leaf bytes (see `listLeaf`) at `offset`; false, having written some, if it cannot be one. */
function writeListLeaf(recipient: Account, amount: bigint, bytes: Uint8Array, offset: number): boolean {
  if (typeof recipient !== "string" || recipient.length !== 64 || !writeLowerHex(recipient, bytes, offset))
    return false;
  if (amount < 0n || amount >= AMOUNT_LIMIT) return false;
  bytes.fill(0, offset + 32, offset + 64);
  if (amount <= SMALL_AMOUNT_LIMIT) {
    // Below 2^53 in doubles: no bigint per byte.
    let rest = Number(amount);
    for (let at = offset + 63; rest > 0; at -= 1) {
      bytes[at] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    return true;
  }
  let rest = amount;
  for (let at = offset + 63; at >= offset + 32 && rest > 0n; at -= 1) {
    bytes[at] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return true;
}

/** Each entry's leaf hash, `H(0x00 ‖ leaf)`, hashed in a scratch buffer (no leaf array per entry). */
function leafHashes(entries: readonly DistributionEntry[]): Uint8Array[] {
  return entries.map((entry, index) => {
    stepInput[0] = 0x00;
    if (!writeListLeaf(entry.recipient, entry.amount, stepInput, 1)) {
      throw new RangeError(`entry ${index} cannot be a list leaf`);
    }
    return sha256Prefix(stepInput, 65);
  });
}

/** The root a list is posted under: what auditors compare with their own list's (§6.3); `merkleRoot` of its leaves. */
export function listRoot(entries: readonly DistributionEntry[]): Hash {
  if (entries.length === 0) return bytesToHex(EMPTY);
  let level = leafHashes(entries);
  while (level.length > 1) level = merkleLevelAbove(level);
  return bytesToHex(level[0] as Uint8Array);
}

/** How many sibling hashes prove one entry of a list of `count` entries: the least `depth` with `2^depth ≥ count`. */
export function listProofDepth(count: number): number {
  if (count <= 1) return 0;
  if (count <= 2 ** 32) return 32 - Math.clz32(count - 1);
  let depth = 32;
  while (2 ** depth < count) depth += 1;
  return depth;
}

/** Every level of a list's tree, leaves first: built once to prove many entries (`proofAt`). */
export function listTree(entries: readonly DistributionEntry[]): Uint8Array[][] {
  let level = leafHashes(entries);
  const levels = [level];
  while (level.length > 1) {
    level = merkleLevelAbove(level);
    levels.push(level);
  }
  return levels;
}

/** Each tree's nodes as hex, filled as proofs need them: proving every entry of a list converts each node once. */
const treeHex = new WeakMap<readonly (readonly Uint8Array[])[], (string | undefined)[][]>();

/** The sibling hashes from the entry at `index` up to the root, from the list's `listTree`. */
export function proofAt(tree: readonly (readonly Uint8Array[])[], index: number): Hash[] {
  const count = tree[0]?.length ?? 0;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`no entry ${index} in a list of ${count}`);
  }
  let hex = treeHex.get(tree);
  if (hex === undefined) {
    hex = tree.map(() => []);
    treeHex.set(tree, hex);
  }
  const proof: Hash[] = [];
  let position = index;
  for (let depth = 0; depth < tree.length - 1; depth += 1) {
    const level = hex[depth] as (string | undefined)[];
    const sibling = position ^ 1;
    let text = level[sibling];
    if (text === undefined) {
      text = bytesToHex((tree[depth] as readonly Uint8Array[])[sibling] ?? EMPTY);
      level[sibling] = text;
    }
    proof.push(text);
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

/**
 * Inner node hashes of list trees, by their input: the node climbed to (packed), then the sibling as the proof gives
 * it (64 lowercase hex digits, checked before it is stored), one memo for each side the node is on. Claims of one
 * list climb the same upper levels of its tree (the level below the root is on every proof), so of the 14 inner
 * hashes a claim of a 10,000-entry list checks, about 13 were already computed by earlier claims, and a step found
 * here allocates nothing. The memo maps an input to exactly its hash, so a proof passes or fails as without it.
 * Bounded: it starts over past STEP_MEMO_LIMIT entries.
 */
const stepMemos = [new Map<string, Map<string, string>>(), new Map<string, Map<string, string>>()] as const;
let stepMemoSize = 0;
const STEP_MEMO_LIMIT = 1 << 16;
/**
 * `H(0x01 ‖ left ‖ right)` where `node` (packed) is the left child when `side` is 0 and the right one when it is 1,
 * and `sibling` (hex) the other; from the memo when it is there. Null if `sibling` is not 64 lowercase hex digits.
 */
function innerHash(node: string, sibling: string, side: 0 | 1): string | null {
  const memo = stepMemos[side];
  let bySibling = memo.get(node);
  const known = bySibling?.get(sibling);
  if (known !== undefined) return known;
  const other = typeof sibling === "string" ? packLowerHex(sibling) : null;
  if (other === null) return null;
  stepInput[0] = 0x01;
  writePackedHash(side === 0 ? node : other, stepInput, 1);
  writePackedHash(side === 0 ? other : node, stepInput, 33);
  const hash = sha256PrefixPacked(stepInput, 65);
  if (stepMemoSize >= STEP_MEMO_LIMIT) {
    stepMemos[0].clear();
    stepMemos[1].clear();
    stepMemoSize = 0;
    bySibling = undefined;
  }
  if (bySibling === undefined) {
    bySibling = new Map();
    memo.set(node, bySibling);
  }
  bySibling.set(sibling, hash);
  stepMemoSize += 1;
  return hash;
}

/**
 * Whether `(recipient, amount)` is entry `index` of the list of `count` entries under `root`: the leaf, then each
 * sibling on the way up, as `merkleRoot` builds the tree. Hashes are kept packed and inner hashes come from a memo
 * (`innerHash`), so checking a claim allocates little and hashes about two inputs, not fifteen.
 */
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
  stepInput[0] = 0x00;
  if (!writeListLeaf(recipient, amount, stepInput, 1)) return false;
  let node = sha256PrefixPacked(stepInput, 65);
  let position = index;
  for (const sibling of proof) {
    const next = innerHash(node, sibling, position % 2 === 0 ? 0 : 1);
    if (next === null) return false;
    node = next;
    position = Math.floor(position / 2);
  }
  return bytesToHex(unpackHash(node)) === root;
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
