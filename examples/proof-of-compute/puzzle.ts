/**
 * The puzzle: find a nonce such that sha256(seed || nonce) starts with `difficultyBits` zero bits, where the seed
 * is bound to (task, cycle, node). Finding one takes about 2^difficultyBits hashes; checking one takes one hash.
 */
import { bytesToHex, hashCanonical, hexToBytes, sha256 } from "@gradual/protocol";

/** Most difficulty we accept: 2^32 hashes is already minutes of work per cycle. */
export const MAX_DIFFICULTY_BITS = 32;

export type Solution = { readonly nonce: number; readonly digest: string; readonly attempts: number };

/** The per-node seed: a proof made for one node (or cycle, or task) is useless to any other. */
export function puzzleSeed(taskId: string, cycle: number, node: string): Uint8Array {
  return hashCanonical("example/proof-of-compute/seed", { task: taskId, cycle, node });
}

/** sha256(seed || nonce as 8 bytes big-endian). */
export function puzzleDigest(seed: Uint8Array, nonce: number): Uint8Array {
  const input = new Uint8Array(seed.length + 8);
  input.set(seed);
  new DataView(input.buffer).setBigUint64(seed.length, BigInt(nonce));
  return sha256(input);
}

export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function assertDifficulty(difficultyBits: number): void {
  if (!Number.isSafeInteger(difficultyBits) || difficultyBits < 0 || difficultyBits > MAX_DIFFICULTY_BITS) {
    throw new RangeError(`expected difficultyBits in [0, ${MAX_DIFFICULTY_BITS}], got ${difficultyBits}`);
  }
}

/**
 * Tries nonces 0, 1, 2, ... and returns the first that solves the puzzle. It gives up after 64 times the expected
 * work (a chance of e^-64) so the loop is bounded, and awaits `pause` every `pauseEvery` attempts so a long search
 * does not starve the event loop.
 */
export async function solvePuzzle(
  seed: Uint8Array,
  difficultyBits: number,
  pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
  pauseEvery = 1 << 16,
): Promise<Solution> {
  assertDifficulty(difficultyBits);
  const maxAttempts = 2 ** (difficultyBits + 6);
  const input = new Uint8Array(seed.length + 8);
  input.set(seed);
  const view = new DataView(input.buffer);
  for (let nonce = 0; nonce < maxAttempts; nonce += 1) {
    view.setBigUint64(seed.length, BigInt(nonce));
    const digest = sha256(input);
    if (leadingZeroBits(digest) >= difficultyBits) return { nonce, digest: bytesToHex(digest), attempts: nonce + 1 };
    if ((nonce + 1) % pauseEvery === 0) await pause();
  }
  throw new Error(`no solution in ${maxAttempts} attempts at difficulty ${difficultyBits}`);
}

/** One hash: whether `nonce` solves the puzzle for `seed` and `digest` is its hash. */
export function checkSolution(seed: Uint8Array, difficultyBits: number, nonce: number, digest: string): boolean {
  assertDifficulty(difficultyBits);
  if (!Number.isSafeInteger(nonce) || nonce < 0 || !/^[0-9a-f]{64}$/.test(digest)) return false;
  const actual = puzzleDigest(seed, nonce);
  return bytesToHex(actual) === digest && leadingZeroBits(hexToBytes(digest)) >= difficultyBits;
}
