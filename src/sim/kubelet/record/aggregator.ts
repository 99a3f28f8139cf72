// EventAggregator with EventAggregatorByReasonFunc and EventAggregatorByReasonMessageFunc (client-go 1.32
// tools/record/events_cache.go). Events that share source, involved object (fieldPath left out), type, reason and
// reporting controller/instance form a group; once a group has seen 10 distinct messages with no gap longer than
// 10 minutes between its events, each further event of the group with a message not among the remembered ones is
// replaced by one combined event, `(combined from similar events): <newest message>`, correlated under the group
// key so that it is written once and then counted up. Pure: time and names come in as parameters.
import { aggregateKeys, type CoreEvent, eventKey, eventName } from "./event.js";
import { Lru } from "./lru.js";

/** defaultAggregateMaxEvents and defaultAggregateIntervalInSeconds. */
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const COMBINED_PREFIX = "(combined from similar events): ";

interface AggregateRecord {
  /** Distinct messages seen in the group; never more than maxEvents - 1 between calls. */
  localKeys: Set<string>;
  /** When the group last saw an event (epoch ms); -Infinity is Go's zero time. */
  lastTimestamp: number;
}

export interface AggregateResult {
  event: CoreEvent;
  /** The correlation key: the event's own key, or the group's key for a combined event. */
  key: string;
}

export class EventAggregator {
  private readonly records: Lru<AggregateRecord>;

  /**
   * `pick(n)` chooses which of n remembered messages to forget once a group is full. Go's sets.String.PopAny
   * takes whichever map entry iteration yields first, which Go randomizes; a seeded pick keeps runs replayable.
   */
  constructor(
    cacheSize: number,
    private readonly pick: (n: number) => number,
    private readonly maxEvents = AGGREGATE_MAX_EVENTS,
    private readonly maxIntervalMs = AGGREGATE_INTERVAL_MS,
  ) {
    this.records = new Lru(cacheSize);
  }

  /** EventAggregate at `nowMs`; `nanos()` gives the creation time used to name a combined event. */
  aggregate(event: CoreEvent, nowMs: number, nanos: () => bigint): AggregateResult {
    const key = eventKey(event);
    const { aggregateKey, localKey } = aggregateKeys(event);
    let record = this.records.get(aggregateKey) ?? { localKeys: new Set<string>(), lastTimestamp: -Infinity };
    // The interval runs from the group's previous event, not from its first one: a steady trickle never expires.
    if (nowMs - record.lastTimestamp > this.maxIntervalMs) record = { localKeys: new Set<string>(), lastTimestamp: -Infinity };
    record.localKeys.add(localKey);
    record.lastTimestamp = nowMs;
    this.records.add(aggregateKey, record);

    if (record.localKeys.size < this.maxEvents) return { event, key };

    // Keep the set below max, so the next new message aggregates again (and a remembered one does not).
    const keys = [...record.localKeys];
    record.localKeys.delete(keys[this.pick(keys.length)]);

    const combined: CoreEvent = {
      name: eventName(event.involvedObject.name, nanos()),
      namespace: event.namespace,
      resourceVersion: "",
      involvedObject: event.involvedObject,
      reason: event.reason,
      message: COMBINED_PREFIX + event.message,
      source: event.source,
      firstTimestamp: nowMs,
      lastTimestamp: nowMs,
      count: 1,
      type: event.type,
      // The aggregator builds a fresh v1.Event and copies neither reporting field: combined events have them empty.
      reportingController: "",
      reportingInstance: "",
    };
    return { event: combined, key: aggregateKey };
  }

  get cached(): number {
    return this.records.size;
  }
}
