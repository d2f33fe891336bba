import { fileURLToPath } from "node:url";
import { loadScenario, type Scenario } from "../src/index.ts";

export function scenarioPath(name: string): string {
  return fileURLToPath(new URL(`../scenarios/${name}.yaml`, import.meta.url));
}

/** A shipped scenario, optionally shortened (groups that would join or leave later simply never do). */
export function shipped(name: string, rounds?: number): Scenario {
  const scenario = loadScenario(scenarioPath(name));
  return rounds === undefined ? scenario : { ...scenario, rounds };
}

export function json(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? `${raw}n` : raw));
}
