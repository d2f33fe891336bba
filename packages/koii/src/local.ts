/**
 * @gradual/koii/local: what a Koii task folder linked to gradual (`gradual koii link`) needs outside any node, without
 * the bundler (esbuild) the main entry carries: the adapter a node runs Koii code through, the hooks that give the
 * wrapper a local chain's context and duties, Koii's key encoding, and the config mapping.
 */
export { mapKoiiConfig } from "./config/mapKoiiConfig.ts";
export { accountToKoiiKey, koiiKeyToAccount } from "./keys.ts";
export { type LocalRounds, setLocalRounds } from "./runtime/chain.ts";
export { adoptIdentity } from "./runtime/constants.ts";
export { setFallbackContext } from "./runtime/context.ts";
export { fromKoii } from "./runtime/fromKoii.ts";
export { type LocalDuties, setLocalDuties } from "./runtime/taskManager.ts";
