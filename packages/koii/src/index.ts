/**
 * @gradual/koii: runs Koii tasks unmodified on gradual (docs/koii.md). It bundles a Koii task folder with gradual's
 * implementation of @_koii/task-manager and @_koii/namespace-wrapper, maps config-task.yml onto gradual's task
 * parameters, and offers Koii's signature format and key encoding to tools and tests.
 */
export {
  type BuildKoiiTaskReturnType,
  buildKoiiTask,
  findKoiiEntry,
  isKoiiTaskDirectory,
  KOII_CONFIG_FILE,
  KOII_MODULES,
  type KoiiTaskFolder,
} from "./build/buildKoiiTask.ts";
export {
  KoiiConfigError,
  type KoiiConfigMapping,
  type KoiiTaskVariable,
  layoutRound,
  type MapKoiiConfigOptions,
  mapKoiiConfig,
} from "./config/mapKoiiConfig.ts";
export {
  accountToKoiiKey,
  createNodeKeypair,
  isNodeSecretKeyHandle,
  KoiiPublicKey,
  koiiKeyToAccount,
} from "./keys.ts";
export { checkKoiiDistribution, type KoiiListCheck } from "./runtime/distribution.ts";
export { KoiiContextError, KoiiStorageError, KoiiSubmissionError, KoiiUnsupportedError } from "./runtime/errors.ts";

export { cidOfSha256, KoiiStorageClient, sha256OfCid } from "./shims/storage.ts";
export { attachSignature, openAttached, payloadBytes, signAttached } from "./signing.ts";
