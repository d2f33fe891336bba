import type { TaskDefinition } from "./types.ts";

const REQUIRED = ["task", "submission", "audit"] as const;
const OPTIONAL = ["setup", "distribution", "routes"] as const;

/** Marks a module's default export as a gradual task, checking its shape at load time with a clear message. */
export function defineTask<const T extends TaskDefinition>(definition: T): T {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError(`defineTask: expected an object with task, submission and audit, got ${typeof definition}`);
  }
  for (const name of REQUIRED) {
    if (typeof definition[name] !== "function") {
      throw new TypeError(`defineTask: "${name}" must be a function, got ${typeof definition[name]}`);
    }
  }
  for (const name of OPTIONAL) {
    const value = definition[name];
    if (value !== undefined && typeof value !== "function") {
      throw new TypeError(`defineTask: "${name}" must be a function when given, got ${typeof value}`);
    }
  }
  const unknown = Object.keys(definition).filter(
    (key) => !(REQUIRED as readonly string[]).includes(key) && !(OPTIONAL as readonly string[]).includes(key),
  );
  if (unknown.length > 0) throw new TypeError(`defineTask: unknown field(s) ${unknown.join(", ")}`);
  return Object.freeze(definition);
}
