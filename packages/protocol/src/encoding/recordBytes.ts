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

  private ascii(text: string): void {
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
const TWO_POW_53 = 2n ** 53n;

/** Value of a lowercase hex digit, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Writes `text` as `0x08` and the bytes it spells if it is lowercase hex of even length, and says whether it did. */
function writeHex(writer: ByteWriter, text: string): boolean {
  if (text.length < 2 || text.length % 2 !== 0) return false;
  const start = writer.length;
  const byteLength = text.length / 2;
  writer.byte(0x08);
  writer.uint(byteLength);
  writer.reserve(byteLength);
  const { bytes } = writer;
  for (let index = 0; index < byteLength; index += 1) {
    const high = hexDigit(text.charCodeAt(index * 2));
    const low = hexDigit(text.charCodeAt(index * 2 + 1));
    if (high < 0 || low < 0) {
      writer.length = start;
      return false;
    }
    bytes[writer.length + index] = high * 16 + low;
  }
  writer.length += byteLength;
  return true;
}

function writeBigint(writer: ByteWriter, value: bigint): void {
  const negative = value < 0n;
  writer.byte(negative ? 0x06 : 0x05);
  let rest = negative ? -value : value;
  if (rest < TWO_POW_53) {
    writer.uint(Number(rest));
    return;
  }
  while (rest >= 0x80n) {
    writer.byte(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  writer.byte(Number(rest));
}

function writeObject(writer: ByteWriter, record: Record<string, unknown>): void {
  const keys = Object.keys(record);
  // Records are built by the same object literals again and again: their keys are mostly in order already, and
  // there are at most a few dozen of them, so an insertion sort does few comparisons.
  for (let index = 1; index < keys.length; index += 1) {
    const key = keys[index] as string;
    let at = index - 1;
    while (at >= 0 && (keys[at] as string) > key) {
      keys[at + 1] = keys[at] as string;
      at -= 1;
    }
    keys[at + 1] = key;
  }
  let count = 0;
  for (const key of keys) if (record[key] !== undefined) count += 1;
  writer.byte(0x0a);
  writer.uint(count);
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    writer.text(key);
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
