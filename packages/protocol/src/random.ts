import { bytesToHex, hexToBytes, sha256 } from "./encoding/hash.ts";
import { writeLowerHex } from "./encoding/lowerHex.ts";
import { paddedLength, sha256Prefix } from "./encoding/sha256Compact.ts";
import type { Account, Hash } from "./types.ts";

/**
 * Seeded choices (protocol.md §4.4, §5.1, §6.1). Everything here is a pure function of a cycle seed that is fixed
 * only after the last reveal, so nobody can pick a position in an assignment or a draw before committing.
 */

export function taskGenesisSeed(task: Hash): Hash {
  return bytesToHex(sha256("gradual/seed/genesis/v1\n", hexToBytes(task)));
}

export const EMPTY_ACCUMULATOR: Hash = "0".repeat(64);

const SALT_TAG = "gradual/seed/salt/v2\n";
/** The accumulator keeps a hash's first 12 bytes (96 bits), the rest zero: it fits beside a cycle's counts. */
const ACCUMULATOR_HEX = 24;
const ACCUMULATOR_TAIL = "0".repeat(64 - ACCUMULATOR_HEX);
/** The tag, then room for the accumulator's and the salt's 32 bytes: every reveal hashes these 85 bytes. */
const SALT_INPUT_BYTES = SALT_TAG.length + 64;
/** With room for the padding, so it is hashed in place. */
const saltInput = new Uint8Array(paddedLength(SALT_INPUT_BYTES));
for (let index = 0; index < SALT_TAG.length; index += 1) saltInput[index] = SALT_TAG.charCodeAt(index);

/**
 * Folds one revealed salt into the cycle's running accumulator, in ledger order: the first 96 bits of
 * H(tag, accumulator, salt), as 32 bytes whose last 20 are zero (protocol.md §4.4: 96 bits of every honest salt's
 * entropy reach the seed, and a contract keeps the accumulator in the slot it writes for the cycle's counts).
 */
export function accumulateSalt(accumulator: Hash, salt: Hash): Hash {
  const hash =
    accumulator.length === 64 &&
    salt.length === 64 &&
    writeLowerHex(accumulator, saltInput, SALT_TAG.length) &&
    writeLowerHex(salt, saltInput, SALT_TAG.length + 32)
      ? bytesToHex(sha256Prefix(saltInput, SALT_INPUT_BYTES))
      : bytesToHex(sha256(SALT_TAG, hexToBytes(accumulator), hexToBytes(salt)));
  return hash.slice(0, ACCUMULATOR_HEX) + ACCUMULATOR_TAIL;
}

/** seed(c) = H(seed(c-1), salts of c in ledger order), with the salts chained into one accumulator. */
export function nextSeed(previousSeed: Hash, accumulator: Hash, cycle: number): Hash {
  return bytesToHex(
    sha256("gradual/seed/cycle/v1\n", hexToBytes(previousSeed), hexToBytes(accumulator), String(cycle)),
  );
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] as number) << 24) |
      ((bytes[offset + 1] as number) << 16) |
      ((bytes[offset + 2] as number) << 8) |
      (bytes[offset + 3] as number)) >>>
    0
  );
}

/**
 * A keyed pseudo-random permutation of [0, size): a 4-round balanced Feistel network over the smallest even bit
 * width that holds `size`, with cycle walking. Both directions cost O(1) expected hashes, so a contract can check
 * one auditor's assignment without sorting anything.
 */
export class SeededPermutation {
  readonly size: number;
  readonly #seed: Uint8Array;
  readonly #halfBits: number;
  readonly #mask: number;
  /**
   * The round function's values, by `round << halfBits | half`, computed on first use (-1 until then): a permutation
   * of m items has only 4 * 2^halfBits (about 4 * sqrt(m)) distinct round inputs, and the audit assignment of a
   * cycle walks all m items through 4 rounds in each direction.
   */
  readonly #rounds: Int32Array;

  constructor(seed: Hash, size: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > 2 ** 30) {
      throw new RangeError(`SeededPermutation: expected size in [1, 2^30], got ${size}`);
    }
    this.size = size;
    this.#seed = hexToBytes(seed);
    let bits = 2;
    while (2 ** bits < size) bits += 1;
    if (bits % 2 === 1) bits += 1;
    this.#halfBits = bits / 2;
    this.#mask = 2 ** this.#halfBits - 1;
    this.#rounds = new Int32Array(4 * 2 ** this.#halfBits).fill(-1);
  }

  #round(round: number, half: number): number {
    const slot = round * 2 ** this.#halfBits + half;
    const cached = this.#rounds[slot] as number;
    if (cached >= 0) return cached;
    const value = this.#computeRound(round, half);
    this.#rounds[slot] = value;
    return value;
  }

  #computeRound(round: number, half: number): number {
    const input = new Uint8Array(5);
    input[0] = round;
    input[1] = half >>> 24;
    input[2] = (half >>> 16) & 0xff;
    input[3] = (half >>> 8) & 0xff;
    input[4] = half & 0xff;
    return readUint32(sha256("gradual/permutation/v1\n", this.#seed, input), 0) & this.#mask;
  }

  #encrypt(value: number): number {
    let left = Math.floor(value / 2 ** this.#halfBits);
    let right = value & this.#mask;
    for (let round = 0; round < 4; round += 1) {
      const next = (left ^ this.#round(round, right)) >>> 0;
      left = right;
      right = next;
    }
    return left * 2 ** this.#halfBits + right;
  }

  #decrypt(value: number): number {
    let left = Math.floor(value / 2 ** this.#halfBits);
    let right = value & this.#mask;
    for (let round = 3; round >= 0; round -= 1) {
      const previous = (right ^ this.#round(round, left)) >>> 0;
      right = left;
      left = previous;
    }
    return left * 2 ** this.#halfBits + right;
  }

  forward(index: number): number {
    let value = this.#encrypt(index);
    while (value >= this.size) value = this.#encrypt(value);
    return value;
  }

  inverse(position: number): number {
    let value = this.#decrypt(position);
    while (value >= this.size) value = this.#decrypt(value);
    return value;
  }
}

/**
 * Audit assignment (protocol.md §5.1). Revealed submissions are numbered in ledger order; the seeded permutation
 * places them on a ring, and the submission at ring position p checks the next k positions. Every submission is
 * checked by exactly min(k, m-1) others and never by its own node. `all` keeps Koii's all-pairs behaviour.
 */
export function auditTargetIndices(
  permutation: SeededPermutation,
  auditorIndex: number,
  auditsPerNode: number,
  mode: "sampled" | "all",
): number[] {
  const size = permutation.size;
  if (mode === "all") {
    const all: number[] = [];
    for (let index = 0; index < size; index += 1) if (index !== auditorIndex) all.push(index);
    return all;
  }
  const count = Math.min(auditsPerNode, size - 1);
  const position = permutation.forward(auditorIndex);
  const targets: number[] = [];
  for (let step = 1; step <= count; step += 1) targets.push(permutation.inverse((position + step) % size));
  return targets;
}

/** Who is assigned to check submission `targetIndex`: the k positions before it on the ring. */
export function auditorIndicesOf(
  permutation: SeededPermutation,
  targetIndex: number,
  auditsPerNode: number,
  mode: "sampled" | "all",
): number[] {
  const size = permutation.size;
  if (mode === "all") return auditTargetIndices(permutation, targetIndex, 0, "all");
  const count = Math.min(auditsPerNode, size - 1);
  const position = permutation.forward(targetIndex);
  const auditors: number[] = [];
  for (let step = 1; step <= count; step += 1) auditors.push(permutation.inverse((position - step + size) % size));
  return auditors;
}

// Distributor draw: an exponential race in fixed point ---------------------------------------------------------

export const RACE_FRACTION_BITS = 48;
const FRACTION_BITS = RACE_FRACTION_BITS;

const TWO_POW_24 = 2 ** 24;

/**
 * floor(m * m / 2^48) for an integer m < 2^50, exactly, in doubles: with m = high * 2^24 + low, every partial product
 * stays below 2^53 (m * m itself would not).
 */
function squareShift48(m: number): number {
  const high = Math.floor(m / TWO_POW_24);
  const low = m - high * TWO_POW_24;
  return high * high + Math.floor((2 * high * low + Math.floor((low * low) / TWO_POW_24)) / TWO_POW_24);
}

/**
 * log2(x) for an integer x >= 1, in fixed point with 48 fractional bits, by repeated squaring (exact, portable). The
 * mantissa stays below 2^50, so the 48 squarings run on doubles (exactly, see squareShift48) instead of bigints: the
 * distributor draw computes one per submitter.
 */
export function log2Fixed(x: bigint): bigint {
  if (x < 1n) throw new RangeError(`log2Fixed: expected x >= 1, got ${x}`);
  const integerPart = x.toString(2).length - 1;
  let mantissa = Number((x << BigInt(FRACTION_BITS)) >> BigInt(integerPart)); // in [1, 2) * 2^48
  let fraction = 0;
  for (let bit = FRACTION_BITS - 1; bit >= 0; bit -= 1) {
    mantissa = squareShift48(mantissa);
    if (mantissa >= 2 ** (FRACTION_BITS + 1)) {
      mantissa = Math.floor(mantissa / 2);
      fraction += 2 ** bit;
    }
  }
  return (BigInt(integerPart) << BigInt(FRACTION_BITS)) + BigInt(fraction);
}

/**
 * The race time of one candidate: -log2(u) with u = (h + 1) / 2^64 from H(seed, attempt, node). The candidate with
 * the smallest time / weight wins; that is an exact weighted draw (P(i) = w_i / sum w), computed without floats.
 */
export function raceTime(seed: Hash, attempt: number, node: Account): bigint {
  const digest = sha256("gradual/distributor/v1\n", hexToBytes(seed), String(attempt), hexToBytes(node));
  let value = 0n;
  for (let index = 0; index < 8; index += 1) value = (value << 8n) | BigInt(digest[index] as number);
  return (64n << BigInt(FRACTION_BITS)) - log2Fixed(value + 1n);
}

export type RaceEntry = { readonly node: Account; readonly weight: bigint };

/** A race entrant with its time: what a posted list keeps to be compared with the next (§6.1). */
export type RaceScore = { readonly node: Account; readonly time: bigint; readonly weight: bigint };

/**
 * Whether `challenger` wins the exponential race against `holder` (protocol.md §6.1): a positive weight beats a zero
 * one; two positive weights compare time / weight, two zero weights compare time; ties go to the smaller account.
 * The draw's outcome over any set of entrants is the same whatever order they are compared in.
 */
export function beatsInRace(challenger: RaceScore, holder: RaceScore): boolean {
  const challengerPositive = challenger.weight > 0n;
  const holderPositive = holder.weight > 0n;
  if (challengerPositive !== holderPositive) return challengerPositive;
  const left = challenger.time * (holderPositive ? holder.weight : 1n);
  const right = holder.time * (challengerPositive ? challenger.weight : 1n);
  return left < right || (left === right && challenger.node < holder.node);
}

/**
 * The winner of the exponential race among the candidates (`beatsInRace`): what the best of them all posting their
 * lists would give (§6.1). Zero weights win only when every candidate weighs nothing.
 */
export function drawByWeight(seed: Hash, attempt: number, candidates: readonly RaceEntry[]): Account | null {
  let best: RaceScore | null = null;
  for (const candidate of candidates) {
    const entrant: RaceScore = {
      node: candidate.node,
      time: raceTime(seed, attempt, candidate.node),
      weight: candidate.weight > 0n ? candidate.weight : 0n,
    };
    if (best === null || beatsInRace(entrant, best)) best = entrant;
  }
  return best?.node ?? null;
}
