import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DEVNET_PARAMS, findParamsProblems, MAINNET_PARAMS, TOKEN } from "@gradual/protocol";
import { KoiiConfigError, layoutRound, mapKoiiConfig } from "../src/config/mapKoiiConfig.ts";

const VALID = `
task_name: "my-task"
author: "me"
description: "does things"
repositoryUrl: "https://example.invalid/repo"
imageUrl: "https://example.invalid/image.png"
task_executable_network: "IPFS"
task_audit_program: "dist/main.js"
round_time: 1500
submission_window: 500
audit_window: 500
minimum_stake_amount: 1.9
total_bounty_amount: 100
bounty_amount_per_round: 2.5
allowed_failed_distributions: 3
space: 1
requirementsTags:
  - type: TASK_VARIABLE
    value: "TWITTER_USER"
    description: "whose posts to read"
  - type: GLOBAL_VARIABLE
    value: "API_KEY"
  - type: CPU
    value: "4-core"
`;

function errorsOf(yaml: string): Record<string, string> {
  try {
    mapKoiiConfig(yaml);
  } catch (error) {
    assert.ok(error instanceof KoiiConfigError, String(error));
    return { ...error.errors };
  }
  assert.fail("expected a KoiiConfigError");
}

const replace = (field: string, value: string) => VALID.replace(new RegExp(`^${field}:.*$`, "m"), `${field}: ${value}`);
const remove = (field: string) => VALID.replace(new RegExp(`^${field}:.*\\n`, "m"), "");

describe("config-task.yml mapping", () => {
  it("maps windows, amounts in base units, failed distributions and task variables", () => {
    const mapping = mapKoiiConfig(VALID);
    assert.equal(mapping.name, "my-task");
    assert.equal(mapping.params.roundSlots, 1500);
    assert.equal(mapping.params.revealSlots, 500);
    assert.equal(mapping.params.auditSlots, 500);
    assert.equal(mapping.params.voteSlots, 500);
    assert.equal(mapping.params.commitSlots, 500);
    assert.equal(mapping.params.distributionSlots, 500);
    assert.equal(mapping.params.distributionAuditSlots, 500);
    assert.equal(mapping.params.minimumStake, 1_900_000_000n);
    assert.equal(mapping.params.bountyPerRound, 2_500_000_000n);
    assert.equal(mapping.bountyPerRound, 2_500_000_000n);
    assert.equal(mapping.funding, 100n * TOKEN);
    assert.equal(mapping.params.allowedFailedDistributions, 3);
    assert.deepEqual(
      mapping.taskVariables.map((variable) => [variable.name, variable.kind]),
      [
        ["TWITTER_USER", "TASK_VARIABLE"],
        ["API_KEY", "GLOBAL_VARIABLE"],
      ],
    );
    assert.deepEqual(findParamsProblems(mapping.params), []);
    // Everything else comes from the preset.
    assert.equal(mapping.params.vestingRounds, DEVNET_PARAMS.vestingRounds);
    assert.equal(mapKoiiConfig(VALID, { preset: "mainnet" }).params.rampRounds, MAINNET_PARAMS.rampRounds);
  });

  it("reports each field with no meaning on gradual once, without failing", () => {
    const { warnings } = mapKoiiConfig(VALID);
    for (const field of [
      "task_executable_network",
      "task_audit_program",
      "space",
      "imageUrl",
      "requirementsTags CPU",
    ]) {
      assert.equal(warnings.filter((warning) => warning.startsWith(field)).length, 1, `${field} is reported once`);
    }
    assert.ok(!warnings.some((warning) => warning.startsWith("round_time")), "mapped fields are not reported");
    const unknown = mapKoiiConfig(`${VALID}\nfavourite_colour: blue\n`).warnings;
    assert.ok(unknown.some((warning) => warning.startsWith("favourite_colour is not a config-task.yml field")));
  });

  it("gives create-task-cli's messages for invalid values", () => {
    assert.deepEqual(
      errorsOf(
        replace("total_bounty_amount", "5").replace("bounty_amount_per_round: 2.5", "bounty_amount_per_round: 1"),
      ),
      {
        total_bounty_amount: "Total bounty amount cannot be less than 10 KOII",
      },
    );
    assert.deepEqual(errorsOf(replace("bounty_amount_per_round", "101")), {
      bounty_amount_per_round: "cannot be more than total bounty amount",
    });
    assert.deepEqual(errorsOf(replace("task_name", '"a-name-that-is-far-too-long-for-koii"')), {
      task_name: "cannot be more than 24 characters long",
    });
    assert.equal(errorsOf(remove("round_time")).taskParams, "task parameter missing");
    assert.equal(errorsOf(replace("audit_window", "-5")).taskParams, "type error in task params");
    assert.equal(errorsOf(remove("author")).author, "Missing");
    assert.equal(errorsOf(remove("repositoryUrl")).repositoryUrl, "Missing");
    assert.equal(errorsOf(remove("description")).description, "Missing");
    assert.equal(
      errorsOf(`${VALID}  - type: GPU\n    value: "big"\n`).requirementsTags,
      "tags do not have valid types or the values specified are not acceptable",
    );
    assert.match(errorsOf("just text").file ?? "", /expected a YAML mapping/);
    assert.match(new KoiiConfigError({ space: "x" }).message, /Please resolve these issues/);
  });

  it("accepts allowed_failed_distributions: 0 (create-task-cli mistakes it for missing) and caps large values", () => {
    assert.equal(mapKoiiConfig(replace("allowed_failed_distributions", "0")).params.allowedFailedDistributions, 0);
    const capped = mapKoiiConfig(replace("allowed_failed_distributions", "40"));
    assert.equal(capped.params.allowedFailedDistributions, 16);
    assert.ok(capped.warnings.some((warning) => warning.includes("capped")));
  });

  it("fits windows that fill the round, keeping their ratio and leaving slots for votes", () => {
    const warnings: string[] = [];
    const layout = layoutRound(600, 400, 200, warnings);
    assert.equal(layout.revealSlots + layout.auditSlots + layout.voteSlots, 600);
    assert.ok(layout.voteSlots >= 120);
    assert.ok(Math.abs(layout.revealSlots / layout.auditSlots - 2) < 0.01);
    assert.equal(warnings.length, 1);
    const spare: string[] = [];
    assert.deepEqual(layoutRound(1000, 300, 300, spare), {
      roundSlots: 1000,
      commitSlots: 300,
      revealSlots: 300,
      auditSlots: 300,
      voteSlots: 300,
      distributionSlots: 300,
      distributionAuditSlots: 300,
    });
    assert.deepEqual(spare, []);
  });

  it("rescales a long round for local runs, windows in proportion", () => {
    const mapping = mapKoiiConfig(VALID, { roundSlots: 30 });
    assert.equal(mapping.params.roundSlots, 30);
    assert.equal(mapping.params.revealSlots, 10);
    assert.equal(mapping.params.auditSlots, 10);
    assert.equal(mapping.koiiWindows.roundTime, 1500);
    assert.ok(mapping.warnings.some((warning) => warning.startsWith("round_time 1500 rescaled to 30")));
  });

  it("converts whole tokens to base units exactly, and names a field with too many decimals", () => {
    const amounts = (bounty: string) =>
      mapKoiiConfig(VALID.replace(/^total_bounty_amount:.*$/m, `total_bounty_amount: ${bounty}`)).funding;
    assert.equal(amounts("100.9"), 100_900_000_000n);
    assert.equal(amounts("12"), 12n * TOKEN);
    assert.throws(() => amounts("10.0000000001"), /total_bounty_amount: 10\.0000000001 has more than 9 decimals/);
  });

  it("maps the example folders' files", () => {
    for (const name of [
      "hello-world",
      "signed-rounds",
      "with-routes",
      "bad-distribution",
      "peer-check",
      "ipfs-result",
    ]) {
      const text = readFileSync(new URL(`../../../examples/koii/${name}/config-task.yml`, import.meta.url), "utf8");
      const mapping = mapKoiiConfig(text);
      assert.equal(mapping.name, name);
      assert.deepEqual(findParamsProblems(mapping.params), []);
    }
  });
});
