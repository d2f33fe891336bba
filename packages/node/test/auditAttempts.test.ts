/** A node stops re-running an audit whose task function keeps failing (packages/node/src/runtime/executor.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AuditAttempts, MAX_AUDIT_FAILURES } from "../src/runtime/executor.ts";
import { alterOutput, parseMisbehaviour } from "../src/runtime/faults.ts";

test("an audit that keeps failing is retried MAX_AUDIT_FAILURES times, then given up for good", () => {
  const attempts = new AuditAttempts();
  const outcomes = Array.from({ length: MAX_AUDIT_FAILURES }, () => attempts.record("audit/3/x", false));
  assert.deepEqual(outcomes, [...Array(MAX_AUDIT_FAILURES - 1).fill("retry"), "gave-up"]);
  assert.ok(attempts.gaveUp.has("audit/3/x"));
  // Another proof is counted on its own; a success in between starts the count again.
  assert.equal(attempts.record("audit/3/y", false), "retry");
  assert.equal(attempts.record("audit/3/y", true), "done");
  for (let index = 0; index < MAX_AUDIT_FAILURES - 1; index += 1)
    assert.equal(attempts.record("audit/3/y", false), "retry");
  assert.equal(attempts.gaveUp.has("audit/3/y"), false);
});

test("altered output: one byte changed, staying a letter, digit or text", () => {
  const text = (value: string) => new TextDecoder().decode(alterOutput(new TextEncoder().encode(value)));
  assert.equal(text("Hello, World!"), "Hello, Worle!");
  assert.equal(text("abz"), "aba");
  assert.equal(text("x9"), "x0");
  assert.equal(text('{"message":"abc","shift":3}'), '{"message":"abc","shift":4}', "JSON stays JSON");
  // A CID's last character carries padding bits: the one before it changes.
  const cid = "bafkreih4musqr6fqfx2dpyfrog5hgho7jsubk2evhib54i7ckyffyk6z4i";
  assert.equal(text(cid), `${cid.slice(0, -2)}5i`);
  assert.equal(text("!!"), "!0");
  const parsed = parseMisbehaviour("altered:3");
  assert.deepEqual(parsed, { kind: "altered", every: 3 });
  assert.equal(parseMisbehaviour("altered:0"), undefined);
  assert.equal(parseMisbehaviour("stolen:1"), undefined);
});
