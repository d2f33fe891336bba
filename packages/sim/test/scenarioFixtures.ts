export { TOKEN as TOKEN_FOR_TESTS } from "@gradual/protocol";
export { createScenario, loadScenario, parseScenario, ScenarioError } from "../src/index.ts";
