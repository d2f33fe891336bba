/**
 * Serves the demo site until interrupted, for running the web-scraper outside a devnet that starts it itself:
 *
 *   node --conditions=source --import tsx examples/web-scraper/serve.ts [--port 8790] [--pages 10]
 */
import { parseArgs } from "node:util";
import { startDemoSite } from "./site.ts";

const { values } = parseArgs({
  options: { port: { type: "string", default: "8790" }, pages: { type: "string", default: "10" } },
});
const site = await startDemoSite({ port: Number(values.port), pages: Number(values.pages) });
process.stdout.write(`demo site on ${site.url} (sitemap ${site.sitemapUrl}); Ctrl-C to stop\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void site.close().then(() => process.exit(0));
  });
}
