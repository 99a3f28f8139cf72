// Where the recorder's events go, and how (client-go 1.32 tools/record/event.go, recordToSink and recordEvent;
// the sink is the kubelet's typed client, kubernetes/typed/core/v1/event_expansion.go): a repeat is a strategic
// merge PATCH of the remembered event; a first occurrence, or a repeat whose PATCH finds the event gone (the API
// server's --event-ttl removed it), is a CREATE with the same name, firstTimestamp and count and an empty
// resourceVersion. Whatever the server returns becomes the correlator's new state. A create refused because the
// name exists, or any other refusal from the server, drops the event without retry, as upstream does.
import { rfc3339 } from "../clock.js";
import type { KubeObject, ObjectStore } from "../../types.js";
import { notFound } from "../../errors.js";
import { strategicMergePatch } from "../../patch.js";
import type { EventCorrelator } from "./correlator.js";
import { type CoreEvent, fromWire, toWire } from "./event.js";
import type { RepeatPatch } from "./event-logger.js";

export interface EventSink {
  /** POST /api/v1/namespaces/{ns}/events */
  create(event: KubeObject): KubeObject;
  /** PATCH (strategic merge) /api/v1/namespaces/{ns}/events/{name}; throws a 404 ApiError when it is gone. */
  patch(namespace: string, name: string, patch: Record<string, unknown>): KubeObject;
}

/** The sim's API in process: writes land in the store, so watches see ADDED, MODIFIED and DELETED as on a cluster. */
export class StoreEventSink implements EventSink {
  constructor(private readonly store: ObjectStore) {}

  create(event: KubeObject): KubeObject {
    return this.store.create("events", event);
  }

  patch(namespace: string, name: string, patch: Record<string, unknown>): KubeObject {
    const existing = this.store.get("events", namespace, name);
    if (existing === undefined) throw notFound("events", name);
    return this.store.update("events", strategicMergePatch(existing, patch) as KubeObject);
  }
}

export type WriteOutcome = { written: KubeObject; created: boolean } | { written: undefined; refused: unknown };

/** The status code of an API error, or undefined for anything else (a bug, not a refusal). */
function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * recordEvent for one correlated event. Upstream retries transport errors (up to 12 tries, 10 s apart); an
 * in-process sink has no transport, so only API refusals are expected, and anything else is rethrown as a bug.
 */
export function writeEvent(sink: EventSink, correlator: EventCorrelator, event: CoreEvent, patch: RepeatPatch | undefined): WriteOutcome {
  let written: KubeObject | undefined;
  let created = false;
  try {
    // updateExistingEvent is `Count > 1`, not "a patch was made".
    if (event.count > 1 && patch !== undefined) {
      try {
        written = sink.patch(event.namespace, event.name, wirePatch(patch));
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    }
    if (written === undefined) {
      written = sink.create(toWire({ ...event, resourceVersion: "" }));
      created = true;
    }
  } catch (err) {
    if (statusCode(err) === undefined) throw err;
    return { written: undefined, refused: err };
  }
  correlator.updateState(fromWire(written));
  return { written, created };
}

function wirePatch(patch: RepeatPatch): Record<string, unknown> {
  const body: Record<string, unknown> = { count: patch.count, lastTimestamp: rfc3339(patch.lastTimestamp) };
  if (patch.message !== undefined) body.message = patch.message;
  return body;
}
