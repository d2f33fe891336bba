/**
 * A small deterministic website for the web-scraper example: `pages` interlinked HTML pages and /sitemap.txt,
 * served by node:http on 127.0.0.1. The devnet starts it for this task; tests start it on port 0.
 *
 * Every response is a pure function of the path and the `?round=` query parameter: the same request gives the
 * same bytes on every call, on every machine. Each page has a part that changes with the round (an "edition"
 * paragraph and a featured link), so a scrape of round 7 differs from one of round 8, yet an auditor re-fetching
 * `?round=7` one round later sees exactly what the scraper saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type DemoSiteOptions = {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Number of pages, 1..1,000 (default 10). */
  readonly pages?: number;
};

export type DemoSite = {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8790`. */
  readonly url: string;
  /** URL of the sitemap listing every page. */
  readonly sitemapUrl: string;
  /** Absolute URL of every page, in page order. */
  readonly pageUrls: readonly string[];
  close(): Promise<void>;
};

const TOPICS = ["Home", "Staking", "Rounds", "Commits", "Reveals", "Audits", "Votes", "Slashing", "Vesting", "Escrow"];
const WORDS = [
  "quiet",
  "amber",
  "river",
  "signal",
  "harbor",
  "lantern",
  "meadow",
  "copper",
  "orbit",
  "willow",
  "ember",
];

function pagePath(index: number): string {
  return index === 0 ? "/" : `/page/${index}`;
}

function word(n: number): string {
  return WORDS[n % WORDS.length] as string;
}

function topic(index: number): string {
  return index === 0 ? "Home" : `${TOPICS[index % TOPICS.length] as string} ${Math.floor(index / TOPICS.length) + 1}`;
}

/** The HTML of page `index` for `round` (null when the request names no round). */
export function renderPage(index: number, pageCount: number, round: number | null): string {
  const next = (index + 1) % pageCount;
  const previous = (index + pageCount - 1) % pageCount;
  const related = (index * 3 + 1) % pageCount;
  const paragraph = Array.from({ length: 12 }, (_, n) => word(index * 5 + n * 3)).join(" ");
  const edition =
    round === null
      ? "<p>No edition requested.</p>"
      : `<section id="edition"><h2>Edition ${round}</h2><p>Today&rsquo;s word: ${word(index * 7 + round * 13)} &amp; ${word(index + round)}.</p>` +
        `<a href="${pagePath((index + round) % pageCount)}">Featured this round</a></section>`;
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${topic(index)} &middot; Gradual demo site</title>`,
    "<style>body { font-family: sans-serif } a::after { content: '<not text>' }</style>",
    "</head><body>",
    "<!-- navigation: <a href='/commented-out'>not a link</a> -->",
    `<nav><a href="/">Home</a> | <a href='${pagePath(previous)}'>Previous</a> | <a href=${pagePath(next)}>Next</a></nav>`,
    `<h1>${topic(index)}</h1>`,
    `<p>${paragraph}.</p>`,
    `<p>See also <A HREF="${pagePath(related)}">${topic(related)}</A>.</p>`,
    edition,
    `<script>document.write("<a href='/from-script'>hidden</a>");</script>`,
    "</body></html>",
  ].join("\n");
}

function parseRound(raw: string | null): number | null {
  if (raw === null || !/^[0-9]{1,9}$/.test(raw)) return null;
  return Number(raw);
}

function pageIndexOf(pathname: string, pageCount: number): number | undefined {
  if (pathname === "/") return 0;
  const match = /^\/page\/([1-9][0-9]{0,3})$/.exec(pathname);
  if (match === null) return undefined;
  const index = Number(match[1]);
  return index < pageCount ? index : undefined;
}

type Page = { readonly status: number; readonly type: string; readonly body: string };

/** The response to one request: a pure function of the method, path and `round`. */
export function respond(method: string, target: string, base: string, pageCount: number): Page {
  const url = new URL(target, "http://127.0.0.1");
  if (method !== "GET" && method !== "HEAD") return { status: 405, type: "text/plain", body: "method not allowed\n" };
  if (url.pathname === "/sitemap.txt") {
    const lines = Array.from({ length: pageCount }, (_, index) => `${base}${pagePath(index)}`);
    return { status: 200, type: "text/plain", body: `${lines.join("\n")}\n` };
  }
  const index = pageIndexOf(url.pathname, pageCount);
  if (index === undefined) {
    const body = "<html><head><title>Not found</title></head><body>No such page.</body></html>";
    return { status: 404, type: "text/html", body };
  }
  return {
    status: 200,
    type: "text/html",
    body: renderPage(index, pageCount, parseRound(url.searchParams.get("round"))),
  };
}

function handle(request: IncomingMessage, response: ServerResponse, base: string, pageCount: number): void {
  const method = request.method ?? "GET";
  const page = respond(method, request.url ?? "/", base, pageCount);
  response.writeHead(page.status, { "content-type": `${page.type}; charset=utf-8`, "cache-control": "no-store" });
  response.end(method === "HEAD" ? undefined : page.body);
}

export async function startDemoSite(options: DemoSiteOptions = {}): Promise<DemoSite> {
  const pageCount = options.pages ?? 10;
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(pageCount) || pageCount < 1 || pageCount > 1_000) {
    throw new RangeError(`startDemoSite: expected pages in [1, 1000], got ${pageCount}`);
  }
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`startDemoSite: expected a port in [0, 65535], got ${port}`);
  }
  let baseUrl = "";
  const server = createServer((request, response) => handle(request, response, baseUrl, pageCount));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    sitemapUrl: `${baseUrl}/sitemap.txt`,
    pageUrls: Array.from({ length: pageCount }, (_, index) => `${baseUrl}${pagePath(index)}`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
