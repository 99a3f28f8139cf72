// The correlator's eventLogger (client-go 1.32 tools/record/events_cache.go): remembers, per correlation key, the
// name, firstTimestamp, count and resourceVersion of the event last written, so that a repeat becomes a PATCH of
// that event with count + 1 instead of a new object. Pure.
import { type CoreEvent, eventKey } from "./event.js";
import { Lru } from "./lru.js";

interface EventLog {
  count: number;
  firstTimestamp: number;
  name: string;
  resourceVersion: string;
}

/** The strategic merge patch a repeat sends: only what changes between occurrences. */
export interface RepeatPatch {
  count: number;
  /** Epoch ms; on the wire RFC 3339 with seconds, as metav1.Time marshals. */
  lastTimestamp: number;
  /** Left out when empty, as CreateTwoWayMergePatch leaves out a field equal in both documents. */
  message?: string;
}

export interface Observation {
  event: CoreEvent;
  /** Set when this is a repeat of a remembered event: the recorder patches instead of creating. */
  patch: RepeatPatch | undefined;
}

export class EventLogger {
  private readonly logs: Lru<EventLog>;

  constructor(cacheSize: number) {
    this.logs = new Lru(cacheSize);
  }

  /**
   * eventObserve: a remembered key turns the event into the next occurrence of the remembered one (its name,
   * firstTimestamp and resourceVersion, count + 1). The new count is remembered at once, before the spam filter
   * decides whether the event is sent: an occurrence the filter drops still raises the count of the next one
   * that gets through.
   */
  observe(newEvent: CoreEvent, key: string): Observation {
    const event = { ...newEvent };
    let patch: RepeatPatch | undefined;
    const last = this.logs.get(key);
    if (last !== undefined && last.count > 0) {
      event.name = last.name;
      event.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // CreateTwoWayMergePatch between this event and a copy with count 0, lastTimestamp at the epoch and no
      // message: exactly these three fields (message only when there is one).
      patch = { count: event.count, lastTimestamp: event.lastTimestamp };
      if (event.message !== "") patch.message = event.message;
    }
    this.logs.add(key, { count: event.count, firstTimestamp: event.firstTimestamp, name: event.name, resourceVersion: event.resourceVersion });
    return { event, patch };
  }

  /**
   * updateState: remembers what the server returned, under the returned event's own key. For a combined event
   * that key is not the group key observe used, so it adds an entry nothing will look up (it still takes an LRU
   * slot, as upstream).
   */
  updateState(serverEvent: CoreEvent): void {
    this.logs.add(eventKey(serverEvent), {
      count: serverEvent.count,
      firstTimestamp: serverEvent.firstTimestamp,
      name: serverEvent.name,
      resourceVersion: serverEvent.resourceVersion,
    });
  }

  get cached(): number {
    return this.logs.size;
  }
}
