// The contract between the simulated API server's in-memory store and the parts that drive it from inside
// (the kubelet scenario driver, test set-up). Objects are plain JSON as the API server stores them.

/**
 * A resource key in kubectl's `plural.group` notation: `pods`, `events`, `namespaces` for the core group,
 * `leases.coordination.k8s.io`, `customresourcedefinitions.apiextensions.k8s.io`,
 * `podhealthreports.podhealth.io`.
 */
export type ResourceKey = string;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: StoreEventType;
  resource: ResourceKey;
  object: KubeObject;
  /** The object before this write (MODIFIED, DELETED); watches with selectors use it to send ADDED/DELETED. */
  previous?: KubeObject;
}

/**
 * The in-memory store. Every write assigns a new, globally increasing resourceVersion and notifies subscribers
 * synchronously. `create` assigns uid and creationTimestamp (and a name from generateName); it throws a
 * StoreError with code 409 when the object exists. `replace` writes the whole object unconditionally (the
 * kubelet's status writes); `update` checks metadata.resourceVersion when given and throws 409 on a mismatch.
 * `remove` deletes at once (no grace, no finalizers); `delete` follows API semantics (finalizers, pod grace
 * period, owner cascade).
 *
 * Stored objects are deeply frozen and handed out without copying: to change one, `structuredClone` it and write
 * the copy. Writes copy their input. A write that changes nothing returns the stored object with no new version.
 * The implementation is MemoryStore (src/sim/store.ts), which adds scan, count, compact and sweep.
 */
export interface ObjectStore {
  create(resource: ResourceKey, obj: KubeObject): KubeObject;
  get(resource: ResourceKey, namespace: string, name: string): KubeObject | undefined;
  list(resource: ResourceKey, namespace?: string): KubeObject[];
  update(resource: ResourceKey, obj: KubeObject): KubeObject;
  replace(resource: ResourceKey, obj: KubeObject): KubeObject;
  delete(resource: ResourceKey, namespace: string, name: string, opts?: { gracePeriodSeconds?: number; preconditions?: { uid?: string } }): KubeObject | undefined;
  remove(resource: ResourceKey, namespace: string, name: string): KubeObject | undefined;
  subscribe(listener: (event: StoreEvent) => void): () => void;
  currentResourceVersion(): string;
}
