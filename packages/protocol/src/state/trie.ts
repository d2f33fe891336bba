import { canonicalBytes } from "../encoding/canonical.ts";
import { sha256Compact } from "../encoding/sha256Compact.ts";

/**
 * A persistent (path-copying) binary Merkle trie keyed by sha256(key) (protocol.md §9.4).
 *
 * - Updates copy only the path to the changed leaf, so every state stays valid after a transition: `applyTransaction`
 *   is pure without cloning the whole state.
 * - Each node caches its hash once computed. Nodes are never mutated after creation (only the hash cache is filled),
 *   so the root of a new state rehashes only the nodes the change created: cost grows with what changed, not with
 *   the size of the state.
 * - The shape is canonical: a leaf sits at the shallowest depth where it is alone in its subtree, and a deletion
 *   lifts a lone leaf back up. The root depends only on the set of (key, value) pairs, never on their order.
 */

export type TrieLeaf = {
  readonly kind: "leaf";
  readonly key: string;
  readonly keyHash: Uint8Array;
  readonly value: unknown;
  hash: Uint8Array | undefined;
};

export type TrieBranch = {
  readonly kind: "branch";
  left: TrieNode | null;
  right: TrieNode | null;
  hash: Uint8Array | undefined;
  /** The edit session that created this node; only that session may change it in place (see `EditSession`). */
  owner: EditSession | null;
};

/**
 * A transient edit session (as in Clojure's transients): branches created during the session are changed in place
 * by later writes of the same session instead of being copied again. A state that existed before the session
 * never changes, because none of its nodes is owned by the session. Callers must not expose intermediate states.
 */
export type EditSession = { readonly id: number };
let nextSessionId = 1;
export function createEditSession(): EditSession {
  nextSessionId += 1;
  return { id: nextSessionId };
}

export type TrieNode = TrieLeaf | TrieBranch;

const EMPTY_HASH = new Uint8Array(32);
const LEAF_TAG = new Uint8Array([0]);
const BRANCH_TAG = new Uint8Array([1]);

/** Key hashes are pure functions of the key; a bounded memo avoids rehashing hot keys (task and cycle records). */
const keyHashMemo = new Map<string, Uint8Array>();
const KEY_HASH_MEMO_LIMIT = 1 << 20;
const encoder = new TextEncoder();

export function keyHashOf(key: string): Uint8Array {
  let hash = keyHashMemo.get(key);
  if (hash === undefined) {
    if (keyHashMemo.size >= KEY_HASH_MEMO_LIMIT) keyHashMemo.clear();
    hash = sha256Compact(encoder.encode(key));
    keyHashMemo.set(key, hash);
  }
  return hash;
}

function bitAt(hash: Uint8Array, depth: number): 0 | 1 {
  return (((hash[depth >> 3] as number) >> (7 - (depth & 7))) & 1) as 0 | 1;
}

function branch(left: TrieNode | null, right: TrieNode | null, owner: EditSession | null = null): TrieBranch {
  return { kind: "branch", left, right, hash: undefined, owner };
}

function leaf(key: string, keyHash: Uint8Array, value: unknown): TrieLeaf {
  return { kind: "leaf", key, keyHash, value, hash: undefined };
}

export function trieGet(root: TrieNode | null, key: string): unknown {
  const keyHash = keyHashOf(key);
  let node = root;
  let depth = 0;
  while (node !== null) {
    if (node.kind === "leaf") return node.key === key ? node.value : undefined;
    node = bitAt(keyHash, depth) === 0 ? node.left : node.right;
    depth += 1;
  }
  return undefined;
}

/** Places two leaves whose hashes share a prefix below a chain of branches that ends where their bits differ. */
function split(existing: TrieLeaf, incoming: TrieLeaf, depth: number): TrieBranch {
  if (depth >= 256) throw new Error(`trie: sha256 collision between ${existing.key} and ${incoming.key}`);
  const existingBit = bitAt(existing.keyHash, depth);
  const incomingBit = bitAt(incoming.keyHash, depth);
  if (existingBit !== incomingBit) {
    return existingBit === 0 ? branch(existing, incoming) : branch(incoming, existing);
  }
  const below = split(existing, incoming, depth + 1);
  return existingBit === 0 ? branch(below, null) : branch(null, below);
}

function insert(node: TrieNode | null, incoming: TrieLeaf, depth: number, owner: EditSession | null): TrieNode {
  if (node === null) return incoming;
  if (node.kind === "leaf") {
    if (node.key === incoming.key) return incoming;
    return split(node, incoming, depth);
  }
  const goesLeft = bitAt(incoming.keyHash, depth) === 0;
  if (owner !== null && node.owner === owner) {
    if (goesLeft) node.left = insert(node.left, incoming, depth + 1, owner);
    else node.right = insert(node.right, incoming, depth + 1, owner);
    node.hash = undefined;
    return node;
  }
  if (goesLeft) return branch(insert(node.left, incoming, depth + 1, owner), node.right, owner);
  return branch(node.left, insert(node.right, incoming, depth + 1, owner), owner);
}

/** A branch left with one leaf and nothing else hands the leaf up; a branch with one branch child stays. */
function collapse(left: TrieNode | null, right: TrieNode | null): TrieNode | null {
  if (left === null && right === null) return null;
  if (left === null && right !== null && right.kind === "leaf") return right;
  if (right === null && left !== null && left.kind === "leaf") return left;
  return branch(left, right);
}

function remove(node: TrieNode | null, key: string, keyHash: Uint8Array, depth: number): TrieNode | null {
  if (node === null) return null;
  if (node.kind === "leaf") return node.key === key ? null : node;
  if (bitAt(keyHash, depth) === 0) {
    const left = remove(node.left, key, keyHash, depth + 1);
    return left === node.left ? node : collapse(left, node.right);
  }
  const right = remove(node.right, key, keyHash, depth + 1);
  return right === node.right ? node : collapse(node.left, right);
}

export function trieSet(
  root: TrieNode | null,
  key: string,
  value: unknown,
  owner: EditSession | null = null,
): TrieNode | null {
  const keyHash = keyHashOf(key);
  if (value === undefined) return remove(root, key, keyHash, 0);
  return insert(root, leaf(key, keyHash, value), 0, owner);
}

export function trieHash(node: TrieNode | null): Uint8Array {
  if (node === null) return EMPTY_HASH;
  if (node.hash !== undefined) return node.hash;
  let hash: Uint8Array;
  if (node.kind === "leaf") {
    hash = sha256Compact(LEAF_TAG, node.keyHash, canonicalBytes(node.value));
  } else {
    hash = sha256Compact(BRANCH_TAG, trieHash(node.left), trieHash(node.right));
  }
  node.hash = hash;
  return hash;
}

/** Visits every leaf in key-hash order. */
export function* trieEntries(node: TrieNode | null): Generator<[string, unknown]> {
  if (node === null) return;
  if (node.kind === "leaf") {
    yield [node.key, node.value];
    return;
  }
  yield* trieEntries(node.left);
  yield* trieEntries(node.right);
}

/** Hashes every leaf and branch from scratch, ignoring caches: the baseline the incremental root is measured against. */
export function trieFullRehash(node: TrieNode | null): Uint8Array {
  if (node === null) return EMPTY_HASH;
  if (node.kind === "leaf")
    return sha256Compact(LEAF_TAG, sha256Compact(encoder.encode(node.key)), canonicalBytes(node.value));
  return sha256Compact(BRANCH_TAG, trieFullRehash(node.left), trieFullRehash(node.right));
}

/**
 * Leaves that differ between two tries, found by walking both and skipping shared subtrees (pointer-equal after
 * path copying): O(changes x depth). A removed key yields `undefined` as its new value.
 */
export function* trieDiff(before: TrieNode | null, after: TrieNode | null): Generator<[string, unknown]> {
  if (before === after) return;
  if (after === null || after.kind === "leaf" || before === null || before.kind === "leaf") {
    const old = new Map<string, unknown>(trieEntries(before));
    for (const [key, value] of trieEntries(after)) {
      if (old.get(key) !== value || !old.has(key)) yield [key, value];
      old.delete(key);
    }
    for (const key of old.keys()) yield [key, undefined];
    return;
  }
  yield* trieDiff(before.left, after.left);
  yield* trieDiff(before.right, after.right);
}
