import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JsonValue } from "@gradual/sdk";
import {
  atCycle,
  createFakeContext,
  createFakeLedger,
  type FakeContext,
  proofOf,
  runWork,
  submitter,
  TEST_TASK_ID,
} from "../../test-support/fakeContext.ts";
import { canonicalJson, type ScrapeProof, samplePageIndices } from "../scrape.ts";
import { type DemoSite, startDemoSite } from "../site.ts";
import webScraper, { readCycleSeed } from "../task.ts";

const CYCLE = 3;
const SEED = "5e".repeat(32);

/** A ledger that knows cycle 3's seed, as the real one does once the reveal window has closed. */
const ledgerWithSeed = createFakeLedger((path) =>
  path === `/tasks/${TEST_TASK_ID}` ? { cycles: [{ cycle: CYCLE, record: { seed: SEED } }] } : undefined,
);

describe("web-scraper task", { timeout: 20_000 }, () => {
  let site: DemoSite;
  let config: Record<string, string>;
  const nodes = (name: string, options: { cycle?: number; seeded?: boolean } = {}): FakeContext =>
    createFakeContext({
      nodeName: name,
      cycle: options.cycle ?? CYCLE,
      config,
      ...(options.seeded === false ? {} : { ledger: ledgerWithSeed }),
    });

  before(async () => {
    site = await startDemoSite({ port: 0, pages: 10 });
    config = { sitemap: site.sitemapUrl, auditSamples: "3", fetchTimeoutMs: "2000" };
  });
  after(async () => {
    await site.close();
  });

  it("scrapes every page of the sitemap into a canonical proof", async () => {
    const alice = nodes("alice");
    const proof = await runWork(webScraper, alice);
    const claimed = proof.json<ScrapeProof>();
    assert.equal(claimed.cycle, CYCLE);
    assert.deepEqual(
      claimed.pages.map((page) => page.url),
      [...site.pageUrls].sort(),
    );
    for (const page of claimed.pages) {
      assert.equal(page.status, 200);
      assert.match(page.title, /· Gradual demo site$/);
      assert.ok(page.links.length >= 4);
      assert.match(page.textHash, /^[0-9a-f]{64}$/);
    }
    assert.equal(proof.text(), canonicalJson(claimed));
    assert.ok(proof.bytes.length < 256 * 1024);
    assert.ok(alice.logs.some((entry) => entry.message === "scraped"));
  });

  it("(a) an honest proof passes another honest node's audit, sampled or complete", async () => {
    const proof = await runWork(webScraper, nodes("alice"));
    const bob = atCycle(nodes("bob"), CYCLE);
    assert.equal(await webScraper.audit(bob, proof, nodes("alice").node), true);
    const carolWithoutSeed = nodes("carol", { seeded: false });
    assert.equal(await webScraper.audit(carolWithoutSeed, proof, nodes("alice").node), true);
    assert.ok(carolWithoutSeed.logs.some((entry) => entry.message.startsWith("cycle seed unknown")));
    // Two honest nodes see the same pages, so they make byte-identical proofs.
    assert.equal((await runWork(webScraper, nodes("bob"))).digest, proof.digest);
  });

  it("is cycle-aware: each cycle pins its own edition, and a proof only counts for its cycle", async () => {
    const third = await runWork(webScraper, nodes("alice", { cycle: 3 }));
    const fourth = await runWork(webScraper, nodes("alice", { cycle: 4 }));
    assert.notEqual(third.digest, fourth.digest);
    const alice = nodes("alice").node;
    assert.equal(await webScraper.audit(nodes("bob", { cycle: 4, seeded: false }), fourth, alice), true);
    assert.equal(await webScraper.audit(nodes("bob", { cycle: 4, seeded: false }), third, alice), false);
    // Relabelling last cycle's pages as this cycle's is caught by the content check.
    const relabelled = { ...third.json<ScrapeProof>(), cycle: 4 };
    assert.equal(
      await webScraper.audit(nodes("bob", { cycle: 4, seeded: false }), proofOf(canonicalJson(relabelled)), alice),
      false,
    );
  });

  it("(b) forged and garbage proofs fail the audit", async () => {
    const alice = nodes("alice").node;
    const honest = (await runWork(webScraper, nodes("alice"))).json<ScrapeProof>();
    const bob = nodes("bob");
    const sampled = samplePageIndices(honest.pages.length, 3, SEED, TEST_TASK_ID, CYCLE, alice);
    const forgeries: Record<string, unknown> = {
      "a sampled page's text hash": withPage(honest, sampled[0] as number, { textHash: "ab".repeat(32) }),
      "a sampled page's title": withPage(honest, sampled[1] as number, { title: "Totally scraped" }),
      "a sampled page's links": withPage(honest, sampled[2] as number, { links: [] }),
      "a missing page": { ...honest, pages: honest.pages.slice(1) },
      "an extra page": {
        ...honest,
        pages: [...honest.pages, { ...(honest.pages[0] as object), url: `${site.url}/page/99` }],
      },
      "pages out of order": { ...honest, pages: [...honest.pages].reverse() },
      "a wrong cycle": { ...honest, cycle: CYCLE + 1 },
      "an extra field": { ...honest, node: alice },
      "a page with an extra field": withPage(honest, 0, { extra: 1 }),
      "a bad text hash": withPage(honest, 0, { textHash: "not-hex" }),
      "no pages at all": { cycle: CYCLE, pages: [] },
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      assert.equal(await webScraper.audit(bob, proofOf(canonicalJson(forged)), alice), false, name);
    }
    const garbage = ["", "not json", "[]", "null", `{"cycle":${CYCLE}}`, JSON.stringify(honest, null, 2)];
    for (const text of garbage) {
      assert.equal(await webScraper.audit(bob, proofOf(text), alice), false, JSON.stringify(text.slice(0, 20)));
    }
    assert.equal(await webScraper.audit(bob, proofOf(new Uint8Array([0xff, 0x00, 0x7b])), alice), false);
    // Without the seed every page is checked, so even an unsampled forgery is caught.
    const unsampled = honest.pages.findIndex((_, index) => !sampled.includes(index));
    const quiet = proofOf(canonicalJson(withPage(honest, unsampled, { title: "forged" })));
    assert.equal(await webScraper.audit(nodes("carol", { seeded: false }), quiet, alice), false);
  });

  it("draws the audit sample from the cycle seed: same for every auditor, different per submitter", () => {
    const a = samplePageIndices(10, 3, SEED, TEST_TASK_ID, CYCLE, "aa".repeat(32));
    assert.deepEqual(samplePageIndices(10, 3, SEED, TEST_TASK_ID, CYCLE, "aa".repeat(32)), a);
    assert.equal(new Set(a).size, 3);
    const others = ["bb", "cc", "dd", "ee"].map((b) =>
      samplePageIndices(10, 3, SEED, TEST_TASK_ID, CYCLE, b.repeat(32)).join(),
    );
    assert.ok(others.some((sample) => sample !== a.join()));
    assert.deepEqual(samplePageIndices(5, 0, SEED, TEST_TASK_ID, CYCLE, "aa"), [0, 1, 2, 3, 4]);
    assert.deepEqual(samplePageIndices(2, 3, SEED, TEST_TASK_ID, CYCLE, "aa"), [0, 1]);
  });

  it("reads the cycle seed through one adapter and tolerates a ledger without it", async () => {
    assert.equal(await readCycleSeed(nodes("bob"), CYCLE), SEED);
    assert.equal(await readCycleSeed(nodes("bob"), CYCLE + 1), undefined);
    assert.equal(await readCycleSeed(nodes("bob", { seeded: false }), CYCLE), undefined);
  });

  it("throws (does not accuse) when the auditor itself cannot read the page list", async () => {
    const proof = await runWork(webScraper, nodes("alice"));
    const offline = createFakeContext({ config: { ...config, sitemap: `${site.url}/missing-sitemap.txt` } });
    await assert.rejects(Promise.resolve(webScraper.audit(atCycle(offline, CYCLE), proof, nodes("alice").node)));
  });

  it("records unreachable pages with status 0 and 404s with their status, the same on every node", async () => {
    const closed = await startDemoSite();
    const deadUrl = `${closed.url}/`;
    await closed.close();
    const local = { urls: `${deadUrl}, ${site.url}/nothing-here`, fetchTimeoutMs: "1000" };
    const alice = createFakeContext({ nodeName: "alice", cycle: CYCLE, config: local });
    const proof = await runWork(webScraper, alice);
    const pages = proof.json<ScrapeProof>().pages;
    assert.deepEqual(
      pages.map((page) => page.status),
      pages.map((page) => (page.url === deadUrl ? 0 : 404)),
    );
    const bob = createFakeContext({ nodeName: "bob", cycle: CYCLE, config: local });
    assert.equal(await webScraper.audit(bob, proof, alice.node), true);
  });

  it("refuses to submit without a finished scrape, or a proof over maxProofBytes", async () => {
    await assert.rejects(Promise.resolve(webScraper.submission(nodes("alice"))), /task\(\) did not finish/);
    const small = createFakeContext({ cycle: CYCLE, config: { ...config, maxProofBytes: "1024" } });
    await webScraper.task(small);
    await assert.rejects(Promise.resolve(webScraper.submission(small)), /over maxProofBytes 1024/);
    const empty = createFakeContext({ config: {} });
    await assert.rejects(Promise.resolve(webScraper.task(empty)), /nothing to scrape/);
    const bad = createFakeContext({ config: { urls: "ftp://example.invalid/" } });
    await assert.rejects(Promise.resolve(webScraper.task(bad)), /not an http\(s\) URL/);
    const badNumber = createFakeContext({ config: { urls: site.url, maxPages: "lots" } });
    await assert.rejects(Promise.resolve(webScraper.task(badNumber)), /config\.maxPages/);
  });

  it("keeps only recent cycles in the store", async () => {
    const alice = nodes("alice");
    for (let cycle = 0; cycle < 18; cycle += 1) {
      await alice.store.set(`pages/${String(cycle).padStart(10, "0")}`, []);
    }
    await webScraper.task(atCycle(alice, 18));
    const keys = await alice.store.keys("pages/");
    assert.equal(keys.length, 16);
    assert.equal(keys.at(-1), `pages/${String(18).padStart(10, "0")}`);
  });

  it("(c) splits the bounty equally and deterministically, whatever the submitters' order", async () => {
    const accounts = ["cc", "aa", "bb"].map((prefix) => prefix.repeat(32));
    const submitters = accounts.map((account, index) => submitter(account, BigInt(index + 1)));
    const split = await webScraper.distribution(nodes("alice"), submitters, 100n);
    const reversed = await webScraper.distribution(nodes("bob"), [...submitters].reverse(), 100n);
    assert.deepEqual(split, reversed);
    assert.deepEqual(
      split.map((entry) => [entry.recipient.slice(0, 2), entry.amount]),
      [
        ["aa", 34n],
        ["bb", 33n],
        ["cc", 33n],
      ],
    );
  });
});

function withPage(proof: ScrapeProof, index: number, change: Record<string, JsonValue>): ScrapeProof {
  return { ...proof, pages: proof.pages.map((page, i) => (i === index ? { ...page, ...change } : page)) };
}
