import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LedgerError } from "../src/index.ts";
import { checkJsonText, MAX_JSON_DEPTH, parseStrictJson } from "../src/server/strictJson.ts";

/** Issue 13, finding 6: canonical request JSON only (duplicate keys and deep nesting refused with codes). */
describe("strict JSON", () => {
  const codeOf = (text: string) => {
    try {
      parseStrictJson(text);
      return "ok";
    } catch (error) {
      return error instanceof LedgerError ? error.code : "thrown";
    }
  };

  it("refuses a key repeated in one object, however spelled, in small and large objects", () => {
    assert.equal(codeOf('{"a":1,"a":2}'), "API__DUPLICATE_KEY");
    assert.equal(codeOf('{"a":1, "b":{"c":1}, "a" :2}'), "API__DUPLICATE_KEY");
    assert.equal(codeOf('{"\\u0061":1,"a":2}'), "API__DUPLICATE_KEY", "escapes are decoded before comparing");
    const large = Array.from({ length: 100 }, (_, index) => `"k${index}":1`).join(",");
    assert.equal(codeOf(`{${large},"k99":2}`), "API__DUPLICATE_KEY");
    assert.equal(codeOf(`{${large}}`), "ok");
  });

  it("accepts the same key in different objects and key-like strings as values", () => {
    assert.equal(codeOf('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"a"}'), "ok");
    assert.equal(codeOf('{"a":"x:","b":"\\"a\\":"}'), "ok");
  });

  it("refuses nesting deeper than the limit, in objects and arrays, before JSON.parse", () => {
    assert.equal(codeOf(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`), "ok");
    assert.equal(codeOf(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`), "API__TOO_DEEP");
    assert.equal(codeOf(`${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`), "API__TOO_DEEP");
    assert.throws(
      () => checkJsonText("[".repeat(150_000)),
      (error: unknown) => (error as LedgerError).code === "API__TOO_DEEP",
    );
  });

  it("reports malformed JSON as API__MALFORMED_JSON", () => {
    assert.equal(codeOf('{"a":'), "API__MALFORMED_JSON");
    assert.equal(codeOf(""), "API__MALFORMED_JSON");
  });
});
