import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the gradual packages a scaffolded project depends on live: those of the installation running this CLI. */
export type GradualInstallation = {
  /** The @gradual/sdk package folder (what `import ... from "@gradual/sdk"` resolves to). */
  readonly sdkDirectory: string;
  /** The @gradual/cli package folder (its `gradual` executable runs the project's scripts). */
  readonly cliDirectory: string;
};

/** The nearest folder at or above `from` whose package.json is named `name`. */
function packageFolder(from: string, name: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    const manifest = join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name)
      return folder;
    if (dirname(folder) === folder) throw new Error(`no ${name} package at or above ${from}`);
  }
}

/** The sdk and CLI package folders of this installation (in a checkout: packages/sdk and packages/cli). */
export function gradualInstallation(): GradualInstallation {
  const here = dirname(fileURLToPath(import.meta.url));
  // require.resolve gives the real path (symlinks followed), so the project links to the files themselves.
  const sdkEntry = createRequire(import.meta.url).resolve("@gradual/sdk");
  return {
    sdkDirectory: packageFolder(dirname(sdkEntry), "@gradual/sdk"),
    cliDirectory: packageFolder(here, "@gradual/cli"),
  };
}

/** Versions of the project's development tools, the ones this repository is built and tested with. */
const DEV_TOOLS = { "@types/node": "^20.19.43", tsx: "^4.23.15", typescript: "~5.9.3" } as const;

/**
 * `gradual task init DIR`: a standalone task project. A task that counts words of a text in its config, proves the
 * count, and is audited by recounting: small, but every function is real, and both its unit test and
 * `gradual task test` pass on it. Its package.json depends on the sdk and the CLI of the installation that made it
 * (`file:` links: nothing is published to a registry), so `npm install && npm test` works in any folder.
 */
export function scaffoldTask(directory: string, name: string, installation: GradualInstallation): void {
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "my-task";
  mkdirSync(join(directory, "test"), { recursive: true });
  const files: Record<string, string> = {
    "package.json": packageJson(safeName, installation),
    "tsconfig.json": TSCONFIG,
    ".gitignore": "node_modules/\ndist/\n.data/\n",
    "task.ts": TASK,
    "task.yml": taskYml(safeName),
    "test/task.test.ts": TEST,
    "README.md": readme(safeName, installation),
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(directory, file), text);
}

function packageJson(name: string, installation: GradualInstallation): string {
  const manifest = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: "A gradual task",
    scripts: {
      test: "node --import tsx --test test/*.test.ts && gradual task test .",
      "test:unit": "node --import tsx --test test/*.test.ts",
      dev: "gradual task dev .",
      build: "gradual task build .",
      typecheck: "tsc",
    },
    dependencies: { "@gradual/sdk": `file:${resolve(installation.sdkDirectory)}` },
    devDependencies: { "@gradual/cli": `file:${resolve(installation.cliDirectory)}`, ...DEV_TOOLS },
    engines: { node: ">=20.10" },
    // npm 11 runs a dependency's install script only when allowed; esbuild's (through tsx) checks its binary.
    allowScripts: { esbuild: true },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
    include: ["*.ts", "test/**/*.ts"],
  },
  null,
  2,
)}\n`;

const TASK = `import { defineTask } from "@gradual/sdk";

/** Counts the words of config.text for each cycle; auditors recount. Replace with your task's real work. */
export function countWords(text: string, cycle: number): { cycle: number; words: number } {
  return { cycle, words: text.split(/\\s+/).filter((word) => word.length > 0).length };
}

export default defineTask({
  async task(ctx) {
    const result = countWords(ctx.config.text ?? "", ctx.cycle);
    await ctx.store.set(\`result/\${ctx.cycle}\`, result);
    ctx.log.info("counted", { cycle: ctx.cycle, words: result.words });
  },
  async submission(ctx) {
    return (await ctx.store.get(\`result/\${ctx.cycle}\`)) ?? null;
  },
  async audit(ctx, proof) {
    const claimed = proof.json<{ cycle: number; words: number } | null>();
    const expected = countWords(ctx.config.text ?? "", ctx.cycle);
    return claimed !== null && claimed.cycle === expected.cycle && claimed.words === expected.words;
  },
  routes(router) {
    router.get("/result/:cycle", async (request, ctx) => ({
      body: (await ctx.store.get(\`result/\${request.path.split("/").pop()}\`)) ?? null,
    }));
  },
});
`;

function taskYml(name: string): string {
  return `name: ${name}
entry: ./task.ts
preset: devnet
bountyPerRound: "100"
funding: "2000"
config:
  text: "the quick brown fox jumps over the lazy dog"
`;
}

const TEST = `import assert from "node:assert/strict";
import { test } from "node:test";
import { createProof, encodeProof } from "@gradual/sdk";
import task from "../task.ts";

/** A small fake context: an in-memory store, a silent logger and the config the task reads. */
function context(cycle: number) {
  const data = new Map<string, unknown>();
  return {
    taskId: "0".repeat(64),
    cycle,
    round: cycle,
    node: "1".repeat(64),
    sign: async () => "",
    signJson: async () => "",
    store: {
      get: async (key: string) => data.get(key) as never,
      set: async (key: string, value: unknown) => void data.set(key, value),
      delete: async (key: string) => void data.delete(key),
      keys: async () => [...data.keys()],
    },
    log: { info() {}, warn() {}, error() {} },
    fetch,
    ledger: { get: async () => null as never },
    config: { text: "one two three" },
  };
}

test("an honest proof passes another node's audit and a forged one fails", async () => {
  const worker = context(5);
  await task.task(worker);
  const proof = createProof(encodeProof(await task.submission(worker)));
  assert.equal(await task.audit(context(5), proof), true);
  const forged = createProof(encodeProof({ cycle: 5, words: 4 }));
  assert.equal(await task.audit(context(5), forged), false);
});
`;

function readme(name: string, installation: GradualInstallation): string {
  return `# ${name}

A gradual task. \`task.ts\` does the work, proves it, and audits other nodes' proofs;
\`task.yml\` sets its parameters, bounty and config (docs/writing-a-task.md of gradual, "\`task.yml\`").

\`\`\`sh
npm install        # links @gradual/sdk and the gradual CLI, installs tsx and TypeScript
npm test           # the unit test (test/task.test.ts), then gradual task test: 3 sandboxed nodes, 4 rounds
npm run dev        # watch mode: rebuild and rerun the local test on every change, with per-step timings
npm run build      # the bundle a ledger would run, in dist/ (prints its hash)
npm run typecheck  # tsc
\`\`\`

Then run it on a local devnet of real processes, and publish it to a ledger:

\`\`\`sh
npx gradual devnet --task .
npx gradual task create --config task.yml --key creator.json
\`\`\`

## Where @gradual/sdk comes from

Nothing of gradual is published to a registry. \`package.json\` links the packages of the installation that
created this project (\`gradual task init\`):

- \`@gradual/sdk\`: \`file:${installation.sdkDirectory}\`
- \`@gradual/cli\`: \`file:${installation.cliDirectory}\`

If that installation moves, point both at the new one (or at tarballs made by \`npm run pack:all\` in the gradual
repository) and run \`npm install\` again. \`gradual task test\`, \`dev\` and \`build\` work even before
\`npm install\`: the bundler then takes \`@gradual/sdk\` from the CLI's own installation.
`;
}
