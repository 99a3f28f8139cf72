// A core/v1 Event as client-go's old-style recorder (tools/record, client-go 1.32) holds it in memory, the three
// keys its correlator groups events by (events_cache.go: getEventKey, getSpamKey, EventAggregatorByReasonFunc),
// and the JSON the API server stores. Timestamps stay in epoch milliseconds until they are written, as Go keeps a
// full-precision time.Time and only the wire format (metav1.Time) drops to seconds.
import type { KubeObject } from "../../types.js";
import { rfc3339 } from "../clock.js";

export interface ObjectReference {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
  /** `spec.containers{app}` for an event about one container; "" for the pod itself. */
  fieldPath: string;
}

export interface CoreEvent {
  name: string;
  namespace: string;
  /** "" until the server has answered; the recorder clears it before a create. */
  resourceVersion: string;
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host: string };
  firstTimestamp: number;
  lastTimestamp: number;
  count: number;
  type: string;
  /** `reportingComponent` on the wire. generateEvent copies source.component here; the aggregator does not. */
  reportingController: string;
  reportingInstance: string;
}

// Go joins every key with "" (no separator), so "ab"+"c" and "a"+"bc" collide there too; the simulation keeps that.

/** getEventKey: what makes two events the same event (the correlator counts repeats of it). */
export function eventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message].join("");
}

/**
 * getSpamKey in client-go 1.32: source and involved object *without* fieldPath, plus the event type (new in
 * client-go 1.32, commit aa6ed1bae; up to 1.31 Normal and Warning events share one bucket). Reason and message are not part of it.
 */
export function spamKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type].join("");
}

/**
 * EventAggregatorByReasonFunc: the aggregate key groups events that differ only in message (and fieldPath, which
 * it leaves out); the local key, the message, tells them apart inside the group.
 */
export function aggregateKeys(e: CoreEvent): { aggregateKey: string; localKey: string } {
  const o = e.involvedObject;
  const aggregateKey = [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingController, e.reportingInstance].join("");
  return { aggregateKey, localKey: e.message };
}

/** `<object>.<unix nanoseconds in hex>`, as makeEvent and the aggregator name events (`%v.%x`). */
export function eventName(objectName: string, nanos: bigint): string {
  return `${objectName}.${nanos.toString(16)}`;
}

/** The JSON of a v1.Event as Go marshals it: omitempty fields left out, eventTime null, reporting fields kept. */
export function toWire(e: CoreEvent): KubeObject {
  const metadata: NonNullable<KubeObject["metadata"]> = { name: e.name, namespace: e.namespace };
  if (e.resourceVersion !== "") metadata.resourceVersion = e.resourceVersion;
  const o = e.involvedObject;
  const involvedObject: Record<string, string> = { kind: o.kind, namespace: o.namespace, name: o.name, uid: o.uid, apiVersion: o.apiVersion };
  if (o.fieldPath !== "") involvedObject.fieldPath = o.fieldPath;
  const wire: KubeObject = { apiVersion: "v1", kind: "Event", metadata, involvedObject, reason: e.reason };
  if (e.message !== "") wire.message = e.message;
  wire.source = e.source.host === "" ? { component: e.source.component } : { component: e.source.component, host: e.source.host };
  wire.firstTimestamp = rfc3339(e.firstTimestamp);
  wire.lastTimestamp = rfc3339(e.lastTimestamp);
  wire.count = e.count;
  wire.type = e.type;
  wire.eventTime = null;
  wire.reportingComponent = e.reportingController;
  wire.reportingInstance = e.reportingInstance;
  return wire;
}

/** The server's answer read back into memory, for the correlator's UpdateState. */
export function fromWire(obj: KubeObject): CoreEvent {
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const io = (obj.involvedObject ?? {}) as Record<string, unknown>;
  const source = (obj.source ?? {}) as Record<string, unknown>;
  return {
    name: obj.metadata?.name ?? "",
    namespace: obj.metadata?.namespace ?? "",
    resourceVersion: obj.metadata?.resourceVersion ?? "",
    involvedObject: { kind: str(io.kind), namespace: str(io.namespace), name: str(io.name), uid: str(io.uid), apiVersion: str(io.apiVersion), fieldPath: str(io.fieldPath) },
    reason: str(obj.reason),
    message: str(obj.message),
    source: { component: str(source.component), host: str(source.host) },
    firstTimestamp: Date.parse(str(obj.firstTimestamp)),
    lastTimestamp: Date.parse(str(obj.lastTimestamp)),
    count: typeof obj.count === "number" ? obj.count : 0,
    type: str(obj.type),
    reportingController: str(obj.reportingComponent),
    reportingInstance: str(obj.reportingInstance),
  };
}
