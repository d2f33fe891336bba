import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalJson,
  cycleUrl,
  isScrapeProof,
  normalizeUrl,
  parseSitemap,
  readLimited,
  readSettings,
} from "../scrape.ts";

describe("scraper helpers", { timeout: 5_000 }, () => {
  it("normalizes http(s) URLs and drops fragments and other schemes", () => {
    assert.equal(normalizeUrl(" http://example.com/a#top "), "http://example.com/a");
    assert.equal(normalizeUrl("/b", "https://example.com/x/y"), "https://example.com/b");
    assert.equal(normalizeUrl("mailto:someone@example.com"), undefined);
    assert.equal(normalizeUrl("not a url"), undefined);
  });

  it("reads text and XML sitemaps", () => {
    const base = "http://site.test/sitemap.txt";
    assert.deepEqual(parseSitemap("# pages\nhttp://site.test/a\n\n/b\r\nftp://x/\n", base), [
      "http://site.test/a",
      "http://site.test/b",
    ]);
    const xml = "<urlset><url><loc> http://site.test/x </loc></url><url><LOC>http://site.test/y</LOC></url></urlset>";
    assert.deepEqual(parseSitemap(xml, base), ["http://site.test/x", "http://site.test/y"]);
  });

  it("pins a URL to the cycle, keeping its other parameters", () => {
    assert.equal(cycleUrl("http://site.test/p?lang=en", 7, "round"), "http://site.test/p?lang=en&round=7");
    assert.equal(cycleUrl("http://site.test/p?round=1", 7, "round"), "http://site.test/p?round=7");
    assert.equal(cycleUrl("http://site.test/p", 7, ""), "http://site.test/p");
  });

  it("reads at most maxBytes of a body, across chunks", async () => {
    const chunks = ["abc", "defg", "hij"].map((part) => new TextEncoder().encode(part));
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });
    assert.equal(new TextDecoder().decode(await readLimited(new Response(stream()), 5)), "abcde");
    assert.equal(new TextDecoder().decode(await readLimited(new Response(stream()), 100)), "abcdefghij");
    assert.equal((await readLimited(new Response(null), 10)).length, 0);
  });

  it("encodes canonical JSON with sorted keys, and refuses what JSON cannot hold exactly", () => {
    assert.equal(canonicalJson({ b: [1, "42n"], a: { d: null, c: true } }), '{"a":{"c":true,"d":null},"b":[1,"42n"]}');
    assert.throws(() => canonicalJson({ x: 1.5 }), TypeError);
    assert.throws(() => canonicalJson([undefined]), TypeError);
  });

  it("validates settings and proof structure", () => {
    assert.equal(readSettings({}).auditSamples, 3);
    assert.equal(readSettings({ cycleParam: "" }).cycleParam, "");
    assert.throws(() => readSettings({ maxPages: "0" }), /config\.maxPages/);
    assert.equal(isScrapeProof({ cycle: 1, pages: [] }), true);
    assert.equal(isScrapeProof({ cycle: -1, pages: [] }), false);
    const page = { url: "http://a.test/", status: 200, title: "", links: [], textHash: "0".repeat(64) };
    assert.equal(isScrapeProof({ cycle: 1, pages: [page] }), true);
    assert.equal(isScrapeProof({ cycle: 1, pages: [page, page] }), false);
    assert.equal(isScrapeProof({ cycle: 1, pages: [{ ...page, url: "http://a.test" }] }), false);
    assert.equal(isScrapeProof({ cycle: 1, pages: [{ ...page, status: 1000 }] }), false);
    assert.equal(isScrapeProof({ cycle: 1, pages: [{ ...page, links: [1] }] }), false);
  });
});
