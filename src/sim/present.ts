// How a stored object is served at a given endpoint: the same bytes for every client asking for the same view,
// serialized once. Stored objects are frozen, so a serialization cached by object identity never goes stale.
import { fromEventsV1, toEventsV1 } from "./events-view.js";
import { apiVersionOf } from "./objects.js";
import type { ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

const plainJson = new WeakMap<KubeObject, string>();
const viewJson = new Map<string, WeakMap<KubeObject, string>>();

function needsView(info: ResourceInfo, version: string, obj: KubeObject): boolean {
  if (info.storage !== info.key) return true;
  return info.custom && obj.apiVersion !== apiVersionOf(info.group, version);
}

/** The object as this endpoint serves it (events.k8s.io shape; a custom resource under the requested version). */
export function present(info: ResourceInfo, version: string, obj: KubeObject): KubeObject {
  if (!needsView(info, version, obj)) return obj;
  if (info.key === "events.events.k8s.io") return toEventsV1(obj);
  return { ...obj, apiVersion: apiVersionOf(info.group, version) };
}

/** `present` serialized, cached per stored object and view. */
export function presentJson(info: ResourceInfo, version: string, obj: KubeObject): string {
  if (!needsView(info, version, obj)) {
    let text = plainJson.get(obj);
    if (text === undefined) {
      text = JSON.stringify(obj);
      plainJson.set(obj, text);
    }
    return text;
  }
  const viewKey = `${info.key}/${version}`;
  let cache = viewJson.get(viewKey);
  if (!cache) {
    cache = new WeakMap();
    viewJson.set(viewKey, cache);
  }
  let text = cache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(present(info, version, obj));
    cache.set(obj, text);
  }
  return text;
}

/** A request body (already checked to be this endpoint's kind) in the shape the store keeps. */
export function toStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  return info.key === "events.events.k8s.io" ? fromEventsV1(obj) : obj;
}
