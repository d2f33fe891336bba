/**
 * The web scraper's work and its checks, apart from the task definition so each piece is testable on its own:
 * which pages to scrape (config), how one page becomes a record, and what a well-formed proof looks like.
 */
import { bytesToHex, sha256 } from "@gradual/protocol";
import type { TaskContext } from "@gradual/sdk";
import { DEFAULT_PARSE_OPTIONS, parseHtml } from "./html.ts";

/** What the proof says about one page. `status` is 0 when the page could not be fetched at all. */
export type PageRecord = {
  readonly url: string;
  readonly status: number;
  readonly title: string;
  readonly links: readonly string[];
  /** sha256 (hex) of the page's visible text, whitespace collapsed (html.ts). */
  readonly textHash: string;
};

export type ScrapeProof = { readonly cycle: number; readonly pages: readonly PageRecord[] };

export type ScraperSettings = {
  /** Pages scraped per cycle at most; a longer list is cut after sorting. */
  readonly maxPages: number;
  readonly maxLinksPerPage: number;
  /** Bytes of a page body read at most; the rest is ignored by every node alike. */
  readonly maxPageBytes: number;
  readonly fetchTimeoutMs: number;
  /** Pages each auditor re-fetches; 0 means every page. */
  readonly auditSamples: number;
  /** Query parameter that pins a page to the cycle (`?round=7`); empty to fetch URLs as they are. */
  readonly cycleParam: string;
  /** Largest proof we submit, in bytes (keep at most the task's maxProofBytes). */
  readonly maxProofBytes: number;
};

function integerSetting(config: TaskContext["config"], name: string, fallback: number, min: number, max: number) {
  const raw = config[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`config.${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function readSettings(config: TaskContext["config"]): ScraperSettings {
  return {
    maxPages: integerSetting(config, "maxPages", 50, 1, 500),
    maxLinksPerPage: integerSetting(config, "maxLinksPerPage", 100, 0, 1_000),
    maxPageBytes: integerSetting(config, "maxPageBytes", 1024 * 1024, 1_024, 16 * 1024 * 1024),
    fetchTimeoutMs: integerSetting(config, "fetchTimeoutMs", 5_000, 100, 60_000),
    auditSamples: integerSetting(config, "auditSamples", 3, 0, 500),
    cycleParam: config.cycleParam ?? "round",
    maxProofBytes: integerSetting(config, "maxProofBytes", 256 * 1024, 1_024, 16 * 1024 * 1024),
  };
}

/** An absolute http(s) URL without its fragment, or undefined for anything else. */
export function normalizeUrl(candidate: string, base?: string): string | undefined {
  try {
    const url = new URL(candidate.trim(), base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    url.hash = "";
    return url.href;
  } catch {
    return undefined;
  }
}

/** URLs listed in a sitemap: XML `<loc>` entries, or else one URL per line (sitemap.txt). */
export function parseSitemap(body: string, base: string): string[] {
  const locs = [...body.matchAll(/<loc>\s*([^<]+?)\s*<\/loc>/gi)].map((match) => match[1] as string);
  const candidates =
    locs.length > 0 ? locs : body.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  return candidates.flatMap((line) => normalizeUrl(line, base) ?? []);
}

/**
 * The pages of this cycle: `config.urls` (comma-separated) plus the pages of `config.sitemap`, sorted and without
 * duplicates, at most `maxPages`. Every honest node computes the same list, so an auditor knows which pages a proof
 * must contain. Throws when the sitemap cannot be read: that is this node's problem, not the proof's.
 */
export async function resolvePageUrls(ctx: TaskContext, settings: ScraperSettings): Promise<string[]> {
  const urls = (ctx.config.urls ?? "")
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const url = normalizeUrl(part);
      if (url === undefined) throw new TypeError(`config.urls: not an http(s) URL: ${JSON.stringify(part.trim())}`);
      return url;
    });
  const sitemap = ctx.config.sitemap?.trim() ?? "";
  if (sitemap !== "") {
    const response = await ctx.fetch(sitemap, { signal: AbortSignal.timeout(settings.fetchTimeoutMs) });
    if (!response.ok) throw new Error(`sitemap ${sitemap} answered ${response.status}`);
    const body = new TextDecoder().decode(await readLimited(response, settings.maxPageBytes));
    urls.push(...parseSitemap(body, sitemap));
  }
  const unique = [...new Set(urls)].sort();
  if (unique.length === 0) throw new Error("nothing to scrape: set config.urls or config.sitemap");
  return unique.slice(0, settings.maxPages);
}

/** The URL actually requested: the page pinned to the cycle, so the auditor next round sees the same content. */
export function cycleUrl(url: string, cycle: number, cycleParam: string): string {
  if (cycleParam === "") return url;
  const pinned = new URL(url);
  pinned.searchParams.set(cycleParam, String(cycle));
  return pinned.href;
}

/** Reads at most `maxBytes` of a body, then stops the download. */
export async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await reader.cancel().catch(() => undefined);
  const body = new Uint8Array(Math.min(length, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, body.length - offset);
    body.set(part, offset);
    offset += part.length;
    if (offset === body.length) break;
  }
  return body;
}

const EMPTY_TEXT_HASH = bytesToHex(sha256(""));

/** Fetches one page for `cycle` and reduces it to its record. A network failure is a record with status 0. */
export async function scrapePage(
  ctx: TaskContext,
  url: string,
  cycle: number,
  settings: ScraperSettings,
): Promise<PageRecord> {
  let status: number;
  let body: string;
  try {
    const response = await ctx.fetch(cycleUrl(url, cycle, settings.cycleParam), {
      redirect: "follow",
      signal: AbortSignal.timeout(settings.fetchTimeoutMs),
    });
    status = response.status;
    body = new TextDecoder().decode(await readLimited(response, settings.maxPageBytes));
  } catch {
    // Refused, reset, timed out: the same "nothing" on every node that fails the same way.
    return { url, status: 0, title: "", links: [], textHash: EMPTY_TEXT_HASH };
  }
  const page = parseHtml(body, { ...DEFAULT_PARSE_OPTIONS, maxLinks: settings.maxLinksPerPage });
  return {
    url,
    status,
    title: page.title,
    links: page.links,
    textHash: bytesToHex(sha256(page.text)),
  };
}

/**
 * JSON with sorted keys and no whitespace. The SDK's canonical encoding refuses strings that look like bigints
 * ("42n"), and a scraped title or link may be exactly that, so the scraper encodes its own proofs.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
  if (value === undefined) throw new TypeError("canonicalJson: undefined");
  return JSON.stringify(value);
}

const HEX64 = /^[0-9a-f]{64}$/;
const PAGE_KEYS = "links,status,textHash,title,url";

function isPageRecord(value: unknown): value is PageRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const page = value as Record<string, unknown>;
  return (
    Object.keys(page).sort().join(",") === PAGE_KEYS &&
    typeof page.url === "string" &&
    normalizeUrl(page.url) === page.url &&
    Number.isSafeInteger(page.status) &&
    (page.status as number) >= 0 &&
    (page.status as number) <= 999 &&
    typeof page.title === "string" &&
    Array.isArray(page.links) &&
    page.links.every((link) => typeof link === "string") &&
    typeof page.textHash === "string" &&
    HEX64.test(page.textHash)
  );
}

/** A proof's structure: exactly `{cycle, pages}`, pages well-formed and sorted by url without duplicates. */
export function isScrapeProof(value: unknown): value is ScrapeProof {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proof = value as Record<string, unknown>;
  if (Object.keys(proof).sort().join(",") !== "cycle,pages") return false;
  if (!Number.isSafeInteger(proof.cycle) || (proof.cycle as number) < 0) return false;
  if (!Array.isArray(proof.pages) || !proof.pages.every(isPageRecord)) return false;
  const urls = proof.pages.map((page) => page.url);
  return urls.every((url, index) => index === 0 || (urls[index - 1] as string) < url);
}

/**
 * Which pages (indices into the sorted list) an auditor re-fetches: `count` distinct indices drawn from
 * sha256(seed, taskId, cycle, submitter). Every auditor and voter of the same submission checks the same pages, so
 * their verdicts agree; the seed is the ledger's cycle seed, fixed only after every reveal (protocol.md §4), so the
 * submitter could not know at commit time which pages would be checked.
 */
export function samplePageIndices(
  pageCount: number,
  count: number,
  seed: string,
  taskId: string,
  cycle: number,
  submitter: string,
): number[] {
  if (count === 0 || count >= pageCount) return Array.from({ length: pageCount }, (_, index) => index);
  const chosen = new Set<number>();
  let state = sha256("gradual/example/web-scraper/sample/v1\n", seed, taskId, String(cycle), submitter);
  while (chosen.size < count) {
    for (let offset = 0; offset + 4 <= state.length && chosen.size < count; offset += 4) {
      const word = new DataView(state.buffer, state.byteOffset + offset, 4).getUint32(0);
      chosen.add(word % pageCount);
    }
    state = sha256(state);
  }
  return [...chosen].sort((a, b) => a - b);
}

export function samePage(claimed: PageRecord, observed: PageRecord): boolean {
  return canonicalJson(claimed) === canonicalJson(observed);
}
