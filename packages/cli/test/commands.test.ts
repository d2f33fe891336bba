import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Command } from "commander";
import { COMMAND_MODULES, registerCommands } from "../src/commands/index.ts";

/** The CLI loads only the module of the command it runs: the table must name the module that registers it. */
describe("command modules", () => {
  test("every top-level command is in COMMAND_MODULES", async () => {
    const all = new Command();
    await registerCommands(all, []);
    const names = all.commands.map((command) => command.name()).sort();
    assert.deepEqual(names, Object.keys(COMMAND_MODULES).sort());
  });

  for (const name of Object.keys(COMMAND_MODULES)) {
    test(`gradual ${name} loads the module that registers it`, async () => {
      const program = new Command();
      await registerCommands(program, [name, "--help"]);
      assert.ok(
        program.commands.some((command) => command.name() === name),
        `${name} registered by its module`,
      );
      assert.ok(program.commands.length < Object.keys(COMMAND_MODULES).length, "not every module was loaded");
    });
  }
});
