import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlockEventData as BlockEvent } from "@gradual/wire";
import {
  type ConnectionStatus,
  createEventStream,
  type EventSourceLike,
  retryDelayMs,
} from "../src/api/eventStream.ts";

const HASH = "a".repeat(64);

class FakeSource implements EventSourceLike {
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  readonly listeners: ((event: MessageEvent<string>) => void)[] = [];
  constructor(readonly url: string) {}
  addEventListener(_type: "block", listener: (event: MessageEvent<string>) => void): void {
    this.listeners.push(listener);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  fail(): void {
    this.onerror?.({} as Event);
  }
  /** Sends any text as a `block` message (a proxy's mangling, another version of the ledger). */
  raw(data: string): void {
    for (const listener of this.listeners) listener({ data } as MessageEvent<string>);
  }
  block(number: number): void {
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
      events: [],
    };
    for (const listener of this.listeners) listener({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}

function harness() {
  const sources: FakeSource[] = [];
  const timers: { callback: () => void; ms: number }[] = [];
  const statuses: ConnectionStatus[] = [];
  const blocks: number[] = [];
  const malformed: Error[] = [];
  let now = 1_000;
  const stream = createEventStream({
    url: (after) => `/v1/events${after === undefined ? "" : `?after=${after}`}`,
    onBlock: (block) => blocks.push(block.header.number),
    onStatus: (status) => statuses.push(status),
    onMalformed: (error) => malformed.push(error),
    createSource: (url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    },
    now: () => now,
    setTimer: (callback, ms) => {
      timers.push({ callback, ms });
      return timers.length;
    },
    clearTimer: () => {},
  });
  return {
    stream,
    sources,
    timers,
    statuses,
    blocks,
    malformed,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

describe("createEventStream", () => {
  it("reconnects with a growing delay and resumes after the last block", () => {
    const h = harness();
    const first = h.sources[0];
    assert.equal(first?.url, "/v1/events");
    first?.open();
    first?.block(7);
    first?.block(8);
    assert.equal(h.statuses.at(-1)?.state, "live");

    first?.fail();
    assert.equal(first?.closed, true);
    const down = h.statuses.at(-1);
    assert.equal(down?.state, "disconnected");
    assert.equal(h.timers[0]?.ms, 500);

    // The ledger is still down: the next attempt fails too, and waits longer.
    h.timers[0]?.callback();
    assert.equal(h.sources[1]?.url, "/v1/events?after=8");
    h.sources[1]?.fail();
    assert.equal(h.timers[1]?.ms, 1_000);
    assert.equal(h.statuses.at(-1)?.state, "disconnected");
    assert.equal(
      (h.statuses.at(-1) as { since: number }).since,
      (down as { since: number }).since,
      "down since the first failure",
    );

    h.tick(1_000);
    h.timers[1]?.callback();
    const third = h.sources[2];
    third?.open();
    third?.block(8); // a duplicate (already seen) is dropped
    third?.block(9);
    assert.deepEqual(h.blocks, [7, 8, 9]);
    assert.equal(h.statuses.at(-1)?.state, "live");

    // After a success the delay starts small again.
    third?.fail();
    assert.equal(h.timers[2]?.ms, 500);
    h.stream.close();
  });

  it("ignores a stale source after a reconnect and stops on close", () => {
    const h = harness();
    const first = h.sources[0];
    first?.fail();
    h.timers[0]?.callback();
    first?.block(3);
    assert.deepEqual(h.blocks, []);
    h.stream.close();
    assert.equal(h.sources[1]?.closed, true);
  });

  it("skips a message that is not a block of the route's shape, reports it, and goes on", () => {
    const h = harness();
    const source = h.sources[0];
    source?.open();
    source?.block(4);
    source?.raw("not json");
    // A header whose hash is not 64 hex characters: the wire decoder refuses it (WIRE__MALFORMED, with the path).
    const header = { number: 5, slot: 5, prevHash: HASH, txsRoot: HASH, stateRoot: HASH, txCount: 0, producedAtMs: 0 };
    source?.raw(JSON.stringify({ header: { ...header, hash: "zz" }, txs: [], events: [] }));
    source?.block(5);
    assert.deepEqual(h.blocks, [4, 5], "the bad messages were not taken for blocks, the next good one was");
    assert.equal(h.malformed.length, 2);
    assert.equal((h.malformed[1] as Error & { code?: string }).code, "WIRE__MALFORMED");
    assert.match(h.malformed[1]?.message ?? "", /block\.header\.hash: expected 64 lowercase hex characters, got "zz"/);
    h.stream.close();
  });

  it("caps the delay", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9].map((attempt) => retryDelayMs(attempt)),
      [500, 1_000, 2_000, 4_000, 5_000, 5_000],
    );
  });
});
