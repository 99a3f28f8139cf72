// Keeps the served resources in step with the stored CustomResourceDefinitions: a CRD that is stored is served
// from the next request on; a deleted CRD takes its objects and open watches with it.
import { resourceFromCrd, CRD_KEY, type ResourceRegistry } from "./resources.js";
import type { MemoryStore } from "./store.js";
import type { KubeObject } from "./types.js";
import type { WatchHub } from "./watch.js";

export function startCrdController(store: MemoryStore, registry: ResourceRegistry, hub: WatchHub): () => void {
  /** CRD name → the resource key it registered, so a CRD whose names change unregisters the old key. */
  const served = new Map<string, string>();

  const unserve = (crdName: string): void => {
    const key = served.get(crdName);
    if (key === undefined) return;
    served.delete(crdName);
    for (const obj of store.list(key)) store.remove(key, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    hub.closeResource(key);
    registry.unregister(key);
  };

  const serve = (crd: KubeObject): void => {
    const name = crd.metadata?.name ?? "";
    const info = resourceFromCrd(crd);
    const previous = served.get(name);
    if (previous !== undefined && previous !== info.key) unserve(name);
    if (registry.get(info.key) && !registry.get(info.key)?.custom) return; // never shadow a built-in resource
    registry.register(info);
    served.set(name, info.key);
  };

  for (const crd of store.list(CRD_KEY)) serve(crd);
  return store.subscribe((event) => {
    if (event.resource !== CRD_KEY) return;
    if (event.type === "DELETED") unserve(event.object.metadata?.name ?? "");
    else serve(event.object);
  });
}
