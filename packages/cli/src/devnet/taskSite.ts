import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeBundleFile } from "@gradual/node/bundle";
import type { TaskConfig } from "../taskConfig.ts";
import { bundleApart } from "./bundleApart.ts";

export type TaskSite = { readonly config: TaskConfig; readonly url: string; close(): Promise<void> };

/** Starts the task's demo site when its folder ships one (web-scraper does), and points the task at it. */
export async function startTaskSite(config: TaskConfig): Promise<TaskSite | undefined> {
  const sitePath = join(config.directory, "site.ts");
  if (!existsSync(sitePath)) return undefined;
  // site.ts is TypeScript and this CLI runs plain JavaScript (no tsx): esbuild turns it into one ESM file first.
  const bundle = await bundleApart(sitePath);
  const file = await writeBundleFile(bundle.code, { directory: join(tmpdir(), "gradual-sites") });
  const module = (await import(pathToFileURL(file).href)) as {
    startDemoSite?: (options?: { port?: number }) => Promise<{ url: string; close(): Promise<void> }>;
  };
  if (module.startDemoSite === undefined) return undefined;
  const site = await module.startDemoSite({ port: 0 });
  return {
    config: { ...config, config: { ...config.config, sitemap: `${site.url}/sitemap.txt` } },
    url: site.url,
    close: () => site.close(),
  };
}
