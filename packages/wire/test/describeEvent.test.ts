import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProtocolEventType } from "@gradual/protocol";
import {
  describeEvent,
  EVENT_DECODERS,
  EVENT_TYPES,
  type JsonSchema,
  partsToText,
  type WireEvent,
  wireEvent,
} from "../src/index.ts";

/**
 * The event table (`EVENT_DECODERS`) is keyed by the protocol's `ProtocolEventType` and checked against
 * `Wire<ProtocolEvent>` at compile time, so a new event type does not compile until it has a decoder; `describeEvent`
 * switches over the type with a `never` default, so it does not compile until the type is described. These tests
 * run every type through both, from a sample built from the decoder's own JSON Schema (no hand-written list to
 * forget).
 */

/** A value that the schema accepts, with distinct accounts and amounts per field so their use can be traced. */
function sampleOf(schema: JsonSchema, field: string, index: number): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return sampleOf(schema.anyOf[0] as JsonSchema, field, index);
  switch (schema.type) {
    case "string":
      if (schema.pattern === "^[0-9a-f]{64}$") return index.toString(16).padStart(2, "0").repeat(32);
      if (schema.pattern === "^(0|[1-9][0-9]*)$") return `${1000 + index}`;
      return field;
    case "integer":
      return 10 + index;
    case "boolean":
      return true;
    default:
      throw new Error(`no sample for ${field}: ${JSON.stringify(schema)}`);
  }
}

function sampleEvent(type: ProtocolEventType): WireEvent {
  const properties = EVENT_DECODERS[type].schema.properties as Record<string, JsonSchema>;
  const raw = Object.fromEntries(
    Object.entries(properties).map(([field, schema], index) => [field, sampleOf(schema, field, index)]),
  );
  return wireEvent.decode(raw, type);
}

describe("protocol events on the wire", () => {
  it("has one decoder per event type of the protocol, each tagged with its own type", () => {
    assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length);
    assert.ok(EVENT_TYPES.length >= 30, `${EVENT_TYPES.length} event types`);
    for (const type of EVENT_TYPES) {
      const properties = EVENT_DECODERS[type].schema.properties as Record<string, JsonSchema>;
      assert.equal(properties.type?.const, type);
    }
  });

  it("refuses an event whose type is unknown or whose fields do not fit", () => {
    assert.throws(() => wireEvent.decode({ type: "Minted", amount: "1" }), /type: expected one of Transferred/);
    const staked = { ...sampleEvent("Staked"), amount: 5 };
    assert.throws(() => wireEvent.decode(staked, "event"), /event\.amount: expected a non-negative integer/);
  });
});

describe("describeEvent", () => {
  const render = { account: (account: string) => `<${account.slice(0, 4)}>`, amount: (amount: string) => `$${amount}` };

  for (const type of EVENT_TYPES) {
    it(`describes ${type}: a title, a sentence, and only the event's own accounts and amounts`, () => {
      const event = sampleEvent(type);
      const description = describeEvent(event);
      assert.ok(description.title.length > 0);
      const text = partsToText(description.parts, render);
      assert.ok(text.length > 10, text);
      assert.doesNotMatch(text, /undefined|NaN|\[object/, text);
      const values = new Set(Object.values(event).map(String));
      for (const part of description.parts) {
        if (part.kind === "account") assert.ok(values.has(part.account), `${type}: ${part.account} is not a field`);
        if (part.kind === "amount") assert.ok(values.has(part.amount), `${type}: ${part.amount} is not a field`);
      }
      assert.equal(description.task, "task" in event ? event.task : undefined);
      assert.equal(description.cycle, "cycle" in event ? event.cycle : undefined);
    });
  }

  it("tells each resolution of a trigger apart", () => {
    const base = sampleEvent("TriggerResolved");
    const titles = (["upheld", "rejected", "disputed", "answered", "unavailable"] as const).map(
      (resolution) => describeEvent({ ...base, resolution } as WireEvent).title,
    );
    assert.equal(new Set(titles).size, titles.length, titles.join(", "));
  });

  it("tells an appeal (protocol.md §5.8) from an audit, raised and resolved", () => {
    const raised = { ...sampleEvent("AuditTriggered"), kind: "proof", verdict: "valid" } as WireEvent;
    assert.equal(describeEvent(raised).title, "Appeal");
    assert.equal(describeEvent({ ...raised, verdict: "invalid" } as WireEvent).title, "Audit raised");
    const base = sampleEvent("TriggerResolved") as WireEvent & { target: string };
    const own = { ...base, kind: "proof", triggerer: base.target };
    assert.equal(describeEvent({ ...own, resolution: "upheld" } as WireEvent).title, "Appeal upheld");
    assert.equal(describeEvent({ ...own, resolution: "rejected" } as WireEvent).title, "Appeal lost");
    assert.equal(describeEvent({ ...base, kind: "proof", resolution: "upheld" } as WireEvent).title, "Audit upheld");
  });
});
