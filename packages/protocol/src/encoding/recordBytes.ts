import { writeLowerHex } from "./lowerHex.ts";

/**
 * The binary record encoding that state-trie leaves hash (protocol.md §9.4): one byte sequence for one record on
 * every machine, about half the size of its canonical JSON and built without intermediate strings.
 *
 * A value is a tag byte and its body; `uint` is unsigned LEB128 (7 bits a byte, low group first, high bit set on
 * every byte but the last, no superfluous bytes):
 *
 * | value                                                    | bytes                                            |
 * | -------------------------------------------------------- | ------------------------------------------------ |
 * | `null`, `false`, `true`                                  | `0x00`, `0x01`, `0x02`                           |
 * | safe integer `n ≥ 0` / `n < 0` (`-0` is 0)               | `0x03 uint(n)` / `0x04 uint(-n)`                 |
 * | bigint `n ≥ 0` / `n < 0`                                 | `0x05 uint(n)` / `0x06 uint(-n)`                 |
 * | string of lowercase hex digits, even length ≥ 2          | `0x08 uint(length / 2)` and the bytes it spells  |
 * | any other string                                         | `0x07 uint(UTF-8 length)` and its UTF-8          |
 * | array                                                    | `0x09 uint(count)` and each element              |
 * | object (members whose value is `undefined` are left out) | `0x0a uint(count)` and, in ascending key order   |
 * |                                                          | (UTF-16 code units), `uint(UTF-8 length)`, the   |
 * |                                                          | key's UTF-8 and the member's value               |
 *
 * Anything else (a fraction, an unsafe integer, a function, a symbol, `undefined` outside an object) throws: it is
 * a bug for such a value to reach the state.
 */

/** A growable byte buffer, reused from one encoding to the next. */
export class ByteWriter {
  bytes = new Uint8Array(1024);
  length = 0;

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length] = value;
    this.length += 1;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Unsigned LEB128 of a safe non-negative integer. */
  uint(value: number): void {
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length] = (rest % 0x80) | 0x80;
      this.length += 1;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length] = rest;
    this.length += 1;
  }

  /** UTF-8 of `text`, preceded by its byte length. */
  text(text: string): void {
    if (isAscii(text)) {
      this.uint(text.length);
      this.ascii(text);
      return;
    }
    const encoded = encoder.encode(text);
    this.uint(encoded.length);
    this.append(encoded);
  }

  /** UTF-8 of `text`, without its length. */
  utf8(text: string): void {
    if (isAscii(text)) this.ascii(text);
    else this.append(encoder.encode(text));
  }

  /** The characters of `text`, one byte each: only for text known to be ASCII (checked hex, digits). */
  ascii(text: string): void {
    this.reserve(text.length);
    for (let index = 0; index < text.length; index += 1) this.bytes[this.length + index] = text.charCodeAt(index);
    this.length += text.length;
  }
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) >= 0x80) return false;
  return true;
}

const encoder = new TextEncoder();

/** Writes `text` as `0x08` and the bytes it spells if it is lowercase hex of even length, and says whether it did. */
function writeHex(writer: ByteWriter, text: string): boolean {
  if (text.length < 2 || text.length % 2 !== 0) return false;
  const start = writer.length;
  const byteLength = text.length / 2;
  writer.reserve(byteLength + 9);
  writer.byte(0x08);
  writer.uint(byteLength);
  if (!writeLowerHex(text, writer.bytes, writer.length)) {
    writer.length = start;
    return false;
  }
  writer.length += byteLength;
  return true;
}

function writeBigint(writer: ByteWriter, value: bigint): void {
  // Below 2^53 the conversion is exact and the integer path is faster; above, Number() is not a safe integer.
  const small = Number(value);
  if (Number.isSafeInteger(small)) {
    writer.byte(small < 0 ? 0x06 : 0x05);
    writer.uint(Math.abs(small));
    return;
  }
  writer.byte(value < 0n ? 0x06 : 0x05);
  let rest = value < 0n ? -value : value;
  while (rest >= 0x80n) {
    writer.byte(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  writer.byte(Number(rest));
}

/** An object layout: its keys in their own order, in encoding order, and each key's bytes (length and UTF-8). */
type Shape = { readonly keys: readonly string[]; readonly sorted: readonly string[]; readonly names: Uint8Array[] };

/**
 * Layouts seen, by first key. Records are built by the same few object literals again and again, so the sort and the
 * key bytes are worked out once per layout; a record is matched to its layout by comparing its keys one by one.
 */
const shapesByFirstKey = new Map<string, Shape[]>();
let shapeCount = 0;
const SHAPE_LIMIT = 4_096;

/**
 * The layout of `record`: the first layout seen with its first key, when its keys are that layout's (one walk of the
 * keys, the usual case: a first key that names one kind of record), else `findShape`'s.
 */
function shapeOf(record: Record<string, unknown>): Shape | undefined {
  let shape: Shape | undefined;
  let index = 0;
  for (const key in record) {
    if (index === 0) {
      shape = shapesByFirstKey.get(key)?.[0];
      if (shape === undefined) return findShape(record);
    } else if (key !== (shape as Shape).keys[index]) return findShape(record);
    index += 1;
  }
  if (index === 0) return undefined;
  return index === (shape as Shape).keys.length ? shape : findShape(record);
}

/** The layout of `record`: found among those seen by walking its keys (no array), else worked out and kept. */
function findShape(record: Record<string, unknown>): Shape | undefined {
  let first: string | undefined;
  for (const key in record) {
    first = key;
    break;
  }
  if (first === undefined) return undefined;
  let candidates = shapesByFirstKey.get(first);
  if (candidates !== undefined) {
    for (const shape of candidates) if (hasKeys(record, shape.keys)) return shape;
  }
  const keys = Object.keys(record);
  const sorted = [...keys].sort();
  const names = sorted.map((key) => {
    const writer = new ByteWriter();
    writer.text(key);
    return writer.bytes.slice(0, writer.length);
  });
  const shape: Shape = { keys, sorted, names };
  if (shapeCount >= SHAPE_LIMIT) {
    shapesByFirstKey.clear();
    shapeCount = 0;
  }
  if (candidates === undefined) {
    candidates = [];
    shapesByFirstKey.set(first, candidates);
  }
  candidates.push(shape);
  shapeCount += 1;
  return shape;
}

/**
 * True if the keys for-in visits are exactly `keys`, in order: then they are `Object.keys(record)` (an inherited
 * enumerable key would come after them and fail the match, so such a record takes the slow path every time).
 */
function hasKeys(record: Record<string, unknown>, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in record) {
    if (key !== keys[index]) return false;
    index += 1;
  }
  return index === keys.length;
}

/** A member name's bytes (its length and UTF-8), a few bytes: copied one by one, cheaper than `set` at this size. */
function writeName(writer: ByteWriter, name: Uint8Array): void {
  const length = name.length;
  writer.reserve(length);
  const bytes = writer.bytes;
  const at = writer.length;
  for (let index = 0; index < length; index += 1) bytes[at + index] = name[index] as number;
  writer.length = at + length;
}

function writeObject(writer: ByteWriter, record: Record<string, unknown>): void {
  const shape = shapeOf(record);
  if (shape === undefined) {
    writer.byte(0x0a);
    writer.byte(0);
    return;
  }
  const { sorted, names } = shape;
  if (sorted.length < 0x80) {
    // Fewer than 128 members: their count is one byte, written once they are.
    writer.reserve(2);
    writer.bytes[writer.length] = 0x0a;
    const countAt = writer.length + 1;
    writer.length += 2;
    let count = 0;
    for (let index = 0; index < sorted.length; index += 1) {
      const member = record[sorted[index] as string];
      if (member === undefined) continue;
      count += 1;
      writeName(writer, names[index] as Uint8Array);
      writeValue(writer, member);
    }
    writer.bytes[countAt] = count;
    return;
  }
  let count = 0;
  for (const key of sorted) if (record[key] !== undefined) count += 1;
  writer.byte(0x0a);
  writer.uint(count);
  for (let index = 0; index < sorted.length; index += 1) {
    const member = record[sorted[index] as string];
    if (member === undefined) continue;
    writer.append(names[index] as Uint8Array);
    writeValue(writer, member);
  }
}

/** Appends the encoding of `value` to `writer`. */
export function writeValue(writer: ByteWriter, value: unknown): void {
  switch (typeof value) {
    case "string":
      if (!writeHex(writer, value)) {
        writer.byte(0x07);
        writer.text(value);
      }
      return;
    case "number":
      if (!Number.isSafeInteger(value)) throw new TypeError(`record encoding: expected a safe integer, got ${value}`);
      writer.byte(value < 0 ? 0x04 : 0x03);
      writer.uint(Math.abs(value));
      return;
    case "bigint":
      writeBigint(writer, value);
      return;
    case "boolean":
      writer.byte(value ? 0x02 : 0x01);
      return;
    case "object":
      if (value === null) writer.byte(0x00);
      else if (Array.isArray(value)) {
        writer.byte(0x09);
        writer.uint(value.length);
        for (const element of value) writeValue(writer, element);
      } else writeObject(writer, value as Record<string, unknown>);
      return;
    default:
      throw new TypeError(`record encoding: cannot encode a ${typeof value}`);
  }
}

/** The encoding of `value` as a fresh array (the trie encodes into a shared buffer instead). */
export function recordBytes(value: unknown): Uint8Array {
  const writer = new ByteWriter();
  writeValue(writer, value);
  return writer.bytes.slice(0, writer.length);
}
