// The page's copy of the province totals: what the stream's snapshot and versions say, keyed by
// (indicator, period). As in every Clone subscriber, a version replaces the held one only when its
// seq is higher, so a snapshot and versions may arrive in any order.

export class Store {
  constructor() {
    this.aggregates = new Map();  // "indicator|period" -> aggregate
    this.seq = 0;
    this.streamId = null;
  }

  static key(indicator, period) {
    return `${indicator}|${period}`;
  }

  // A snapshot event's data: everything the stream's filter selects, replacing what was held.
  // Returns the aggregates, all of which changed as far as a view knows.
  applySnapshot(snapshot) {
    this.aggregates.clear();
    this.streamId = snapshot.stream_id;
    this.seq = snapshot.seq;
    for (const aggregate of snapshot.aggregates) this.aggregates.set(Store.key(aggregate.indicator, aggregate.period), aggregate);
    return snapshot.aggregates;
  }

  // A version event's data; true when it replaced what was held. A deletion ({indicator, period,
  // deleted: true, seq}: every figure of the aggregate was voided) removes it.
  applyVersion(aggregate) {
    const key = Store.key(aggregate.indicator, aggregate.period);
    const held = this.aggregates.get(key);
    if (held && held.seq >= aggregate.seq) return false;
    if (aggregate.deleted) this.aggregates.delete(key);
    else this.aggregates.set(key, aggregate);
    this.seq = Math.max(this.seq, aggregate.seq);
    return true;
  }

  get(indicator, period) {
    return this.aggregates.get(Store.key(indicator, period)) ?? null;
  }

  // Every period some aggregate is held for.
  periods() {
    return [...new Set([...this.aggregates.values()].map((a) => a.period))];
  }
}
