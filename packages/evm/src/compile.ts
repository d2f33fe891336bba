/**
 * The contracts' build: every `contracts/src/**\/*.sol` of this package (and, for tests, `contracts/test/**\/*.sol`)
 * compiled with solc-js's standard JSON, `@openzeppelin/contracts/...` imports read from node_modules through solc's
 * import callback. One artifact per contract (`abi`, `bytecode`, `deployedBytecode`) is written as JSON under
 * `dist/contracts/` (`dist/contracts-test/` with the test sources), with the hash of the inputs (sources, solc version,
 * settings, OpenZeppelin version): an unchanged build does not compile again.
 *
 *   compileContracts()                       (scripts/build.mjs, after tsc)
 *   compileContracts({ includeTests: true }) (tests that deploy a harness)
 *   loadArtifact("Gradual")
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The solc settings of every build (the hash covers them). */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  viaIR: true,
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
} as const;

export type Artifact = {
  readonly contractName: string;
  readonly sourceName: string;
  readonly abi: readonly unknown[];
  readonly bytecode: `0x${string}`;
  readonly deployedBytecode: `0x${string}`;
};

export type CompileOptions = {
  /** Also compile `contracts/test/**\/*.sol` (test harnesses); the artifacts go to `dist/contracts-test/`. */
  readonly includeTests?: boolean;
  /** The package folder holding `contracts/` (default: this package). */
  readonly packageDir?: string;
  /** Where the artifacts go (default `<packageDir>/dist/contracts` or `dist/contracts-test`). */
  readonly outDir?: string;
  /** Compile even when the inputs' hash matches the last build. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
};

export type CompileResult = {
  readonly outDir: string;
  /** False when the inputs were unchanged and the artifacts were kept. */
  readonly compiled: boolean;
  readonly contracts: readonly string[];
  readonly inputsHash: string;
  readonly warnings: readonly string[];
};

/** A build that failed: solc's errors, each with its file:line:column. */
export class ContractsCompileError extends Error {
  readonly code = "EVM__COMPILE_FAILED";
  constructor(readonly errors: readonly string[]) {
    super(`solc: ${errors.length} error(s)\n${errors.join("\n")}`);
    this.name = "ContractsCompileError";
  }
}

const HASH_FILE = "inputs.sha256";
const defaultPackageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

type Solc = {
  version(): string;
  compile(input: string, callbacks: { import: (path: string) => { contents: string } | { error: string } }): string;
};

type SolcError = {
  severity: "error" | "warning" | "info";
  type: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
};

type SolcOutput = {
  errors?: SolcError[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
};

function defaultOutDir(packageDir: string, includeTests: boolean): string {
  return join(packageDir, "dist", includeTests ? "contracts-test" : "contracts");
}

function solFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...solFiles(path));
    else if (entry.isFile() && entry.name.endsWith(".sol")) found.push(path);
  }
  return found.sort();
}

function openZeppelinDir(): string {
  return dirname(require.resolve("@openzeppelin/contracts/package.json"));
}

/** The hash of what decides the build's output. */
function hashInputs(sources: Record<string, { content: string }>, solcVersion: string, ozVersion: string): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ solcVersion, ozVersion, settings: SOLC_SETTINGS }));
  for (const name of Object.keys(sources).sort()) {
    hash.update(`\0${name}\0`);
    hash.update((sources[name] as { content: string }).content);
  }
  return hash.digest("hex");
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Artifacts of contracts that no longer exist. */
function removeStaleArtifacts(outDir: string, keep: ReadonlySet<string>): void {
  for (const name of readdirSync(outDir)) {
    if (name.endsWith(".json") && !keep.has(name.slice(0, -".json".length)))
      rmSync(join(outDir, name), { force: true });
  }
}

function lineAndColumn(content: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < content.length; i += 1) {
    if (content.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Compiles the contracts (or keeps the last build when nothing changed) and writes one artifact per contract. */
export function compileContracts(options: CompileOptions = {}): CompileResult {
  const packageDir = options.packageDir ?? defaultPackageDir;
  const includeTests = options.includeTests ?? false;
  const outDir = options.outDir ?? defaultOutDir(packageDir, includeTests);
  const files = solFiles(join(packageDir, "contracts", "src"));
  if (includeTests) files.push(...solFiles(join(packageDir, "contracts", "test")));
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    sources[relative(packageDir, file).split(sep).join("/")] = { content: readFileSync(file, "utf8") };
  }
  const solc = require("solc") as Solc;
  const solcVersion = solc.version();
  const ozDir = openZeppelinDir();
  const ozVersion = (JSON.parse(readFileSync(join(ozDir, "package.json"), "utf8")) as { version: string }).version;
  const inputsHash = hashInputs(sources, solcVersion, ozVersion);
  const hashPath = join(outDir, HASH_FILE);
  if (!options.force && existsSync(hashPath) && readFileSync(hashPath, "utf8").trim() === inputsHash) {
    const contracts = readdirSync(outDir)
      .filter((name) => name.endsWith(".json"))
      .map((name) => name.slice(0, -".json".length));
    return { outDir, compiled: false, contracts, inputsHash, warnings: [] };
  }
  const started = Date.now();
  if (files.length === 0) {
    mkdirSync(outDir, { recursive: true });
    removeStaleArtifacts(outDir, new Set());
    writeAtomically(hashPath, `${inputsHash}\n`);
    return { outDir, compiled: true, contracts: [], inputsHash, warnings: [] };
  }
  const contents = new Map<string, string>(Object.entries(sources).map(([name, source]) => [name, source.content]));
  const findImport = (path: string): { contents: string } | { error: string } => {
    try {
      const file = path.startsWith("@openzeppelin/contracts/")
        ? join(ozDir, path.slice("@openzeppelin/contracts/".length))
        : join(packageDir, path);
      const text = readFileSync(file, "utf8");
      contents.set(path, text);
      return { contents: text };
    } catch {
      return { error: `import not found: ${path}` };
    }
  };
  const input = { language: "Solidity", sources, settings: SOLC_SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const problem of output.errors ?? []) {
    let where = "";
    if (problem.sourceLocation) {
      const text = contents.get(problem.sourceLocation.file);
      const at = text ? lineAndColumn(text, problem.sourceLocation.start) : undefined;
      where = at ? `${problem.sourceLocation.file}:${at.line}:${at.column}: ` : `${problem.sourceLocation.file}: `;
    }
    const line = `${where}${problem.severity} (${problem.type}): ${problem.message}`;
    if (problem.severity === "error") errors.push(line);
    else if (problem.severity === "warning") warnings.push(line);
  }
  if (errors.length > 0) throw new ContractsCompileError(errors);
  // Each file is replaced atomically and the hash is written last, so that a test process reading the artifacts
  // while another compiles the same inputs (node --test runs files in parallel) always reads whole files.
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
    if (!(sourceName in sources)) continue; // libraries (OpenZeppelin) are not artifacts of their own
    for (const [contractName, contract] of Object.entries(contracts)) {
      const artifact: Artifact = {
        contractName,
        sourceName,
        abi: contract.abi,
        bytecode: `0x${contract.evm.bytecode.object}`,
        deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
      };
      writeAtomically(join(outDir, `${contractName}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      written.push(contractName);
    }
  }
  removeStaleArtifacts(outDir, new Set(written));
  writeAtomically(hashPath, `${inputsHash}\n`);
  for (const warning of warnings) options.log?.(warning);
  options.log?.(`contracts: ${written.length} compiled with solc ${solcVersion} in ${Date.now() - started} ms`);
  return { outDir, compiled: true, contracts: written.sort(), inputsHash, warnings };
}

/** Reads one contract's artifact; throws `EVM__ARTIFACT_MISSING` (run npm run build) when it was not built. */
export function loadArtifact(
  name: string,
  options: { readonly includeTests?: boolean; readonly packageDir?: string; readonly outDir?: string } = {},
): Artifact {
  const outDir =
    options.outDir ?? defaultOutDir(options.packageDir ?? defaultPackageDir, options.includeTests ?? false);
  const path = join(outDir, `${name}.json`);
  if (!existsSync(path)) {
    throw Object.assign(
      new Error(
        `EVM__ARTIFACT_MISSING: no artifact for contract ${name} at ${path}: run npm run build` +
          (options.includeTests ? " (test contracts: compileContracts({ includeTests: true }))" : ""),
      ),
      { code: "EVM__ARTIFACT_MISSING" },
    );
  }
  return JSON.parse(readFileSync(path, "utf8")) as Artifact;
}

/**
 * The ABI clients call `Gradual` with: its own functions and those of its modules, which `Gradual` runs by
 * delegatecall through its fallback (`GradualAudits`, `GradualLists` and `GradualTasks`; the harness's are
 * `GradualHarness`, `GradualAuditsHarness`, `GradualListsHarness` and `GradualTasksHarness`). Events and errors they share appear once; the modules'
 * constructors and immutables' getters that `Gradual` has too are left out.
 */
export function gradualAbi(
  options: { readonly includeTests?: boolean; readonly packageDir?: string; readonly outDir?: string } = {},
  names: { readonly main?: string; readonly modules?: readonly string[] } = {},
): readonly unknown[] {
  const main = loadArtifact(names.main ?? "Gradual", options).abi as readonly Record<string, unknown>[];
  const modules = (names.modules ?? ["GradualAudits", "GradualLists", "GradualTasks"]).flatMap(
    (name) => loadArtifact(name, options).abi as readonly Record<string, unknown>[],
  );
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of [...main, ...modules.filter((entry) => entry.type !== "constructor")]) {
    const key = JSON.stringify([item.type, item.name, item.inputs]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/** The harness's ABI (test contracts): `gradualAbi` of `GradualHarness` and its three harness modules. */
export function harnessAbi(
  options: { readonly packageDir?: string; readonly outDir?: string } = {},
): readonly unknown[] {
  return gradualAbi(
    { ...options, includeTests: true },
    { main: "GradualHarness", modules: ["GradualAuditsHarness", "GradualListsHarness", "GradualTasksHarness"] },
  );
}
