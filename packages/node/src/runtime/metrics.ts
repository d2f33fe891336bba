/** Prometheus counters and gauges of one node (`/metrics`). */
export class NodeMetrics {
  replicaHeight = 0;
  ledgerHead = 0;
  readonly #counters = new Map<string, number>();

  count(name: string, by = 1): void {
    this.#counters.set(name, (this.#counters.get(name) ?? 0) + by);
  }

  render(extra: Record<string, number> = {}): string {
    const lines = [
      "# TYPE gradual_node_replica_height gauge",
      `gradual_node_replica_height ${this.replicaHeight}`,
      "# TYPE gradual_node_ledger_head gauge",
      `gradual_node_ledger_head ${this.ledgerHead}`,
    ];
    // The process's resident memory (shared by every thread of a devnet that runs its nodes as threads), then this
    // node's own V8 heap and the memory its objects hold outside it (per isolate, so per node in such a devnet).
    const memory = process.memoryUsage();
    lines.push("# TYPE gradual_node_rss_bytes gauge", `gradual_node_rss_bytes ${memory.rss}`);
    lines.push("# TYPE gradual_node_heap_total_bytes gauge", `gradual_node_heap_total_bytes ${memory.heapTotal}`);
    lines.push("# TYPE gradual_node_external_bytes gauge", `gradual_node_external_bytes ${memory.external}`);
    for (const [name, value] of Object.entries(extra))
      lines.push(`# TYPE gradual_node_${name} gauge`, `gradual_node_${name} ${value}`);
    lines.push("# TYPE gradual_node_events_total counter");
    for (const [name, value] of [...this.#counters].sort())
      lines.push(`gradual_node_events_total{event="${name}"} ${value}`);
    return `${lines.join("\n")}\n`;
  }
}
