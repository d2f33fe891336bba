import { sha256 } from "@gradual/protocol";

/**
 * The simulator's only source of randomness: sfc32 (Chris Doty-Humphrey's small fast counter generator), keyed by
 * sha256 of the run seed and a stream name. Each concern (faults, offline draws, copier victims) draws from its own
 * named stream, so adding draws to one concern never shifts another's sequence, and a seed replays exactly.
 */
export class SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, stream: string) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`SeededRandom: expected a non-negative safe integer seed, got ${seed}`);
    }
    const key = sha256(`gradual-sim/rng/v1\n${seed}\n${stream}`);
    const word = (offset: number) =>
      (((key[offset] as number) << 24) |
        ((key[offset + 1] as number) << 16) |
        ((key[offset + 2] as number) << 8) |
        (key[offset + 3] as number)) >>>
      0;
    this.#a = word(0);
    this.#b = word(4);
    this.#c = word(8);
    this.#d = word(12);
    // Discard the first outputs, as the generator's author recommends, so weak keys mix before use.
    for (let index = 0; index < 12; index += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound <= 0) throw new RangeError(`SeededRandom.int: bad bound ${bound}`);
    return Math.floor(this.next() * bound);
  }

  /** True with probability `probability` (0 and 1 draw nothing, so they never shift the stream). */
  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("SeededRandom.pick: empty list");
    return items[this.int(items.length)] as T;
  }

  /** A new array with the items in a uniformly random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = this.int(index + 1);
      [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
    }
    return copy;
  }
}
