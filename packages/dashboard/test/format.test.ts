import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTokenAmount } from "@gradual/protocol";
import { formatBaseUnits, formatShare, SCREEN_AMOUNT, toBaseUnits, tokensAsNumber } from "../src/model/amounts.ts";
import { classifyQuery, shortHex } from "../src/model/search.ts";
import { formatDuration, measureSlotMs, slotToWallMs, stalledSlots, wallMsToSlot } from "../src/model/slotTime.ts";
import { parseRoute } from "../src/router.ts";

const HASH = "ab".repeat(32);

describe("amounts on screen", () => {
  const screen = (units: bigint | string, options = {}) =>
    formatTokenAmount(toBaseUnits(units), { ...SCREEN_AMOUNT, ...options });

  it("shows tokens with up to 9 decimals and base units for the title", () => {
    assert.equal(screen(12_500_000_000n), "12.5 tokens");
    assert.equal(screen("1000000000"), "1 token");
    assert.equal(screen("1"), "0.000000001 tokens");
    assert.equal(screen(0n), "0 tokens");
    assert.equal(screen("1234567000000000"), "1,234,567 tokens");
    assert.equal(formatBaseUnits("12500000000"), "12,500,000,000 base units");
    assert.equal(formatBaseUnits(1n), "1 base unit");
  });

  it("rounds down to fewer digits on request, marking it only when asked", () => {
    assert.equal(screen(1_633_333_333_333n, { maxFractionDigits: 2 }), "1,633.33 tokens");
    assert.equal(screen(1_633_333_333_333n, { maxFractionDigits: 2, markApproximate: true }), "~1,633.33 tokens");
    assert.equal(screen(1_500_000_000n, { maxFractionDigits: 2, markApproximate: true }), "1.5 tokens");
    assert.equal(screen(5n, { unit: false, maxFractionDigits: 3 }), "0");
  });

  it("refuses what is not an amount", () => {
    assert.throws(() => toBaseUnits("-1"), TypeError);
    assert.throws(() => toBaseUnits("1.5"), TypeError);
    assert.throws(() => toBaseUnits(-1n), TypeError);
  });

  it("converts to numbers for charts and shares for labels", () => {
    assert.equal(tokensAsNumber("2500000000"), 2.5);
    assert.equal(formatShare(1n, 3n), "33.3%");
    assert.equal(formatShare(0n, 0n), "–");
  });
});

describe("slot time", () => {
  const clock = { anchorSlot: 100, anchorMs: 1_000_000, slotMs: 400 };
  it("maps slots to wall time and back", () => {
    assert.equal(slotToWallMs(clock, 110), 1_004_000);
    assert.equal(wallMsToSlot(clock, 1_004_399), 110);
  });
  it("measures the slot length as the median interval", () => {
    const blocks = [0, 400, 800, 1_900, 2_300].map((ms, index) => ({ slot: index, producedAtMs: ms }));
    assert.equal(measureSlotMs(blocks), 400);
    assert.equal(measureSlotMs([]), undefined);
  });
  it("formats durations for people", () => {
    assert.equal(formatDuration(400), "400 ms");
    assert.equal(formatDuration(8_000), "8 s");
    assert.equal(formatDuration(1_600), "1.6 s");
    assert.equal(formatDuration(600_000), "10 min");
    assert.equal(formatDuration(9_000_000), "2 h 30 min");
  });
});

describe("routes and search", () => {
  it("parses every hash route", () => {
    assert.deepEqual(parseRoute(""), { view: "overview" });
    assert.deepEqual(parseRoute("#/"), { view: "overview" });
    assert.deepEqual(parseRoute(`#/task/${HASH}`), { view: "task", task: HASH });
    assert.deepEqual(parseRoute(`#/task/${HASH}/cycle/12`), { view: "cycle", task: HASH, cycle: 12 });
    assert.deepEqual(parseRoute(`#/task/${HASH}/node/${HASH}`), { view: "node", task: HASH, account: HASH });
    assert.deepEqual(parseRoute("#/block/42"), { view: "block", number: 42 });
    assert.deepEqual(parseRoute(`#/tx/${HASH}`), { view: "tx", hash: HASH });
    assert.deepEqual(parseRoute("#/search/web%20scraper"), { view: "search", query: "web scraper" });
    assert.equal(parseRoute("#/task/nothex").view, "notFound");
    assert.equal(parseRoute("#/block/-1").view, "notFound");
  });
  it("classifies search queries", () => {
    assert.deepEqual(classifyQuery(" 1,204 "), { kind: "block", number: 1204 });
    assert.deepEqual(classifyQuery(`0x${HASH.toUpperCase()}`), { kind: "hash", hash: HASH });
    assert.deepEqual(classifyQuery("web"), { kind: "text", text: "web" });
    // An EVM address is the account id an EVM chain gives it: left-padded to 64 hex characters.
    assert.deepEqual(classifyQuery("0x928D1c8d5e9c179e64f60fda9a35acf710aba421"), {
      kind: "hash",
      hash: `${"0".repeat(24)}928d1c8d5e9c179e64f60fda9a35acf710aba421`,
    });
    assert.deepEqual(classifyQuery("  "), { kind: "empty" });
    assert.equal(shortHex(HASH), "ababab…abab");
  });
});

describe("stalledSlots (the banner's 'not making blocks')", () => {
  it("says stalled after 5 slots without a block on a timer chain, never with manual slots", () => {
    const base = { manualSlots: false, slotMs: 400, lastBlockSeenMs: 10_000 };
    assert.equal(stalledSlots({ ...base, nowMs: 10_000 + 4 * 400 + 399 }), undefined);
    assert.equal(stalledSlots({ ...base, nowMs: 10_000 + 5 * 400 }), 5);
    assert.equal(stalledSlots({ ...base, nowMs: 10_000 + 60_000 }), 150);
    assert.equal(stalledSlots({ ...base, manualSlots: true, nowMs: 10_000 + 60_000 }), undefined);
  });
});
