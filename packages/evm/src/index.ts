export { type Anvil, anvilBinary, type StartAnvilOptions, startAnvil } from "./anvil.ts";
export {
  type Artifact,
  type CompileOptions,
  type CompileResult,
  ContractsCompileError,
  compileContracts,
  gradualAbi,
  loadArtifact,
  SOLC_SETTINGS,
} from "./compile.ts";
