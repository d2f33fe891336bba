import { LedgerError } from "../errors.ts";

/** Deepest nesting of arrays and objects a request body may have (a transaction batch needs 5). */
export const MAX_JSON_DEPTH = 32;

const SMALL_OBJECT_KEYS = 32;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

/**
 * One pass over JSON text before `JSON.parse`, for the two things `JSON.parse` hides: a duplicate key in an object
 * (JSON.parse keeps the last one silently, so two readers of the same bytes could disagree on what was signed)
 * and nesting deeper than `maxDepth` (which later recursive code would overflow on). Both are refused with a code
 * (API__DUPLICATE_KEY, API__TOO_DEEP). The text is otherwise assumed to be parsed by JSON.parse right after; this
 * only tracks strings, brackets and which strings are keys.
 */
export function checkJsonText(text: string, maxDepth = MAX_JSON_DEPTH): void {
  // One entry per open bracket: the keys seen so far for an object, null for an array. An array of keys while an
  // object has few (a linear scan of a few short strings is cheaper than a Set per object), a Set past
  // SMALL_OBJECT_KEYS (so an object with a million keys costs n, not n²).
  const stack: (string[] | Set<string> | null)[] = [];
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const start = index + 1;
      let end = start;
      let escaped = false;
      while (end < length) {
        const inner = text.charCodeAt(end);
        if (inner === BACKSLASH) {
          escaped = true;
          end += 2;
          continue;
        }
        if (inner === QUOTE) break;
        end += 1;
      }
      index = end + 1;
      const keys = stack[stack.length - 1];
      if (keys !== undefined && keys !== null) {
        let next = index;
        while (next < length && isSpace(text.charCodeAt(next))) next += 1;
        if (text.charCodeAt(next) === COLON) {
          const raw = text.slice(start, end);
          let key = raw;
          if (escaped) {
            try {
              key = JSON.parse(`"${raw}"`) as string;
            } catch {
              return; // JSON.parse reports the malformed string
            }
          }
          if (Array.isArray(keys) ? keys.includes(key) : keys.has(key)) {
            throw new LedgerError("API__DUPLICATE_KEY", {
              message: `the body repeats the key ${JSON.stringify(key).slice(0, 80)} in one object`,
              context: { key: key.slice(0, 80), position: start - 1 },
            });
          }
          if (!Array.isArray(keys)) keys.add(key);
          else if (keys.length < SMALL_OBJECT_KEYS) keys.push(key);
          else stack[stack.length - 1] = new Set([...keys, key]);
        }
      }
      continue;
    }
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (stack.length >= maxDepth) {
        throw new LedgerError("API__TOO_DEEP", {
          message: `the body nests arrays and objects deeper than ${maxDepth} levels`,
          context: { limit: maxDepth, position: index },
        });
      }
      stack.push(code === OPEN_OBJECT ? [] : null);
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      stack.pop();
    }
    index += 1;
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** `JSON.parse` after {@link checkJsonText}. Throws LedgerError with a code for every refusal. */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  checkJsonText(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LedgerError("API__MALFORMED_JSON", {
      message: `the body is not valid JSON: ${(error as Error).message}`,
    });
  }
}
