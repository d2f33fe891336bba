import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  computeCommitment,
  DEVNET_PARAMS,
  getReveal,
  listBlobHash,
  listProof,
  listRevealers,
  listRoot,
  sha256Hex,
  TOKEN,
  transactionHash,
} from "@gradual/protocol";
import { EVENT_TYPES, ROUTES, type RouteName, type RouteWire, type WireEvent } from "@gradual/wire";
import {
  type BlockEventData,
  createLedgerClient,
  isLedgerRequestError,
  type LedgerClient,
  type RunningLedger,
  type Subscription,
  startLedger,
} from "../src/index.ts";
import { type Body, makeGenesis, makeKeys, signed } from "./support/fixtures.ts";
import { tempDir } from "./support/process.ts";

/**
 * The wire module against the real ledger: a task driven through a whole cycle (commits, reveals, an upheld audit
 * with votes, a slash, a distribution list accepted, rewards vested and claimed) with every client method called.
 * Every JSON reply the ledger sends is recorded as text and checked twice: the client accepted it (its own check,
 * WIRE__BAD_REPLY otherwise), and the route's decoder gives back exactly the JSON that was sent, so no field the
 * ledger sends is missing from the wire module (a reply decoder that drops a field fails here). Every JSON route of
 * ROUTES must have been exercised: a route added without a reply here fails the test.
 */

type Recorded = { readonly method: string; readonly path: string; readonly status: number; readonly text: string };

const CHAIN = "gradual-test";

function routeOf(method: string, path: string): [RouteName, RouteWire] | undefined {
  const bare = path.split("?")[0] ?? "";
  for (const [name, route] of Object.entries(ROUTES) as [RouteName, RouteWire][]) {
    if (route.method !== method) continue;
    const pattern = new RegExp(`^${route.url.replace(/:[A-Za-z0-9_]+/g, "[^/]+")}$`);
    // A literal segment wins over a parameter (/v1/blocks/head is not /v1/blocks/:number).
    if (pattern.test(bare) && (name !== "getBlock" || bare !== "/v1/blocks/head")) return [name, route];
  }
  return undefined;
}

describe("every reply of a real ledger passes the wire decoders unchanged", { timeout: 120_000 }, () => {
  const dir = tempDir("wire-replies");
  const keys = makeKeys(["alice", "bob", "carol", "dave", "erin"]);
  type Name = keyof typeof keys;
  const recorded: Recorded[] = [];
  const streamed: BlockEventData[] = [];
  const streamErrors: unknown[] = [];
  const nonces = new Map<Name, number>();
  let running: RunningLedger;
  let client: LedgerClient;

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("application/json")) {
      const url = new URL(String(input));
      const text = await response.clone().text();
      recorded.push({
        method: init?.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        status: response.status,
        text,
      });
    }
    return response;
  };
  const next = (name: Name) => {
    const nonce = nonces.get(name) ?? 0;
    nonces.set(name, nonce + 1);
    return nonce;
  };
  const sign = (name: Name, body: Body) => signed(keys[name], CHAIN, next(name), body);
  const advance = (count = 1) => client.advanceSlots(count, running.adminToken as string);
  const advanceTo = async (slot: number) => {
    const head = (await client.getHead()).number;
    if (slot > head) await advance(slot - head);
  };
  /** Submits, makes the next block, and answers the transaction's status in it. */
  const included = async (name: Name, body: Body) => {
    const envelope = sign(name, body);
    await client.submit(envelope);
    await advance();
    const status = await client.getTx(transactionHash(envelope.tx));
    assert.ok(status !== undefined);
    return status;
  };

  before(async () => {
    running = await startLedger({
      dataDir: dir.path,
      port: 0,
      genesis: makeGenesis(keys),
      manualSlots: true,
      workers: 1,
    });
    client = createLedgerClient({ url: running.url, fetch: recordingFetch });
  });

  /** The event stream, closed by the test and again here if it failed first, so the server can stop. */
  let subscription: Subscription | undefined;

  after(async () => {
    subscription?.close();
    await running?.close();
    dir.remove();
  });

  it("drives a task through a whole cycle, calling every client method", async () => {
    subscription = client.subscribe((data) => streamed.push(data), {
      after: 0,
      onError: (error) => streamErrors.push(error),
    });
    await client.getChain();
    await client.health();
    await client.metrics();
    await client.openApi();
    await client.getHead();
    await client.getBlock(0);
    assert.equal(await client.getBlock(10_000), undefined);
    await recordingFetch(`${running.url}/v1/genesis`);

    // A transfer: pending, its status, included, its status again; a batch; a dropped pending transaction.
    const transfer = sign("alice", { kind: "transfer", to: keys.bob.publicKey, amount: 5n * TOKEN });
    assert.equal((await client.submit(transfer)).status, "pending");
    assert.equal((await client.getTx(transferHash(transfer)))?.status, "pending");
    await advance();
    assert.equal((await client.getTx(transferHash(transfer)))?.status, "included");
    const batch = await client.submitBatch([
      sign("bob", { kind: "transfer", to: keys.alice.publicKey, amount: 1n }),
      { ...sign("bob", { kind: "transfer", to: keys.alice.publicKey, amount: 1n }), signature: "00".repeat(64) },
    ]);
    nonces.set("bob", 1);
    assert.equal(batch.results.length, 2);
    await advance();
    const stuck = sign("carol", { kind: "transfer", to: keys.dave.publicKey, amount: 1n });
    await client.submit(stuck);
    const dropResponse = await recordingFetch(`${running.url}/v1/txs/${transferHash(stuck)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${running.adminToken}` },
    });
    assert.equal(dropResponse.status, 200);
    nonces.set("carol", 0);
    await client.faucet(keys.dave.publicKey, 3n * TOKEN);
    await advance();
    await client.getAccount(keys.alice.publicKey);

    // The task, its nodes, one cycle through to payment.
    // The custom rule: its cycles have a distributor and a list, which the weighted and equal rules do not (§6.2).
    const params = { ...DEVNET_PARAMS, warmupRounds: 0, rampRounds: 0, distributionRule: "custom" as const };
    const bundle = new TextEncoder().encode("export default {}");
    const blob = await client.uploadBlob(bundle, keys.alice);
    assert.deepEqual(await client.getBlob(blob.hash), bundle);
    const create = await included("alice", {
      kind: "createTask",
      name: "wire",
      bundleHash: blob.hash,
      metadataHash: null,
      params,
      funding: 1_000n * TOKEN,
    });
    assert.equal(create.status === "included" && create.result.ok, true, JSON.stringify(create));
    const task = create.hash;
    await client.listTasks();
    const nodes = ["bob", "carol", "dave", "erin"] as const;
    for (const name of nodes) {
      await client.submit(sign(name, { kind: "stake", task, amount: 20n * TOKEN, nodeUrl: `http://${name}.test` }));
    }
    await advance();
    await client.listNodes(task, { limit: 2 });
    await client.getNode(task, keys.bob.publicKey);
    assert.equal(await client.getNode(task, keys.alice.publicKey), undefined);
    const start = (await client.getTask(task))?.task.startSlot ?? 0;
    await advanceTo(start);
    const windows = (await client.getCycle(task, 0))?.windows;
    assert.ok(windows !== undefined);

    const proofOf = (name: Name) => ({ proofDigest: sha256Hex(`proof ${name}`), salt: sha256Hex(`salt ${name}`) });
    await advanceTo(windows.commit.opensAt - 1);
    for (const name of nodes) {
      const commitment = computeCommitment({ task, cycle: 0, node: keys[name].publicKey, ...proofOf(name) });
      await client.submit(sign(name, { kind: "commit", task, cycle: 0, commitment }));
    }
    await advance();
    await client.listCommits(task, 0);
    // Committed, not revealed: the node view names the reveal still due (what `gradual unstake` refuses on).
    assert.deepEqual((await client.getNode(task, keys.bob.publicKey))?.pendingReveal, {
      cycle: 0,
      revealClosesAt: windows.reveal.closesAt,
    });
    await advanceTo(windows.reveal.opensAt - 1);
    for (const name of nodes) await client.submit(sign(name, { kind: "reveal", task, cycle: 0, ...proofOf(name) }));
    await advance();
    await client.listReveals(task, 0);
    assert.equal((await client.getNode(task, keys.bob.publicKey))?.pendingReveal, null, "revealed: nothing due");
    await advanceTo(windows.proofTriggers.opensAt - 1);
    await advance();
    await client.listAssignments(task, 0);
    await client.getAssignment(task, 0, keys.bob.publicKey);
    await client.submit(
      sign("bob", {
        kind: "triggerAudit",
        task,
        cycle: 0,
        target: keys.carol.publicKey,
        triggerKind: "proof",
        verdict: "invalid",
        attempt: 0,
        reasonDigest: sha256Hex("wrong"),
      }),
    );
    await advance();
    // Three of four equal weights find carol's proof invalid: past the two-thirds supermajority, she is slashed.
    await client.submit(sign("dave", { kind: "vote", task, cycle: 0, trigger: 0, choice: "invalid" }));
    await client.submit(sign("erin", { kind: "vote", task, cycle: 0, trigger: 0, choice: "invalid" }));
    await advance();
    await client.listVotes(task, 0, 0);

    // The distribution: a valid submitter posts a list (the custom rule's, here an equal split) as its root.
    await advanceTo(windows.distribution.opensAt);
    const valid = listRevealers(running.ledger.state, task, 0)
      .filter((account) => getReveal(running.ledger.state, task, 0, account)?.status === "valid")
      .sort();
    const distributor = nodes.find((name) => keys[name].publicKey === valid[0]);
    assert.ok(distributor !== undefined, "a staked node has a valid proof");
    const entries = valid.map((recipient) => ({ recipient, amount: params.bountyPerRound / BigInt(valid.length) }));
    assert.ok(entries.length > 0);
    const posted = await included(distributor, {
      kind: "submitDistribution",
      task,
      cycle: 0,
      attempt: 0,
      listRoot: listRoot(entries),
      listBlob: listBlobHash(entries),
      total: entries.reduce((sum, entry) => sum + entry.amount, 0n),
      entryCount: entries.length,
    });
    assert.equal(posted.status === "included" && posted.result.ok, true, JSON.stringify(posted));
    const view = await client.getDistribution(task, 0, 0);
    assert.equal(view?.distribution.listRoot, listRoot(entries));
    assert.equal(await client.getDistribution(task, 0, 5), undefined);
    await advanceTo(windows.distributionVotes.closesAt + 1);
    // Bob claims its entry with a proof (§6.4): into vesting, then out with `claim`.
    const bobIndex = entries.findIndex((entry) => entry.recipient === keys.bob.publicKey);
    assert.ok(bobIndex >= 0);
    const entryClaim = await included("bob", {
      kind: "claimDistribution",
      task,
      cycle: 0,
      recipient: keys.bob.publicKey,
      amount: (entries[bobIndex] as { amount: bigint }).amount,
      index: bobIndex,
      proof: listProof(entries, bobIndex),
    });
    assert.equal(entryClaim.status === "included" && entryClaim.result.ok, true, JSON.stringify(entryClaim));
    const paid = await client.getCycle(task, 0);
    assert.equal(paid?.record.outcome, "paid");
    const details = await client.getCycleDetails(task, 0);
    assert.equal(details?.commits.length, 4);
    await advance(params.roundSlots);
    const claim = await included("bob", { kind: "claim", task });
    assert.equal(claim.status === "included" && claim.result.ok, true, JSON.stringify(claim));
    const bob = await client.getAccount(keys.bob.publicKey);
    assert.equal(bob.stakes.length, 1);
    assert.equal(bob.vesting.length, 1);

    // Blocks with every kind of transaction and event seen so far, by range and one by one.
    const head = (await client.getHead()).number;
    for (let from = 0; from <= head; from += 100) await client.getBlocks(from, Math.min(head, from + 99));
    for (let tries = 0; tries < 200 && (streamed.at(-1)?.header.number ?? -1) < head; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    subscription.close();
    await subscription.done;
    subscription = undefined;
    await assert.rejects(client.advanceSlots(1, "wrong"), (error) => isLedgerRequestError(error, "API__UNAUTHORIZED"));
  });

  it("sent replies that the routes' decoders give back unchanged, for every JSON route", () => {
    const seen = new Set<RouteName>();
    for (const reply of recorded) {
      const found = routeOf(reply.method, reply.path);
      assert.ok(found !== undefined, `${reply.method} ${reply.path} is a route of ROUTES`);
      const [name, route] = found;
      if (route.replyContentType !== undefined) continue; // the OpenAPI document: JSON, of no declared shape
      const decoder = route.replies[reply.status];
      if (decoder === undefined) {
        assert.ok(reply.status >= 400, `${name}: status ${reply.status} is declared`);
        continue;
      }
      const body = JSON.parse(reply.text) as unknown;
      assert.deepEqual(decoder.decode(body, name), body, `${name} (${reply.path}): the decoder keeps every field`);
      seen.add(name);
    }
    const jsonRoutes = (Object.keys(ROUTES) as RouteName[]).filter(
      (name) => Object.keys(ROUTES[name].replies).length > 0,
    );
    assert.deepEqual(
      jsonRoutes.filter((name) => !seen.has(name)),
      [],
      "every JSON route answered at least once",
    );
  });

  it("streamed every block through the client's check, with the events the cycle caused", () => {
    assert.deepEqual(streamErrors, []);
    const numbers = streamed.map((data) => data.header.number);
    assert.deepEqual(
      numbers,
      numbers.map((_, index) => index + 1),
      "every block after 0, in order",
    );
    const types = new Set(streamed.flatMap((data) => data.events.map((item: { event: WireEvent }) => item.event.type)));
    for (const type of [
      "Transferred",
      "TaskCreated",
      "Staked",
      "CycleStarted",
      "Committed",
      "Revealed",
      "SeedFixed",
      "AuditTriggered",
      "Voted",
      "TriggerResolved",
      "Slashed",
      "DistributionSubmitted",
      "DistributionAccepted",
      "CycleCompleted",
      "Vested",
      "Claimed",
      "Credited",
    ] as const) {
      assert.ok(EVENT_TYPES.includes(type));
      assert.ok(types.has(type), `a ${type} event went through the decoders (seen: ${[...types].join(", ")})`);
    }
  });
});

function transferHash(envelope: { tx: Parameters<typeof transactionHash>[0] }): string {
  return transactionHash(envelope.tx);
}
