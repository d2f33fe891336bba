import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERROR_REGISTRY, GradualError } from "@gradual/protocol";
import {
  array,
  hex64,
  integer,
  isWireError,
  literal,
  nullable,
  object,
  oneOf,
  optional,
  parseAmount,
  record,
  string,
  tagged,
  toWire,
  tuple,
  union,
  unknown,
  WIRE_ERROR_CODES,
  WireError,
} from "../src/index.ts";

/** The decoder's refusal: WIRE__MALFORMED, and the path and expectation it names. */
function refusal(run: () => unknown): { path: string; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(isWireError(error, "WIRE__MALFORMED"), `expected WIRE__MALFORMED, got ${String(error)}`);
    return { path: String((error as WireError).context.path), message: (error as WireError).message };
  }
  assert.fail("expected the decoder to refuse the value");
}

describe("scalar decoders", () => {
  it("check strings against their pattern, integers against their range", () => {
    assert.equal(hex64.decode("ab".repeat(32)), "ab".repeat(32));
    assert.equal(refusal(() => hex64.decode("AB".repeat(32), "hash")).path, "hash");
    assert.match(refusal(() => hex64.decode(7, "hash")).message, /hash: expected 64 lowercase hex characters, got 7/);
    const count = integer({ minimum: 1, maximum: 3 });
    assert.equal(count.decode(2), 2);
    for (const bad of [0, 4, 1.5, "2", Number.NaN, 2 ** 53]) refusal(() => count.decode(bad));
    assert.equal(literal("included").decode("included"), "included");
    refusal(() => literal("included").decode("pending"));
    assert.equal(oneOf(["a", "b"]).decode("b"), "b");
    refusal(() => oneOf(["a", "b"]).decode("c"));
  });

  it("parse bigints from decimal strings only (bounded), and write them back as decimal strings", () => {
    assert.equal(parseAmount("amount", "1000"), 1000n);
    for (const bad of ["01", "-1", "1e3", "1.5", "", " 1", 1000, "9".repeat(40)]) {
      assert.throws(
        () => parseAmount("amount", bad),
        (error) => isWireError(error, "WIRE__MALFORMED"),
      );
    }
    const wire = toWire({ a: 10n, b: [1n, { c: 2n }], d: undefined, e: "x" });
    assert.deepEqual(wire, { a: "10", b: ["1", { c: "2" }], e: "x" });
    assert.equal("d" in wire, false, "undefined fields are left out, as JSON.stringify does");
  });
});

describe("object decoders", () => {
  const point = object({ x: integer(), label: optional(string()), tag: nullable(string()) });

  it("return a copy with the declared fields only: extra fields of a reply are ignored", () => {
    const decoded = point.decode({ x: 1, tag: null, extra: "ignored" });
    assert.deepEqual(decoded, { x: 1, tag: null });
    assert.deepEqual(point.decode({ x: 1, tag: "t", label: "l" }), { x: 1, label: "l", tag: "t" });
  });

  it("name the missing or mistyped field, nested paths included", () => {
    assert.match(
      refusal(() => point.decode({ tag: null }, "reply")).message,
      /^reply\.x: expected an integer, got nothing$/,
    );
    const nested = object({ items: array(object({ amount: string({ pattern: "^[0-9]+$" }) })) });
    assert.equal(refusal(() => nested.decode({ items: [{ amount: "1" }, { amount: "x" }] })).path, "items[1].amount");
    refusal(() => point.decode([1]));
    refusal(() => point.decode(null));
  });

  it("refuse unknown fields when closed (request bodies)", () => {
    const body = object({ count: integer() }, { closed: true });
    assert.deepEqual(body.decode({ count: 1 }), { count: 1 });
    assert.equal(refusal(() => body.decode({ count: 1, more: 2 })).path, "more");
    assert.equal(body.schema.additionalProperties, false);
  });

  it("emit JSON Schema with the required fields and the properties", () => {
    assert.deepEqual(point.schema.required, ["x", "tag"]);
    assert.deepEqual(Object.keys(point.schema.properties as object), ["x", "label", "tag"]);
    assert.deepEqual(nullable(string()).schema, { anyOf: [{ type: "string" }, { type: "null" }] });
    assert.equal(tuple(integer(), string()).schema.minItems, 2);
  });
});

describe("names from the wire are own properties only", () => {
  it("a '__proto__' key never becomes a prototype, in objects, records or toWire", () => {
    const text = '{"x": 1, "tag": null, "__proto__": {"polluted": true}, "inner": {"__proto__": {"polluted": 2}}}';
    const parsed = JSON.parse(text) as unknown;
    const decoded = object({ x: integer(), tag: nullable(string()) }).decode(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal(decoded.polluted, undefined);
    const context = record(unknown()).decode(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(context), Object.prototype, "the record's prototype is untouched");
    assert.ok(Object.hasOwn(context, "__proto__"), "the key is kept as data");
    assert.equal(context.polluted, undefined);
    const converted = toWire(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(converted), Object.prototype);
    assert.equal(converted.polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype is untouched");
  });

  it("a field named like an Object.prototype member is not found on the prototype", () => {
    const odd = object({ constructor: string(), toString: string() });
    assert.equal(refusal(() => odd.decode({ toString: "x" })).path, "constructor");
    assert.deepEqual(odd.decode({ constructor: "a", toString: "b" }), { constructor: "a", toString: "b" });
    const kinds = tagged("type", { A: object({ type: literal("A") }) });
    assert.equal(refusal(() => kinds.decode({ type: "constructor" })).path, "type");
    assert.equal(refusal(() => kinds.decode({ type: "toString" })).path, "type");
    assert.equal(
      refusal(() => kinds.decode(Object.create({ type: "A" }))).path,
      "type",
      "an inherited tag is not a tag",
    );
  });
});

describe("unions", () => {
  it("tell members apart by their tag, and report the member's own field", () => {
    const shape = tagged("kind", {
      circle: object({ kind: literal("circle"), radius: integer() }),
      square: object({ kind: literal("square"), side: integer() }),
    });
    assert.deepEqual(shape.decode({ kind: "square", side: 2 }), { kind: "square", side: 2 });
    assert.equal(refusal(() => shape.decode({ kind: "square", radius: 2 })).path, "side");
    assert.equal(refusal(() => shape.decode({ kind: "triangle" })).path, "kind");
  });

  it("report the error of the member that got furthest", () => {
    const result = union(object({ ok: literal(true) }), object({ ok: literal(false), code: string() }));
    assert.deepEqual(result.decode({ ok: false, code: "X" }), { ok: false, code: "X" });
    assert.equal(refusal(() => result.decode({ ok: false, code: 3 }, "result")).path, "result.code");
  });
});

describe("the error registry", () => {
  it("holds the wire's codes in its wire section, DOMAIN__DESCRIPTION names, each with its meaning", () => {
    const section = ERROR_REGISTRY.find((entry) => entry.package === "wire");
    assert.equal(section?.codes, WIRE_ERROR_CODES);
    for (const [code, entry] of Object.entries(WIRE_ERROR_CODES)) {
      assert.match(code, /^WIRE__[A-Z_]+$/);
      assert.ok(entry.meaning.length > 10);
    }
  });

  it("makes a wire failure a GradualError with its code, context and the code's meaning by default", () => {
    let caught: unknown;
    try {
      object({ n: integer() }).decode({ n: "x" }, "body");
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof GradualError);
    assert.ok(isWireError(caught, "WIRE__MALFORMED"));
    assert.equal(caught.name, "WireError");
    assert.equal((caught.context as { path?: string }).path, "body.n");
    assert.equal(new WireError("WIRE__BAD_REPLY", {}).shortMessage, WIRE_ERROR_CODES.WIRE__BAD_REPLY.meaning);
  });
});
