/**
 * The amount codec (protocol.md §3.1): parsing token text into base units and formatting base units as token text.
 * Before it, the ledger, the simulator, the dashboard and the Koii layer each had their own; their last versions are
 * kept below as oracles, so the codec provably prints what each printed for the values it was used with.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatTokenAmount, groupDigits, parseTokenAmount, TOKEN, TOKEN_DECIMALS } from "../src/index.ts";

// ---------------------------------------------------------------------------------------------------------------
// The former functions, verbatim but for names (from commit a67703c). Do not "fix" them: they are the reference.

/** packages/ledger/src/amounts.ts formatTokenAmount: the CLI, the node's logs. */
function ledgerFormat(baseUnits: bigint): string {
  const negative = baseUnits < 0n;
  const magnitude = negative ? -baseUnits : baseUnits;
  const whole = magnitude / TOKEN;
  const fraction = (magnitude % TOKEN).toString().padStart(9, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** packages/ledger/src/amounts.ts parseTokenAmount: CLI options and task.yml amounts. */
function ledgerParse(text: string): bigint {
  const match = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/.exec(text.trim());
  if (match === null) throw new TypeError(`bad amount ${JSON.stringify(text)}`);
  return BigInt(match[1] as string) * TOKEN + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** packages/sim/src/units.ts formatTokens: the simulator's summaries and report tables. */
function simFormat(amount: bigint, decimals = 3): string {
  const negative = amount < 0n;
  const absolute = negative ? -amount : amount;
  const scaled = Number(absolute / 1_000_000n) / 1_000;
  const text = scaled.toLocaleString("en-US", { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
  return negative ? `-${text}` : text;
}

/** packages/sim/src/units.ts parseTokens: scenario files (YAML numbers or strings). */
function simParse(value: unknown): bigint | null {
  const text = typeof value === "number" && Number.isFinite(value) && value >= 0 ? String(value) : value;
  if (typeof text !== "string" || !/^(0|[1-9][0-9]*)(\.[0-9]{1,9})?$/.test(text)) return null;
  const [whole, fraction = ""] = text.split(".") as [string, string?];
  return BigInt(whole) * TOKEN + BigInt((fraction || "0").padEnd(9, "0"));
}

/** packages/sim/src/properties/checks.ts tokens: the property findings' figures. */
function simFixed(amount: bigint): string {
  return (Number(amount / 1_000_000n) / 1_000).toFixed(3);
}

/** packages/koii/src/config/mapKoiiConfig.ts tokensToBaseUnits: config-task.yml amounts. */
function koiiParse(tokens: number): bigint {
  if (!Number.isFinite(tokens) || tokens < 0) throw new RangeError(`expected a non-negative amount, got ${tokens}`);
  const fixed = tokens.toFixed(9);
  if (Number(fixed) !== tokens) throw new RangeError(`${tokens} has more than 9 decimals`);
  const [whole = "0", fraction = ""] = fixed.split(".");
  return BigInt(whole) * TOKEN + BigInt(fraction.padEnd(9, "0"));
}

type DashboardOptions = { maxFractionDigits?: number; markApproximate?: boolean; unit?: boolean };

/** packages/dashboard/src/model/formatTokens.ts formatTokens (non-negative base units only). */
function dashboardFormat(units: bigint, options: DashboardOptions = {}): string {
  const maxFractionDigits = Math.max(0, Math.min(9, options.maxFractionDigits ?? 9));
  const whole = units / TOKEN;
  const fraction = (units % TOKEN).toString().padStart(9, "0");
  const kept = fraction.slice(0, maxFractionDigits).replace(/0+$/, "");
  const cut = /[1-9]/.test(fraction.slice(maxFractionDigits));
  const text = `${cut && options.markApproximate === true ? "~" : ""}${groupDigits(whole.toString())}${kept.length > 0 ? `.${kept}` : ""}`;
  if (options.unit === false) return text;
  return `${text} ${text === "1" ? "token" : "tokens"}`;
}

// ---------------------------------------------------------------------------------------------------------------

/** Amounts the way they occur: often whole or round tokens, sometimes any base unit count. */
const amount = (max: bigint) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max }),
    fc.bigInt({ min: 0n, max: max / TOKEN }).map((tokens) => tokens * TOKEN),
    fc.bigInt({ min: 0n, max: max / 1_000_000n }).map((milli) => milli * 1_000_000n),
    fc.constantFrom(0n, 1n, TOKEN - 1n, TOKEN, TOKEN + 1n, 999_999n, 1_000_000n, 1_000n * TOKEN),
  );
/**
 * The simulator formatted through a float of tokens with three decimals, which stays exact below 2^40 tokens (the
 * float's step there is 2^-12 of a token): far above any amount a simulated chain holds.
 */
const SIM_MAX = 2n ** 40n * TOKEN - 1n;

describe("parseTokenAmount", () => {
  it("reads tokens with up to nine decimals into base units, without floats", () => {
    assert.equal(TOKEN, 10n ** BigInt(TOKEN_DECIMALS));
    assert.equal(parseTokenAmount("1.5"), 1_500_000_000n);
    assert.equal(parseTokenAmount("0.000000001"), 1n);
    assert.equal(parseTokenAmount("12"), 12n * TOKEN);
    assert.equal(parseTokenAmount(" 7 "), 7n * TOKEN);
    assert.equal(parseTokenAmount("123456789012345678901234567890"), 123456789012345678901234567890n * TOKEN);
    assert.equal(parseTokenAmount(1.9), 1_900_000_000n);
    assert.equal(parseTokenAmount(0.000000001), 1n);
  });

  it("refuses anything else with a TypeError that shows what came", () => {
    for (const bad of ["", "1e3", "-1", "1.", ".5", "0x10", "1.0000000001", "01", "1,5", " ", "+1", "1 000"]) {
      assert.throws(
        () => parseTokenAmount(bad),
        (error: unknown) => error instanceof TypeError && error.message.endsWith(`got ${JSON.stringify(bad)}`),
      );
    }
    assert.throws(() => parseTokenAmount(1.0000000001), /1\.0000000001 has more than 9 decimals/);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) {
      assert.throws(() => parseTokenAmount(bad), TypeError, String(bad));
    }
    assert.throws(() => parseTokenAmount(undefined as unknown as string), /got undefined/);
  });

  it("reads back whatever formatTokenAmount prints exactly", () => {
    fc.assert(
      fc.property(amount(2n ** 128n), (units) => {
        assert.equal(parseTokenAmount(formatTokenAmount(units)), units);
      }),
      { numRuns: 2_000 },
    );
  });

  it("accepts and reads what the ledger's parser did, and refuses what it refused", () => {
    const text = fc.oneof(
      amount(2n ** 100n).map((units) => formatTokenAmount(units)),
      fc.stringMatching(/^ ?[-+0-9.,e ]{0,14}$/),
    );
    fc.assert(
      fc.property(text, (input) => {
        let expected: bigint | undefined;
        try {
          expected = ledgerParse(input);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) assert.throws(() => parseTokenAmount(input), TypeError);
        else assert.equal(parseTokenAmount(input), expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads scenario values as the simulator did: strings as the ledger, numbers exactly", () => {
    const value = fc.oneof(
      amount(2n ** 70n).map((units) => formatTokenAmount(units)),
      fc.integer({ min: 0, max: 1_000_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }).map((milli) => milli / 1000),
      fc.constantFrom(-1, Number.NaN, 1e21, "1e3", "", "0.5", 0.5),
    );
    fc.assert(
      fc.property(value, (input) => {
        const expected = simParse(input);
        if (expected === null) assert.throws(() => parseTokenAmount(input), TypeError);
        else assert.equal(parseTokenAmount(input), expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads config-task.yml numbers as the Koii layer did", () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.double({ min: 0, max: 1e12, noNaN: true }),
      fc.integer({ min: 0, max: 10 ** 9 }).map((units) => units / 10 ** 9),
      fc.constantFrom(-1, Number.NaN, 1.0000000001, 0.1 + 0.2),
    );
    fc.assert(
      fc.property(value, (input) => {
        let expected: bigint | undefined;
        try {
          expected = koiiParse(input);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) assert.throws(() => parseTokenAmount(input), TypeError);
        else assert.equal(parseTokenAmount(input), expected);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("formatTokenAmount", () => {
  it("prints tokens exactly by default and takes options for what each reader needs", () => {
    assert.equal(formatTokenAmount(1_500_000_000n), "1.5");
    assert.equal(formatTokenAmount(7n * TOKEN), "7");
    assert.equal(formatTokenAmount(-1n), "-0.000000001");
    assert.equal(formatTokenAmount(1_234_567n * TOKEN, { grouping: true }), "1,234,567");
    assert.equal(formatTokenAmount(1_633_333_333_333n, { maxFractionDigits: 2, markApproximate: true }), "~1633.33");
    assert.equal(formatTokenAmount(12_500_000_000n, { maxFractionDigits: 3, minFractionDigits: 3 }), "12.500");
    assert.equal(formatTokenAmount(TOKEN, { unit: true }), "1 token");
    assert.equal(formatTokenAmount(2n * TOKEN, { unit: true }), "2 tokens");
  });

  it("prints what the ledger's formatter printed (the CLI and the node's logs), negative amounts included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          amount(2n ** 128n),
          amount(2n ** 64n).map((units) => -units),
        ),
        (units) => {
          assert.equal(formatTokenAmount(units), ledgerFormat(units));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("prints what the simulator's report formatter printed, with { maxFractionDigits: 3, grouping: true }", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          amount(SIM_MAX),
          amount(SIM_MAX).map((units) => -units),
        ),
        (units) => {
          assert.equal(formatTokenAmount(units, { maxFractionDigits: 3, grouping: true }), simFormat(units));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("prints what the simulator's findings printed, with { maxFractionDigits: 3, minFractionDigits: 3 }", () => {
    fc.assert(
      fc.property(amount(SIM_MAX), (units) => {
        assert.equal(formatTokenAmount(units, { maxFractionDigits: 3, minFractionDigits: 3 }), simFixed(units));
      }),
      { numRuns: 2_000 },
    );
  });

  it("prints what the dashboard's formatter printed, for every option it took", () => {
    const options = fc.record(
      {
        maxFractionDigits: fc.integer({ min: -1, max: 10 }),
        markApproximate: fc.boolean(),
        unit: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(amount(2n ** 96n), options, (units, dashboard) => {
        const shared = { ...dashboard, grouping: true, unit: dashboard.unit ?? true };
        assert.equal(formatTokenAmount(units, shared), dashboardFormat(units, dashboard));
      }),
      { numRuns: 3_000 },
    );
  });
});
