import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlockEventData as BlockEvent, ChainInfo, WireEvent } from "@gradual/wire";
import { createApiClient } from "../src/api/client.ts";
import type { EventSourceLike } from "../src/api/eventStream.ts";
import { LiveLedger } from "../src/api/live.ts";

const HASH = "a".repeat(64);

class FakeSource implements EventSourceLike {
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly listeners: ((event: MessageEvent<string>) => void)[] = [];
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(_type: "block", listener: (event: MessageEvent<string>) => void): void {
    this.listeners.push(listener);
  }
  close(): void {
    this.closed = true;
  }
  block(number: number, events: WireEvent[] = []): void {
    const data: BlockEvent = {
      header: {
        number,
        slot: number,
        prevHash: HASH,
        txsRoot: HASH,
        stateRoot: HASH,
        hash: HASH,
        txCount: 0,
        producedAtMs: number * 400,
      },
      txs: [],
      events: events.map((event) => ({ tx: null, event })),
    };
    for (const listener of this.listeners) listener({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}

function chainAt(head: number, genesisHash = HASH): ChainInfo {
  return {
    chainId: "gradual-devnet",
    genesisHash,
    head: {
      number: head,
      slot: head,
      prevHash: HASH,
      txsRoot: HASH,
      stateRoot: HASH,
      hash: HASH,
      txCount: 0,
      producedAtMs: head * 400,
    },
    slotMs: 400,
    manualSlots: false,
    devnet: true,
    faucet: null,
    mempoolSize: 0,
    supply: "1",
    taskCount: 0,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("LiveLedger", () => {
  it("replays recent history, keeps a bounded event log, and starts over on a new chain", async () => {
    let chain = chainAt(1_500);
    const client = createApiClient({
      baseUrl: "http://ledger",
      fetch: (async () =>
        new Response(JSON.stringify(chain), { headers: { "content-type": "application/json" } })) as typeof fetch,
    });
    const sources: FakeSource[] = [];
    const live = new LiveLedger({
      client,
      historyBlocks: 1_000,
      maxEvents: 5,
      recentBlocks: 3,
      createSource: (url) => {
        const source = new FakeSource(url);
        sources.push(source);
        return source;
      },
    });
    let notified = 0;
    live.subscribe(() => {
      notified += 1;
    });
    await live.start();
    assert.equal(sources[0]?.url, "http://ledger/v1/events?after=500", "resumes 1,000 blocks before the head");
    sources[0]?.onopen?.({} as Event);
    for (let number = 501; number <= 504; number += 1)
      sources[0]?.block(number, [
        { type: "Committed", task: HASH, cycle: 1, node: HASH },
        { type: "Revealed", task: HASH, cycle: 1, node: HASH, proofDigest: HASH, index: 0 },
      ]);
    await tick();
    const snapshot = live.getSnapshot();
    assert.equal(snapshot.connection.state, "live");
    assert.equal(snapshot.head?.number, 504);
    assert.deepEqual(
      snapshot.recent.map((block) => block.header.number),
      [504, 503, 502],
    );
    assert.equal(snapshot.catchingUp, true, "still far behind the head");
    assert.ok(live.events().length <= 6, "old blocks' events dropped past maxEvents");
    assert.equal(snapshot.historyFromSlot, 503, "history now starts after the dropped blocks");
    assert.ok(notified > 0 && notified < 10, `renders coalesced (${notified})`);

    // The ledger restarts as another chain: forget everything and follow the new one.
    chain = chainAt(20, "b".repeat(64));
    sources[0]?.onerror?.({} as Event);
    await new Promise((resolve) => setTimeout(resolve, 600));
    sources.at(-1)?.onopen?.({} as Event);
    await tick();
    await tick();
    const after = live.getSnapshot();
    assert.equal(after.chain?.genesisHash, "b".repeat(64));
    assert.equal(live.events().length, 0);
    assert.match(sources.at(-1)?.url ?? "", /after=0$/);
    live.close();
  });
});
