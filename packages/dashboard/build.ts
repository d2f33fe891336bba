/**
 * Builds the dashboard's page with vite (dist/web), at build time only: `npm run build` (scripts/build.mjs, which
 * `npm ci`, `npm start` and `npm test` run) and the dashboard's own tests. A running ledger or CLI never loads vite;
 * it serves what was built (serve.ts, `builtDashboardDir`).
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { dashboardDistDir, isDashboardBuilt, PACKAGE_DIR } from "./serve.ts";

let building: Promise<string> | undefined;

export type BuildDashboardOptions = {
  /** Build even when dist/web/ looks current. */
  readonly force?: boolean;
  /** Progress lines ("building the dashboard…"). */
  readonly log?: (line: string) => void;
};

/**
 * Returns the directory of the built page, running `vite build` first (about a second) when dist/web/ is missing or
 * older than the sources. The build goes to a temporary directory that replaces dist/web/ only when complete, so a
 * server never sees half a build.
 */
export function buildDashboard(options: BuildDashboardOptions = {}): Promise<string> {
  const distDir = dashboardDistDir();
  if (!options.force && isDashboardBuilt(distDir)) return Promise.resolve(distDir);
  building ??= (async () => {
    const started = Date.now();
    options.log?.("building the dashboard (vite)…");
    // Work directories live under node_modules/.cache (ignored by git) on the same disk, so renames are atomic.
    const work = join(PACKAGE_DIR, "node_modules", ".cache", "gradual-dashboard");
    mkdirSync(work, { recursive: true });
    const temporary = join(work, `build-${process.pid}-${Date.now()}`);
    try {
      const { build } = await import("vite");
      await build({
        root: PACKAGE_DIR,
        configFile: join(PACKAGE_DIR, "vite.config.ts"),
        logLevel: "warn",
        build: { outDir: temporary, emptyOutDir: true },
      });
      // Another process (a parallel test) may swap in its own build at the same time: whichever lands, dist/web/
      // ends up a complete, current build.
      const previous = join(work, `old-${process.pid}-${Date.now()}`);
      mkdirSync(dirname(distDir), { recursive: true });
      try {
        renameSync(distDir, previous);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      try {
        renameSync(temporary, distDir);
      } catch (error) {
        if (!isDashboardBuilt(distDir)) throw error;
      }
      rmSync(previous, { recursive: true, force: true });
      options.log?.(`built the dashboard in ${Date.now() - started} ms`);
      return distDir;
    } finally {
      rmSync(temporary, { recursive: true, force: true });
      building = undefined;
    }
  })();
  return building;
}
