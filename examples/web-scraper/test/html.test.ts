import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeEntities, parseHtml } from "../html.ts";

describe("parseHtml", { timeout: 5_000 }, () => {
  it("reads the title, the hrefs in document order and the visible text", () => {
    const page = parseHtml(
      `<html><head><title> Hello &amp; welcome </title></head>
       <body><h1>Hi</h1><a href="/one">One</a> <a href='two.html'>Two</a> <a href=three>3</a></body></html>`,
    );
    assert.equal(page.title, "Hello & welcome");
    assert.deepEqual(page.links, ["/one", "two.html", "three"]);
    assert.equal(page.text, "Hello & welcome Hi One Two 3");
  });

  it("ignores scripts, styles, comments and declarations, whatever they contain", () => {
    const page = parseHtml(
      `<!DOCTYPE html><!-- <a href="/c">commented</a> --><style>a::after{content:"<a href='/s'>"}</style>
       <script>var s = "</scrip" + "t><a href='/x'>"; if (a < b) {}</script >
       <SCRIPT type="module">x()</SCRIPT><p>visible</p><noscript><a href="/n">n</a></noscript>`,
    );
    assert.deepEqual(page.links, []);
    assert.equal(page.text, "visible");
  });

  it("is tolerant: upper case, stray <, unclosed tags, attributes without values, a cut-off document", () => {
    const page = parseHtml(`<TITLE>T<b>i</b>tle<P>1 < 2 <A class HREF = "/up" data-x='y'>up</a><a href="/cut`);
    // An unclosed <title> runs to the end of the document, its tags removed.
    assert.equal(page.title, "T i tle 1 up");
    // A quoted value cut off by the end of the document reads as empty, as an unfinished tag should.
    assert.deepEqual(page.links, ["/up", ""]);
    assert.equal(page.text, "T i tle 1 < 2 up");
  });

  it("keeps the first title and the first href of a tag, and an <a> without href adds no link", () => {
    const page = parseHtml(`<title>first</title><title>second</title><a name="x">x</a><a href="/a" href="/b">y</a>`);
    assert.equal(page.title, "first");
    assert.deepEqual(page.links, ["/a"]);
  });

  it("caps links, hrefs and titles", () => {
    const html = `<title>${"t".repeat(500)}</title>${Array.from({ length: 10 }, (_, i) => `<a href="/${i}${"x".repeat(20)}">`).join("")}`;
    const page = parseHtml(html, { maxLinks: 3, maxHrefLength: 5, maxTitleLength: 8 });
    assert.equal(page.title, "tttttttt");
    assert.deepEqual(page.links, ["/0xxx", "/1xxx", "/2xxx"]);
  });

  it("returns empty results for an empty or tag-only document", () => {
    assert.deepEqual(parseHtml(""), { title: "", links: [], text: "" });
    assert.deepEqual(parseHtml("<html><body></body></html>"), { title: "", links: [], text: "" });
  });
});

describe("decodeEntities", () => {
  it("decodes named and numeric entities and leaves unknown ones", () => {
    assert.equal(
      decodeEntities("&lt;a&gt; &quot;&#39;&#x41;&#65;&nbsp;&rsquo;&unknown; &#0; &#xD800;"),
      `<a> "'AA ’&unknown; \uFFFD \uFFFD`,
    );
  });
});
