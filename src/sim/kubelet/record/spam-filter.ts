// EventSourceObjectSpamFilter (client-go 1.32 tools/record/events_cache.go): one token bucket per spam key
// (source + involved object without fieldPath + type), burst 25, refilled at one token every 5 minutes. An event
// that finds its bucket empty is dropped: the API never hears of it. Pure: time comes in as a parameter.
import { type CoreEvent, spamKey } from "./event.js";
import { Lru } from "./lru.js";
import { TokenBucket } from "./token-bucket.js";

/** defaultSpamBurst and defaultSpamQPS. */
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;

export class SpamFilter {
  private readonly buckets: Lru<TokenBucket>;

  constructor(
    cacheSize: number,
    private readonly burst = SPAM_BURST,
    private readonly qps = SPAM_QPS,
  ) {
    this.buckets = new Lru(cacheSize);
  }

  /** Filter: true when the event must be dropped. A key pushed out of the LRU comes back with a full bucket. */
  filter(event: CoreEvent, nowMs: number): boolean {
    const key = spamKey(event);
    const bucket = this.buckets.get(key) ?? new TokenBucket(this.qps, this.burst);
    const drop = !bucket.tryAccept(nowMs);
    this.buckets.add(key, bucket);
    return drop;
  }

  get cached(): number {
    return this.buckets.size;
  }
}
