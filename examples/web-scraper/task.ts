/**
 * web-scraper: every node scrapes the same list of pages each cycle and proves what it saw; auditors re-fetch a
 * sample of the pages and compare. See README.md for the proof format and why a cheater is caught.
 */
import { defineTask, equalSplit, type JsonValue, type TaskContext } from "@gradual/sdk";
import {
  canonicalJson,
  isScrapeProof,
  type PageRecord,
  readSettings,
  resolvePageUrls,
  type ScrapeProof,
  samePage,
  samplePageIndices,
  scrapePage,
} from "./scrape.ts";

const pagesKey = (cycle: number) => `pages/${String(cycle).padStart(10, "0")}`;

/** Cycles whose scrape results this node keeps in its store (older ones are deleted). */
const RETAINED_CYCLES = 16;

/**
 * The cycle's seed from the ledger (GET /v1/tasks/{id}: `cycles[].record.seed`), or undefined when it cannot be
 * read. This is the only place the task talks to the ledger.
 */
export async function readCycleSeed(ctx: TaskContext, cycle: number): Promise<string | undefined> {
  try {
    type TaskView = { cycles?: { cycle: number; record?: { seed?: string | null } }[] };
    const view = await ctx.ledger.get<TaskView>(`/tasks/${ctx.taskId}`);
    const seed = view.cycles?.find((entry) => entry.cycle === cycle)?.record?.seed;
    return typeof seed === "string" && /^[0-9a-f]{64}$/.test(seed) ? seed : undefined;
  } catch {
    return undefined;
  }
}

async function scrapeAll(ctx: TaskContext): Promise<PageRecord[]> {
  const settings = readSettings(ctx.config);
  const urls = await resolvePageUrls(ctx, settings);
  // A few pages at a time: polite to the site, and bounded however long the list is.
  const pages: PageRecord[] = [];
  for (let index = 0; index < urls.length; index += 4) {
    const batch = urls.slice(index, index + 4);
    pages.push(...(await Promise.all(batch.map((url) => scrapePage(ctx, url, ctx.cycle, settings)))));
  }
  return pages;
}

async function pruneOldCycles(ctx: TaskContext): Promise<void> {
  const keys = await ctx.store.keys("pages/");
  for (const key of keys.slice(0, Math.max(0, keys.length - RETAINED_CYCLES))) await ctx.store.delete(key);
}

export default defineTask({
  async task(ctx) {
    const pages = await scrapeAll(ctx);
    await ctx.store.set(pagesKey(ctx.cycle), pages as unknown as JsonValue);
    await pruneOldCycles(ctx);
    const failed = pages.filter((page) => page.status === 0).length;
    ctx.log.info("scraped", { cycle: ctx.cycle, pages: pages.length, failed });
  },

  async submission(ctx) {
    const pages = await ctx.store.get<JsonValue[]>(pagesKey(ctx.cycle));
    if (pages === undefined) throw new Error(`no scrape stored for cycle ${ctx.cycle}: task() did not finish`);
    const proof = canonicalJson({ cycle: ctx.cycle, pages });
    const limit = readSettings(ctx.config).maxProofBytes;
    const size = new TextEncoder().encode(proof).length;
    if (size > limit) {
      throw new RangeError(`proof is ${size} bytes, over maxProofBytes ${limit}: lower maxPages or maxLinksPerPage`);
    }
    return proof;
  },

  async audit(ctx, proof, submitter) {
    const settings = readSettings(ctx.config);
    if (proof.bytes.length > settings.maxProofBytes) return false;
    let claimed: unknown;
    try {
      claimed = proof.json();
    } catch {
      return false;
    }
    // Structure, cycle, and the exact encoding the honest code produces (so one proof has one digest).
    if (!isScrapeProof(claimed) || claimed.cycle !== ctx.cycle) return false;
    if (canonicalJson(claimed) !== proof.text()) return false;
    // Every page of the list, and nothing else: a node may not skip pages that are slow or hard to fetch.
    const expected = await resolvePageUrls(ctx, settings);
    if (canonicalJson(claimed.pages.map((page) => page.url)) !== canonicalJson(expected)) return false;
    return checkSample(ctx, claimed, submitter);
  },

  distribution(_ctx, submitters, bounty) {
    return equalSplit(submitters, bounty);
  },
});

/** Re-fetches the sampled pages (every page when the cycle seed is unknown) and compares them field by field. */
async function checkSample(ctx: TaskContext, claimed: ScrapeProof, submitter: string): Promise<boolean> {
  const settings = readSettings(ctx.config);
  const seed = await readCycleSeed(ctx, ctx.cycle);
  if (seed === undefined) ctx.log.warn("cycle seed unknown: auditing every page", { cycle: ctx.cycle });
  const count = seed === undefined ? 0 : settings.auditSamples;
  const indices = samplePageIndices(claimed.pages.length, count, seed ?? "", ctx.taskId, ctx.cycle, submitter);
  for (const index of indices) {
    const page = claimed.pages[index] as PageRecord;
    const observed = await scrapePage(ctx, page.url, claimed.cycle, settings);
    if (!samePage(page, observed)) {
      ctx.log.warn("page differs", { url: page.url, claimed: page.textHash, observed: observed.textHash });
      return false;
    }
  }
  return true;
}
