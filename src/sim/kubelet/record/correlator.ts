// EventCorrelator (client-go 1.32 tools/record/events_cache.go, NewEventCorrelatorWithOptions with the defaults the
// kubelet and the controllers use): aggregate, then observe, then filter, in that order. Because the filter runs
// last, an event it drops has already moved the aggregator's group and the logger's count. Pure: time and names
// come in as parameters.
import { EventAggregator } from "./aggregator.js";
import type { CoreEvent } from "./event.js";
import { EventLogger, type RepeatPatch } from "./event-logger.js";
import { SpamFilter } from "./spam-filter.js";

/** maxLruCacheEntries: the size of each of the three caches. */
export const CORRELATOR_CACHE_SIZE = 4096;

export type CorrelateResult = { skip: true } | { skip: false; event: CoreEvent; patch: RepeatPatch | undefined };

export interface CorrelatorOptions {
  /** Entries in each of the three LRU caches (default 4096). */
  cacheSize?: number;
  /** Which of n remembered messages a full aggregate group forgets (default: the first). */
  pick?: (n: number) => number;
}

export class EventCorrelator {
  readonly aggregator: EventAggregator;
  readonly logger: EventLogger;
  readonly spamFilter: SpamFilter;

  constructor(options: CorrelatorOptions = {}) {
    const size = options.cacheSize ?? CORRELATOR_CACHE_SIZE;
    this.aggregator = new EventAggregator(size, options.pick ?? (() => 0));
    this.logger = new EventLogger(size);
    this.spamFilter = new SpamFilter(size);
  }

  /** EventCorrelate at `nowMs`; `nanos()` names a combined event if one is made. */
  correlate(event: CoreEvent, nowMs: number, nanos: () => bigint): CorrelateResult {
    const aggregated = this.aggregator.aggregate(event, nowMs, nanos);
    const observed = this.logger.observe(aggregated.event, aggregated.key);
    if (this.spamFilter.filter(observed.event, nowMs)) return { skip: true };
    return { skip: false, event: observed.event, patch: observed.patch };
  }

  /** UpdateState: what the server returned becomes what the next repeat builds on. */
  updateState(serverEvent: CoreEvent): void {
    this.logger.updateState(serverEvent);
  }
}
