import { ByteWriter, writeValue } from "../encoding/recordBytes.ts";
import {
  paddedLength,
  sha256Midstate,
  sha256PackedAfter,
  sha256PrefixPacked,
  sha256PrefixState,
  unpackHash,
  writePackedHash,
} from "../encoding/sha256Compact.ts";
import { type KeyHead, type KeyLike, keyText, type StateKey } from "./keys.ts";

/**
 * A persistent (path-copying) hexary Merkle trie keyed by sha256(key) (protocol.md §9.4).
 *
 * - Sixteen children a branch, one per nibble of the key hash: a path is about 5 branches deep in a 100,000-node
 *   task instead of 17, and a block that changes many records hashes about a third of the bytes a binary trie
 *   hashes (each changed branch hashes only its present children, see `trieHash`).
 * - Updates copy only the path to the changed leaf, so every state stays valid after a transition: `applyTransaction`
 *   is pure without cloning the whole state. Inside an edit session (a block) a branch is copied once and then
 *   changed in place.
 * - Each node caches its hash once computed, and a state's nodes are never changed afterwards (only the hash cache is
 *   filled), so the root of a new state rehashes only the nodes the change created: cost grows with what changed,
 *   not with the size of the state.
 * - The shape is canonical: a leaf sits at the shallowest depth where it is alone in its subtree, and a deletion
 *   lifts a lone leaf back up. The root depends only on the set of (key, value) pairs, never on their order.
 */

/**
 * A node's hash once computed, kept in the node itself as eleven big-endian chunks of its bytes, ten of three bytes
 * and one of two (small integers in the node's own fields; `h0` is -1 until the hash is computed, and again once the
 * node changes): a branch's hash reads each child's hash from the child alone, not from a string the child points
 * to, which is a second cache miss per child on a large state, and computing a hash allocates nothing.
 */
export type NodeHash = {
  h0: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;
  h8: number;
  h9: number;
  h10: number;
};

export type TrieLeaf = NodeHash & {
  readonly kind: "leaf";
  readonly key: string;
  /** sha256 of the key, packed (see `sha256PrefixPacked`). */
  readonly keyHash: string;
  readonly value: unknown;
};

export type TrieBranch = NodeHash & {
  readonly kind: "branch";
  /** Sixteen slots, indexed by the key hash's nibble at this branch's depth. */
  readonly children: (TrieNode | null)[];
  /** The edit session that created this node; only that session may change it in place (see `EditSession`). */
  readonly owner: EditSession | null;
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

const RADIX = 16;
/** A key hash has 64 nibbles; two keys that share all of them collide in sha256. */
const MAX_DEPTH = 64;
const EMPTY_HASH = new Uint8Array(32);
const LEAF_TAG = 0x00;
/** Bytes past a message that its SHA-256 padding can take. */
const PADDING_ROOM = 72;
const BRANCH_TAG = 0x01;

/** Scratch buffers for the bytes a hash covers; nothing holds on to them between two hashes. */
const leafInput = new ByteWriter();
const keyInput = new ByteWriter();
/** One branch input buffer per depth: a branch fills its own while its children use those below it. */
const branchInputs = Array.from({ length: MAX_DEPTH + 1 }, () => new Uint8Array(paddedLength(3 + RADIX * 32)));

/** Key hashes are pure functions of the key; a bounded memo avoids rehashing hot keys (task and cycle records). */
const keyHashMemo = new Map<string, string>();
const KEY_HASH_MEMO_LIMIT = 1 << 20;

/** sha256 of the key's UTF-8 (a `StateKey`'s text's). */
export function keyHashOf(key: KeyLike): Uint8Array {
  return unpackHash(packedKeyHash(key));
}

/**
 * sha256 of the key's UTF-8, packed: carried by a StateKey once computed; for a key given as text, from the memo
 * when it is there. A StateKey's first hash does not look in the memo: its text is a freshly concatenated string,
 * which a map lookup would have to flatten and hash (about 0.45 µs, as much as encoding it), and the memo holds
 * only keys read or written as text (queries by text, a state rebuilt from its records), so it would rarely help.
 */
function packedKeyHash(key: KeyLike): string {
  if (typeof key !== "string") {
    if (key.hash === undefined) key.hash = key.head === undefined ? computeKeyHash(key.text) : headedKeyHash(key);
    return key.hash;
  }
  let hash = keyHashMemo.get(key);
  if (hash === undefined) {
    if (keyHashMemo.size >= KEY_HASH_MEMO_LIMIT) keyHashMemo.clear();
    hash = computeKeyHash(key);
    keyHashMemo.set(key, hash);
  }
  return hash;
}

/**
 * The key's UTF-8 is written by the platform's encoder: a new key's text is a freshly concatenated string, and
 * reading it character by character in JavaScript (flattening it first) costs about four times as much. The bytes
 * are the same (TextEncoder is what `ByteWriter.utf8` falls back to for any text that is not ASCII).
 */
const keyEncoder = new TextEncoder();

function computeKeyHash(key: string): string {
  keyInput.length = 0;
  // UTF-8 takes at most three bytes a UTF-16 unit; then room for the padding, so the key is hashed where it is.
  keyInput.reserve(key.length * 3 + PADDING_ROOM);
  keyInput.length = keyEncoder.encodeInto(key, keyInput.bytes).written;
  return sha256PrefixPacked(keyInput.bytes, keyInput.length);
}

/**
 * `computeKeyHash` of a key whose first 64 bytes it shares with the other keys of its head (`KeyHead`): SHA-256's
 * state after them is computed once, by the head's first key, and each key compresses only what follows.
 */
function headedKeyHash(key: StateKey): string {
  const text = key.text;
  const head = key.head as KeyHead;
  keyInput.length = 0;
  keyInput.reserve(text.length * 3 + PADDING_ROOM);
  keyInput.length = keyEncoder.encodeInto(text, keyInput.bytes).written;
  if (head.midstate === undefined) head.midstate = sha256Midstate(keyInput.bytes);
  return sha256PackedAfter(head.midstate, keyInput.bytes, keyInput.length);
}

/** Nibble `depth` of a packed hash: each character holds four. */
function nibbleAt(hash: string, depth: number): number {
  return (hash.charCodeAt(depth >> 2) >> (12 - 4 * (depth & 3))) & 0x0f;
}

// biome-ignore format: the eleven chunks on one line
function branch(children: (TrieNode | null)[], owner: EditSession | null): TrieBranch {
  return { kind: "branch", children, owner, h0: -1, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0, h7: 0, h8: 0, h9: 0, h10: 0 };
}

// biome-ignore format: the eleven chunks on one line
function leaf(key: string, keyHash: string, value: unknown): TrieLeaf {
  return { kind: "leaf", key, keyHash, value, h0: -1, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0, h7: 0, h8: 0, h9: 0, h10: 0 };
}

function emptyChildren(): (TrieNode | null)[] {
  return [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null];
}

export function trieGet(root: TrieNode | null, key: KeyLike): unknown {
  const keyHash = packedKeyHash(key);
  const text = keyText(key);
  let node = root;
  let depth = 0;
  while (node !== null) {
    if (node.kind === "leaf") return node.key === text ? node.value : undefined;
    node = node.children[nibbleAt(keyHash, depth)] as TrieNode | null;
    depth += 1;
  }
  return undefined;
}

/** Places two leaves whose hashes share a prefix below a chain of branches that ends where their nibbles differ. */
function split(existing: TrieLeaf, incoming: TrieLeaf, depth: number, owner: EditSession | null): TrieBranch {
  if (depth >= MAX_DEPTH) throw new Error(`trie: sha256 collision between ${existing.key} and ${incoming.key}`);
  const children = emptyChildren();
  const existingNibble = nibbleAt(existing.keyHash, depth);
  const incomingNibble = nibbleAt(incoming.keyHash, depth);
  if (existingNibble === incomingNibble) children[existingNibble] = split(existing, incoming, depth + 1, owner);
  else {
    children[existingNibble] = existing;
    children[incomingNibble] = incoming;
  }
  return branch(children, owner);
}

/** The branch with slot `index` set to `child`: `node` itself if the session owns it, else a copy. */
function withChild(node: TrieBranch, index: number, child: TrieNode | null, owner: EditSession | null): TrieBranch {
  if (owner !== null && node.owner === owner) {
    node.children[index] = child;
    node.h0 = -1;
    return node;
  }
  const children = node.children.slice();
  children[index] = child;
  return branch(children, owner);
}

/** Where `trieSet` reports the value it replaced or removed (see `Replaced`), or null. */
let replacedOut: Replaced | null = null;

function insert(node: TrieNode | null, incoming: TrieLeaf, depth: number, owner: EditSession | null): TrieNode {
  if (node === null) return incoming;
  if (node.kind === "leaf") {
    if (node.key !== incoming.key) return split(node, incoming, depth, owner);
    if (replacedOut !== null) replacedOut.value = node.value;
    return incoming;
  }
  const index = nibbleAt(incoming.keyHash, depth);
  const child = node.children[index] as TrieNode | null;
  return withChild(node, index, insert(child, incoming, depth + 1, owner), owner);
}

/** What `remove` returns when the key is not in the subtree: nothing changed, not even in place. */
const ABSENT = Symbol("absent");

/**
 * The subtree without `key`, or ABSENT. A branch left with one leaf and nothing else hands the leaf up; a branch
 * with one branch child stays. A branch the session owns is changed in place, so identity does not tell whether
 * anything changed: hence ABSENT, without which an ancestor would keep a stale cached hash.
 */
function remove(
  node: TrieNode | null,
  key: string,
  keyHash: string,
  depth: number,
  owner: EditSession | null,
): TrieNode | null | typeof ABSENT {
  if (node === null) return ABSENT;
  if (node.kind === "leaf") {
    if (node.key !== key) return ABSENT;
    if (replacedOut !== null) replacedOut.value = node.value;
    return null;
  }
  const index = nibbleAt(keyHash, depth);
  const replaced = remove(node.children[index] as TrieNode | null, key, keyHash, depth + 1, owner);
  if (replaced === ABSENT) return ABSENT;
  let only: TrieNode | null = null;
  let count = 0;
  for (let slot = 0; slot < RADIX; slot += 1) {
    const other = slot === index ? replaced : (node.children[slot] as TrieNode | null);
    if (other === null) continue;
    count += 1;
    only = other;
  }
  if (count === 0) return null;
  if (count === 1 && (only as TrieNode).kind === "leaf") return only;
  return withChild(node, index, replaced, owner);
}

/** Filled by `trieSet` with the value the key had before (`undefined` if it had none): no second walk to read it. */
export type Replaced = { value: unknown };

export function trieSet(
  root: TrieNode | null,
  key: KeyLike,
  value: unknown,
  owner: EditSession | null = null,
  replaced: Replaced | null = null,
): TrieNode | null {
  const keyHash = packedKeyHash(key);
  const text = keyText(key);
  if (replaced !== null) replaced.value = undefined;
  replacedOut = replaced;
  try {
    if (value === undefined) {
      const removed = remove(root, text, keyHash, 0, owner);
      return removed === ABSENT ? root : removed;
    }
    return insert(root, leaf(text, keyHash, value), 0, owner);
  } finally {
    replacedOut = null;
  }
}

/** Writes a leaf's hash input, `0x00, keyHash, record bytes of value`, into `leafInput` (with room for the padding). */
function writeLeafInput(keyHash: string, value: unknown): void {
  leafInput.length = 0;
  leafInput.byte(LEAF_TAG);
  leafInput.reserve(32);
  writePackedHash(keyHash, leafInput.bytes, leafInput.length);
  leafInput.length += 32;
  writeValue(leafInput, value);
  leafInput.reserve(PADDING_ROOM);
}

/** `H(0x00, keyHash, record bytes of value)`, packed. */
function leafHash(keyHash: string, value: unknown): string {
  writeLeafInput(keyHash, value);
  return sha256PrefixPacked(leafInput.bytes, leafInput.length);
}

/** The same hash as SHA-256's state words (valid until the next hash). */
function leafState(keyHash: string, value: unknown): Int32Array {
  writeLeafInput(keyHash, value);
  return sha256PrefixState(leafInput.bytes, leafInput.length);
}

/**
 * `H(0x01, bitmap of present children (16 bits, child i is bit 15 - i), their hashes in slot order)`, each child
 * hashed by `hashOf` straight into this depth's input buffer: the full rehash's (`hashNode` is the same with the
 * hashes kept in the nodes).
 */
function branchHash(node: TrieBranch, depth: number, hashOf: (node: TrieNode, depth: number) => string): string {
  const input = branchInputs[depth] as Uint8Array;
  let bitmap = 0;
  let length = 3;
  for (let slot = 0; slot < RADIX; slot += 1) {
    const child = node.children[slot] as TrieNode | null;
    if (child === null) continue;
    bitmap |= 1 << (RADIX - 1 - slot);
    writePackedHash(hashOf(child, depth + 1), input, length);
    length += 32;
  }
  input[0] = BRANCH_TAG;
  input[1] = bitmap >> 8;
  input[2] = bitmap & 0xff;
  return sha256PrefixPacked(input, length);
}

/** The root hash of the trie (protocol.md §9.4), rehashing only nodes whose hash is not cached yet. */
export function trieHash(root: TrieNode | null): Uint8Array {
  if (root === null) return EMPTY_HASH;
  if (root.h0 < 0) hashNode(root, 0);
  const bytes = new Uint8Array(32);
  writeNodeHash(root, bytes, 0);
  return bytes;
}

/** Computes the node's hash into its halves, and first those of its children that have none. */
function hashNode(node: TrieNode, depth: number): void {
  if (node.kind === "leaf") {
    storeHash(node, leafState(node.keyHash, node.value));
    return;
  }
  const input = branchInputs[depth] as Uint8Array;
  const children = node.children;
  let bitmap = 0;
  let length = 3;
  for (let slot = 0; slot < RADIX; slot += 1) {
    const child = children[slot] as TrieNode | null;
    if (child === null) continue;
    bitmap |= 1 << (RADIX - 1 - slot);
    if (child.h0 < 0) hashNode(child, depth + 1);
    writeNodeHash(child, input, length);
    length += 32;
  }
  input[0] = BRANCH_TAG;
  input[1] = bitmap >> 8;
  input[2] = bitmap & 0xff;
  storeHash(node, sha256PrefixState(input, length));
}

/** Keeps the digest in `state` (SHA-256's eight words) in the node's chunks: three words make four chunks. */
function storeHash(node: NodeHash, state: Int32Array): void {
  const word0 = state[0] as number;
  const word1 = state[1] as number;
  const word2 = state[2] as number;
  const word3 = state[3] as number;
  const word4 = state[4] as number;
  const word5 = state[5] as number;
  const word6 = state[6] as number;
  const word7 = state[7] as number;
  node.h0 = word0 >>> 8;
  node.h1 = ((word0 & 0xff) << 16) | (word1 >>> 16);
  node.h2 = ((word1 & 0xffff) << 8) | (word2 >>> 24);
  node.h3 = word2 & 0xffffff;
  node.h4 = word3 >>> 8;
  node.h5 = ((word3 & 0xff) << 16) | (word4 >>> 16);
  node.h6 = ((word4 & 0xffff) << 8) | (word5 >>> 24);
  node.h7 = word5 & 0xffffff;
  node.h8 = word6 >>> 8;
  node.h9 = ((word6 & 0xff) << 16) | (word7 >>> 16);
  node.h10 = word7 & 0xffff;
}

/** Writes the node's hash (computed) as 32 bytes at `at`. */
function writeNodeHash(node: NodeHash, bytes: Uint8Array, at: number): void {
  writeChunk(bytes, at, node.h0);
  writeChunk(bytes, at + 3, node.h1);
  writeChunk(bytes, at + 6, node.h2);
  writeChunk(bytes, at + 9, node.h3);
  writeChunk(bytes, at + 12, node.h4);
  writeChunk(bytes, at + 15, node.h5);
  writeChunk(bytes, at + 18, node.h6);
  writeChunk(bytes, at + 21, node.h7);
  writeChunk(bytes, at + 24, node.h8);
  writeChunk(bytes, at + 27, node.h9);
  const last = node.h10;
  bytes[at + 30] = last >> 8;
  bytes[at + 31] = last & 0xff;
}

/** Three bytes, big-endian. */
function writeChunk(bytes: Uint8Array, at: number, chunk: number): void {
  bytes[at] = chunk >> 16;
  bytes[at + 1] = (chunk >> 8) & 0xff;
  bytes[at + 2] = chunk & 0xff;
}

/** Visits every leaf in key-hash order. */
export function* trieEntries(node: TrieNode | null): Generator<[string, unknown]> {
  if (node === null) return;
  if (node.kind === "leaf") {
    yield [node.key, node.value];
    return;
  }
  for (const child of node.children) yield* trieEntries(child);
}

/**
 * Visits every leaf in key-hash order, as `trieEntries` yields them, by callback: no generator per level and no
 * array per leaf (a full recount of a large state visits every record).
 */
export function trieForEach(node: TrieNode | null, visit: (key: string, value: unknown) => void): void {
  if (node === null) return;
  if (node.kind === "leaf") {
    visit(node.key, node.value);
    return;
  }
  const { children } = node;
  for (let slot = 0; slot < RADIX; slot += 1) trieForEach(children[slot] as TrieNode | null, visit);
}

/** Hashes every leaf and branch from scratch, ignoring caches: the baseline the incremental root is measured against. */
export function trieFullRehash(root: TrieNode | null): Uint8Array {
  return root === null ? EMPTY_HASH : unpackHash(rehash(root, 0));
}

function rehash(node: TrieNode, depth: number): string {
  if (node.kind === "leaf") return leafHash(computeKeyHash(node.key), node.value);
  return branchHash(node, depth, rehash);
}

/**
 * Leaves that differ between two tries, found by walking both and skipping shared subtrees (pointer-equal after
 * path copying): O(changes x depth). A removed key yields `undefined` as its new value. `trieDiffEach`'s walk.
 */
export function* trieDiff(before: TrieNode | null, after: TrieNode | null): Generator<[string, unknown]> {
  const changes: [string, unknown][] = [];
  trieDiffEach(before, after, (key, _old, value) => {
    changes.push([key, value]);
  });
  yield* changes;
}

/**
 * The leaves that differ between two tries, each handed to `visit` with its old and new value (`undefined` when the
 * key is absent on that side), skipping shared subtrees: no generator per level and no second lookup of the old
 * value (the simulator's per-round recount visits every record a round changed).
 */
export function trieDiffEach(
  before: TrieNode | null,
  after: TrieNode | null,
  visit: (key: string, old: unknown, value: unknown) => void,
): void {
  if (before === after) return;
  if (before !== null && after !== null && before.kind === "branch" && after.kind === "branch") {
    const was = before.children;
    const now = after.children;
    for (let slot = 0; slot < RADIX; slot += 1) {
      const one = was[slot] as TrieNode | null;
      const other = now[slot] as TrieNode | null;
      if (one !== other) trieDiffEach(one, other, visit);
    }
    return;
  }
  // The usual ends of a walk, without collecting entries: a record changed, added or removed.
  if (after !== null && after.kind === "leaf") {
    if (before === null) {
      visit(after.key, undefined, after.value);
      return;
    }
    if (before.kind === "leaf" && before.key === after.key) {
      if (before.value !== after.value) visit(after.key, before.value, after.value);
      return;
    }
  } else if (after === null && before !== null && before.kind === "leaf") {
    visit(before.key, before.value, undefined);
    return;
  }
  if (before === null) {
    // A subtree that is new as a whole: every record in it was added.
    trieForEach(after, (key, value) => visit(key, undefined, value));
    return;
  }
  const old = new Map<string, unknown>();
  trieForEach(before, (key, value) => {
    old.set(key, value);
  });
  trieForEach(after, (key, value) => {
    const previous = old.get(key);
    if (previous !== value || !old.has(key)) visit(key, previous, value);
    old.delete(key);
  });
  old.forEach((previous, key) => {
    visit(key, previous, undefined);
  });
}
