import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseHtml } from "../html.ts";
import { type DemoSite, renderPage, startDemoSite } from "../site.ts";

describe("startDemoSite", { timeout: 10_000 }, () => {
  let site: DemoSite;
  before(async () => {
    site = await startDemoSite({ port: 0, pages: 10 });
  });
  after(async () => {
    await site.close();
  });

  it("listens on 127.0.0.1 and lists every page in /sitemap.txt", async () => {
    assert.match(site.url, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
    const response = await fetch(site.sitemapUrl);
    assert.equal(response.status, 200);
    const lines = (await response.text()).trim().split("\n");
    assert.deepEqual(lines, site.pageUrls);
    assert.equal(lines.length, 10);
  });

  it("serves the same bytes for the same request, and a different edition per round", async () => {
    const url = `${site.url}/page/3?round=7`;
    const first = await (await fetch(url)).text();
    assert.equal(await (await fetch(url)).text(), first);
    assert.equal(first, renderPage(3, 10, 7));
    const other = await (await fetch(`${site.url}/page/3?round=8`)).text();
    assert.notEqual(other, first);
    assert.equal(parseHtml(other).title, parseHtml(first).title);
  });

  it("links pages to each other and hides script and comment links", async () => {
    const page = parseHtml(await (await fetch(`${site.url}/`)).text());
    assert.equal(page.title, "Home · Gradual demo site");
    assert.deepEqual(page.links, ["/", "/page/9", "/page/1", "/page/1"]);
    assert.ok(!page.text.includes("hidden"));
  });

  it("answers 404 for unknown pages and 405 for other methods", async () => {
    assert.equal((await fetch(`${site.url}/page/10`)).status, 404);
    assert.equal((await fetch(`${site.url}/nothing`)).status, 404);
    assert.equal((await fetch(`${site.url}/`, { method: "POST" })).status, 405);
  });

  it("refuses bad options", async () => {
    await assert.rejects(startDemoSite({ pages: 0 }), RangeError);
    await assert.rejects(startDemoSite({ port: 70_000 }), RangeError);
  });
});
