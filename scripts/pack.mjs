/**
 * Packs every installable package into tarballs, for installing gradual outside this repository (nothing is
 * published to a registry):
 *
 *   npm run pack:all [-- OUT_DIR]        (default OUT_DIR: packed/, ignored by git)
 *   npm install -g OUT_DIR/*.tgz         (or, in any folder: npm install OUT_DIR/*.tgz && npx gradual --help)
 *
 * The packages depend on each other by name (`@gradual/protocol: *`); installing all the tarballs in one command
 * satisfies those from the tarballs, and everything else comes from the npm registry. It builds first
 * (scripts/build.mjs): a tarball holds dist/ (JavaScript and declarations), never the TypeScript sources. The CLI's
 * tarball also carries examples/web-scraper, the task `gradual devnet` runs when given no --task.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "packed"));
/** Dependencies first; the order does not matter to npm, only to a reader of the output. */
const PACKAGES = ["protocol", "sdk", "ledger", "node", "evm", "koii", "sim", "dashboard", "cli"];

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) {
    process.stderr.write(`pack: ${command} ${args.join(" ")} failed in ${cwd}\n`);
    process.exit(result.status ?? 1);
  }
}

run(process.execPath, [join(root, "scripts/build.mjs")], root);
mkdirSync(out, { recursive: true });
for (const old of readdirSync(out)) if (/^gradual-.*\.tgz$/.test(old)) rmSync(join(out, old));

const demo = join(root, "packages/cli/examples/web-scraper");
rmSync(join(root, "packages/cli/examples"), { recursive: true, force: true });
cpSync(join(root, "examples/web-scraper"), demo, {
  recursive: true,
  filter: (source) => !/[\\/](test|node_modules)$/.test(source),
});
try {
  for (const name of PACKAGES) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    run(npm, ["pack", "--silent", "--pack-destination", out], join(root, "packages", name));
  }
} finally {
  rmSync(join(root, "packages/cli/examples"), { recursive: true, force: true });
}
const tarballs = readdirSync(out).filter((file) => file.endsWith(".tgz"));
process.stderr.write(`pack: ${tarballs.length} tarballs in ${out}\n`);
process.stderr.write(`install them together: npm install -g ${join(out, "*.tgz")}\n`);
