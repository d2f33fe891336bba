/**
 * Prometheus text exposition (version 0.0.4) for the ledger, without a client library: a few counters, gauges and
 * histograms, rendered on demand at `GET /metrics`.
 */

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

class Histogram {
  readonly counts: number[] = SECONDS_BUCKETS.map(() => 0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count += 1;
    this.sum += seconds;
    SECONDS_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) this.counts[index] = (this.counts[index] ?? 0) + 1;
    });
  }

  render(name: string, labels = ""): string[] {
    const join = (extra: string) => `{${[labels, extra].filter((part) => part !== "").join(",")}}`;
    const lines = SECONDS_BUCKETS.map((bound, index) => `${name}_bucket${join(`le="${bound}"`)} ${this.counts[index]}`);
    lines.push(`${name}_bucket${join('le="+Inf"')} ${this.count}`);
    lines.push(`${name}_sum${labels === "" ? "" : `{${labels}}`} ${this.sum}`);
    lines.push(`${name}_count${labels === "" ? "" : `{${labels}}`} ${this.count}`);
    return lines;
  }
}

export type MetricsGauges = {
  readonly blockHeight: () => number;
  readonly slotLag: () => number;
  readonly mempoolSize: () => number;
  readonly subscribers: () => number;
};

export class LedgerMetrics {
  readonly admitted = { count: 0 };
  readonly accepted = { count: 0 };
  /** Rejections by code and stage ("edge": never ordered; "block": included with the code). */
  readonly rejected = new Map<string, number>();
  readonly applySeconds = new Histogram();
  readonly fsyncSeconds = { block: new Histogram(), mempool: new Histogram(), blob: new Histogram() };
  readonly blocks = { count: 0 };
  /** Transactions whose handler threw (a bug in the rules), included as TX__APPLY_FAILED. */
  readonly applyFailures = { count: 0 };
  #gauges: MetricsGauges | undefined;

  bind(gauges: MetricsGauges): void {
    this.#gauges = gauges;
  }

  reject(code: string, stage: "edge" | "block", count = 1): void {
    const key = `${stage}\u0000${code}`;
    this.rejected.set(key, (this.rejected.get(key) ?? 0) + count);
  }

  render(): string {
    const gauges = this.#gauges;
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, values: string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...values);
    };
    metric("gradual_ledger_block_height", "gauge", "Number of the last durable block.", [
      `gradual_ledger_block_height ${gauges?.blockHeight() ?? 0}`,
    ]);
    metric(
      "gradual_ledger_slot_lag",
      "gauge",
      "Slots the chain is behind the clock: whole slots since the last block beyond the one in progress, or behind the schedule (0 with manual slots).",
      [`gradual_ledger_slot_lag ${gauges?.slotLag() ?? 0}`],
    );
    metric("gradual_ledger_mempool_size", "gauge", "Acknowledged transactions waiting for a block.", [
      `gradual_ledger_mempool_size ${gauges?.mempoolSize() ?? 0}`,
    ]);
    metric("gradual_ledger_event_subscribers", "gauge", "Open event stream connections.", [
      `gradual_ledger_event_subscribers ${gauges?.subscribers() ?? 0}`,
    ]);
    metric("gradual_ledger_blocks_total", "counter", "Blocks produced by this process.", [
      `gradual_ledger_blocks_total ${this.blocks.count}`,
    ]);
    metric("gradual_ledger_tx_admitted_total", "counter", "Transactions that passed the edge and were logged.", [
      `gradual_ledger_tx_admitted_total ${this.admitted.count}`,
    ]);
    metric("gradual_ledger_tx_accepted_total", "counter", "Transactions included in a block and applied.", [
      `gradual_ledger_tx_accepted_total ${this.accepted.count}`,
    ]);
    metric(
      "gradual_ledger_apply_failures_total",
      "counter",
      "Transactions whose rules threw (a bug), included as TX__APPLY_FAILED; alert on any increase.",
      [`gradual_ledger_apply_failures_total ${this.applyFailures.count}`],
    );
    const rejected = [...this.rejected.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => {
        const [stage, code] = key.split("\u0000");
        return `gradual_ledger_tx_rejected_total{code="${code}",stage="${stage}"} ${count}`;
      });
    metric(
      "gradual_ledger_tx_rejected_total",
      "counter",
      "Transactions rejected, by code and stage (edge or block).",
      rejected,
    );
    metric(
      "gradual_ledger_apply_seconds",
      "histogram",
      "Time to build a block: advanceSlot, applyTransaction for each transaction, state root.",
      this.applySeconds.render("gradual_ledger_apply_seconds"),
    );
    metric(
      "gradual_ledger_fsync_seconds",
      "histogram",
      "Duration of durable commits (write and fsync), by what was committed.",
      [
        ...this.fsyncSeconds.block.render("gradual_ledger_fsync_seconds", 'operation="block"'),
        ...this.fsyncSeconds.mempool.render("gradual_ledger_fsync_seconds", 'operation="mempool"'),
        ...this.fsyncSeconds.blob.render("gradual_ledger_fsync_seconds", 'operation="blob"'),
      ],
    );
    const cpu = process.cpuUsage();
    metric("process_cpu_seconds_total", "counter", "CPU time of the ledger process, user and system, all threads.", [
      `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    ]);
    const memory = process.memoryUsage();
    metric("process_resident_memory_bytes", "gauge", "Resident set size of the ledger process (workers included).", [
      `process_resident_memory_bytes ${memory.rss}`,
    ]);
    metric("nodejs_heap_bytes", "gauge", "V8 heap of the main thread, and memory outside it (buffers).", [
      `nodejs_heap_bytes{kind="used"} ${memory.heapUsed}`,
      `nodejs_heap_bytes{kind="total"} ${memory.heapTotal}`,
      `nodejs_heap_bytes{kind="external"} ${memory.external}`,
      `nodejs_heap_bytes{kind="array_buffers"} ${memory.arrayBuffers}`,
    ]);
    return `${lines.join("\n")}\n`;
  }
}
