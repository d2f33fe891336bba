/**
 * SHA-256 (FIPS 180-4) without per-call allocations, for the state trie's hot path (protocol.md §9.4) and every
 * other small input (hash.ts: commitments, seeds, list digests), where inputs are small and hashed by the hundred
 * thousand per block: @noble/hashes spends most of its time there on wrapper objects, not on compression. Output is
 * byte-identical to @noble/hashes (test/sha256Compact.test.ts); inputs over 4 KiB go through @noble/hashes.
 */

// Int32Array, not Uint32Array: words above 2^31 stay small integers in V8's optimized code instead of becoming
// doubles, which makes a compression about 20 % faster. The bit patterns, and so the digests, are the same.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);
const H = new Int32Array(8);
let block = new Uint8Array(256);

/**
 * One block into H. Each round's schedule word is made in the round that uses it (read from the block in the first
 * sixteen, from the earlier words after): one pass over W instead of two, about an eighth less time a block.
 */
function compress(data: Uint8Array, offset: number): void {
  let a = H[0] as number;
  let b = H[1] as number;
  let c = H[2] as number;
  let d = H[3] as number;
  let e = H[4] as number;
  let f = H[5] as number;
  let g = H[6] as number;
  let h = H[7] as number;
  for (let index = 0; index < 64; index += 1) {
    let word: number;
    if (index < 16) {
      const at = offset + index * 4;
      word =
        ((data[at] as number) << 24) |
        ((data[at + 1] as number) << 16) |
        ((data[at + 2] as number) << 8) |
        (data[at + 3] as number);
    } else {
      const w15 = W[index - 15] as number;
      const w2 = W[index - 2] as number;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      word = ((W[index - 16] as number) + s0 + (W[index - 7] as number) + s1) | 0;
    }
    W[index] = word;
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const temp1 = (h + s1 + choice + (K[index] as number) + word) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const temp2 = (s0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + temp1) | 0;
    d = c;
    c = b;
    b = a;
    a = (temp1 + temp2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0;
  H[1] = ((H[1] as number) + b) | 0;
  H[2] = ((H[2] as number) + c) | 0;
  H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0;
  H[5] = ((H[5] as number) + f) | 0;
  H[6] = ((H[6] as number) + g) | 0;
  H[7] = ((H[7] as number) + h) | 0;
}

/** sha256 of the concatenation of `parts`, written into a fresh 32-byte array. */
export function sha256Compact(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const padded = reserve(length);
  let offset = 0;
  for (const part of parts) {
    block.set(part, offset);
    offset += part.length;
  }
  return digest(length, padded);
}

/**
 * sha256 of the first `length` bytes of `bytes` (a scratch buffer the caller fills), into a fresh 32-byte array. When
 * the buffer has room for the padding (`paddedLength(length)` bytes), the message is padded and hashed where it is,
 * overwriting the bytes after `length`; otherwise it is copied first.
 */
export function sha256Prefix(bytes: Uint8Array, length: number): Uint8Array {
  hashPrefix(bytes, length);
  return digestBytes();
}

/** The bytes a message of `length` bytes takes once padded: a buffer this long is hashed without a copy. */
export function paddedLength(length: number): number {
  return Math.ceil((length + 9) / 64) * 64;
}

/** Hashes the first `length` bytes of `bytes` into H: in place if the buffer has room for the padding. */
function hashPrefix(bytes: Uint8Array, length: number): void {
  if (length > bytes.length) throw new RangeError(`sha256Prefix: length ${length} > ${bytes.length} bytes`);
  const padded = paddedLength(length);
  if (padded <= bytes.length) compressPaddedIn(bytes, length, padded);
  else compressPadded(length, loadPrefix(bytes, length));
}

/**
 * sha256 of the first `length` bytes of `bytes`, packed into a 16-character string (each character a 16-bit
 * big-endian half of the digest, see `unpackHash`): about 60 bytes of heap where a 32-byte Uint8Array takes about
 * 240, for hashes kept by the hundred thousand (the state trie's nodes). Like `sha256Prefix`, in place when the
 * buffer has room for the padding.
 */
export function sha256PrefixPacked(bytes: Uint8Array, length: number): string {
  hashPrefix(bytes, length);
  return packedState();
}

/** The digest in H, packed (see `sha256PrefixPacked`). */
function packedState(): string {
  type Words = readonly [number, number, number, number, number, number, number, number];
  const h = H as unknown as Words;
  // biome-ignore format: the sixteen halves, two a word, one row per two words
  return String.fromCharCode(
    h[0] >>> 16, h[0] & 0xffff, h[1] >>> 16, h[1] & 0xffff, h[2] >>> 16, h[2] & 0xffff, h[3] >>> 16, h[3] & 0xffff,
    h[4] >>> 16, h[4] & 0xffff, h[5] >>> 16, h[5] & 0xffff, h[6] >>> 16, h[6] & 0xffff, h[7] >>> 16, h[7] & 0xffff,
  );
}

/**
 * sha256 of the first `length` bytes of `bytes` as SHA-256's eight state words (big-endian words of the digest), in
 * an array shared by every hash: valid until the next hash, for a caller that copies the words at once. Like
 * `sha256Prefix`, in place when the buffer has room for the padding.
 */
export function sha256PrefixState(bytes: Uint8Array, length: number): Int32Array {
  hashPrefix(bytes, length);
  return H;
}

/** SHA-256's state after the first 64 bytes of `bytes` (a midstate), as a new array: see `sha256PackedAfter`. */
export function sha256Midstate(bytes: Uint8Array): Int32Array {
  if (bytes.length < 64) throw new RangeError(`sha256Midstate: ${bytes.length} bytes, fewer than 64`);
  H.set(INITIAL);
  compress(bytes, 0);
  return H.slice();
}

/**
 * `sha256PrefixPacked(bytes, length)` for a message whose first 64 bytes left SHA-256 in `midstate`
 * (`sha256Midstate`): only the blocks after the first are compressed. `length` must be at least 64 and `bytes` must
 * have room for the padding (`paddedLength(length)` bytes).
 */
export function sha256PackedAfter(midstate: Int32Array, bytes: Uint8Array, length: number): string {
  const padded = paddedLength(length);
  if (length < 64 || padded > bytes.length) {
    throw new RangeError(`sha256PackedAfter: ${length} bytes in a buffer of ${bytes.length}`);
  }
  pad(bytes, length, padded);
  H.set(midstate);
  for (let at = 64; at < padded; at += 64) compress(bytes, at);
  return packedState();
}

/** Copies the first `length` bytes of `bytes` to the start of the shared block; returns the padded length. */
function loadPrefix(bytes: Uint8Array, length: number): number {
  if (length > bytes.length) throw new RangeError(`sha256Prefix: length ${length} > ${bytes.length} bytes`);
  // Copying up to 1 KiB of unused bytes after the message costs less than allocating a view of just the message.
  const whole = bytes.length <= length + 1024;
  const padded = reserve(length);
  if (whole && block.length < bytes.length) block = new Uint8Array(bytes.length * 2);
  block.set(whole ? bytes : bytes.subarray(0, length), 0);
  return padded;
}

/** Writes the 32 bytes of a packed hash into `bytes` at `offset`. */
export function writePackedHash(packed: string, bytes: Uint8Array, offset: number): void {
  for (let index = 0; index < 16; index += 1) {
    const half = packed.charCodeAt(index);
    bytes[offset + index * 2] = half >>> 8;
    bytes[offset + index * 2 + 1] = half & 0xff;
  }
}

/** The 32 bytes of a packed hash. */
export function unpackHash(packed: string): Uint8Array {
  const bytes = new Uint8Array(32);
  writePackedHash(packed, bytes, 0);
  return bytes;
}

/** Grows the shared block to hold `length` bytes and their padding; returns the padded length. */
function reserve(length: number): number {
  const padded = Math.ceil((length + 9) / 64) * 64;
  if (block.length < padded) block = new Uint8Array(padded * 2);
  return padded;
}

/** Pads the `length` message bytes at the start of the shared block and compresses them. */
function digest(length: number, padded: number): Uint8Array {
  compressPadded(length, padded);
  return digestBytes();
}

/** The digest in H as a fresh 32-byte array. */
function digestBytes(): Uint8Array {
  const out = new Uint8Array(32);
  for (let index = 0; index < 8; index += 1) {
    const word = H[index] as number;
    out[index * 4] = word >>> 24;
    out[index * 4 + 1] = (word >>> 16) & 0xff;
    out[index * 4 + 2] = (word >>> 8) & 0xff;
    out[index * 4 + 3] = word & 0xff;
  }
  return out;
}

/** Pads the `length` message bytes at the start of the shared block and compresses them into H. */
function compressPadded(length: number, padded: number): void {
  compressPaddedIn(block, length, padded);
}

/** Pads the `length` message bytes at the start of `bytes` (which holds `padded` bytes) and compresses them into H. */
function compressPaddedIn(bytes: Uint8Array, length: number, padded: number): void {
  pad(bytes, length, padded);
  H.set(INITIAL);
  for (let at = 0; at < padded; at += 64) compress(bytes, at);
}

/** Writes the padding of a `length`-byte message at the start of `bytes` (which holds `padded` bytes). */
function pad(bytes: Uint8Array, length: number, padded: number): void {
  bytes.fill(0, length, padded);
  bytes[length] = 0x80;
  const bits = length * 8;
  bytes[padded - 4] = (bits >>> 24) & 0xff;
  bytes[padded - 3] = (bits >>> 16) & 0xff;
  bytes[padded - 2] = (bits >>> 8) & 0xff;
  bytes[padded - 1] = bits & 0xff;
  bytes[padded - 5] = Math.floor(bits / 2 ** 32) & 0xff;
}
