// The in-memory object store behind the simulated API server: one map per resource, a global resourceVersion
// counter, the bounded watch history, and the API's deletion rules (finalizers, pod grace periods, namespace
// termination, owner cascade).
//
// Immutability: every stored object is deeply frozen. Reads (`get`, `list`) hand out the stored object itself,
// without copying, which keeps a 50,000-pod list cheap; a caller that wants to change one copies it first
// (`structuredClone`) and writes the copy back. Writes copy their input, so the caller keeps its own object.
import { randomUUID } from "node:crypto";
import { rfc3339, scheduleOn, systemClock, type SimClock } from "./clock.js";
import { alreadyExists, ApiError, conflict, invalid, notFound } from "./errors.js";
import { DEFAULT_EVENT_TTL_SECONDS, EventTtl } from "./event-ttl.js";
import { WatchHistory, type HistoryEvent } from "./history.js";
import { deepFreeze, jsonEqual, metaOf, mutableCopy, specChanged, timeOf, withMetadata } from "./objects.js";
import { ResourceRegistry, type ResourceInfo } from "./resources.js";
import type { KubeObject, ObjectStore, ResourceKey, StoreEvent } from "./types.js";

export interface MemoryStoreOptions {
  registry?: ResourceRegistry;
  clock?: SimClock;
  /** How many events the watch history keeps (global, across resources). Default 10,000. */
  watchHistorySize?: number;
  /**
   * Whether pods deleted with a grace period go away by themselves once it has passed on the clock (a timer on
   * the clock calls `sweep`). A real cluster needs the kubelet to confirm with a grace-0 delete; with this on, a
   * pod deleted with kubectl and no kubelet running still disappears. Default true.
   */
  podGraceAuto?: boolean;
  /** Called when a subscriber throws; the write itself has already happened. Default: a process warning. */
  onListenerError?: (err: unknown) => void;
  /**
   * kube-apiserver's --event-ttl in seconds: an Event is deleted (a DELETED watch event) once the etcd lease of
   * its last write runs out, between ttl and ttl + 60 s after that write (see event-ttl.ts), on this store's
   * clock. Default 3600, as kube-apiserver; 0 keeps events forever, as `--event-ttl=0` does.
   */
  eventTtlSeconds?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  /** Background (default) deletes dependents right after; Orphan strips their owner reference. */
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteOptions {
  /** The caller hands over the object (freshly parsed JSON): the store freezes it instead of copying. */
  owned?: boolean;
}

type NamespaceTable = Map<string, KubeObject>;
type Table = Map<string, NamespaceTable>;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function refKey(resource: ResourceKey, namespace: string, name: string): string {
  return `${resource}\n${namespace}\n${name}`;
}

function parseRefKey(key: string): [ResourceKey, string, string] {
  const [resource, namespace, name] = key.split("\n");
  return [resource, namespace, name];
}

export class MemoryStore implements ObjectStore {
  readonly registry: ResourceRegistry;
  readonly history: WatchHistory;
  readonly clock: SimClock;
  podGraceAuto: boolean;
  /**
   * The version of the last explicit compaction. Paged lists started before it get 410 on their next page;
   * the history's own overflow does not expire them (a real etcd compacts every few minutes, not per 10k writes).
   */
  compactedAt = 0;

  private rv = 0;
  private readonly tables = new Map<ResourceKey, Table>();
  private readonly sortedNames = new Map<string, string[]>();
  private readonly sortedNamespaces = new Map<ResourceKey, string[]>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private readonly uids = new Map<string, string>();
  private readonly dependents = new Map<string, Set<string>>();
  /** Pods waiting for their grace period, with the cancel function of the timer that ends it. */
  private readonly graceful = new Map<string, () => void>();
  private readonly terminating = new Set<string>();
  private readonly onListenerError: (err: unknown) => void;
  private readonly eventTtl: EventTtl | undefined;
  /** The timer that deletes expired events, and when it fires. */
  private ttlCancel: (() => void) | undefined;
  private ttlAt = Infinity;

  constructor(options: MemoryStoreOptions = {}) {
    this.registry = options.registry ?? new ResourceRegistry();
    this.clock = options.clock ?? systemClock;
    this.history = new WatchHistory(options.watchHistorySize ?? 10_000);
    this.podGraceAuto = options.podGraceAuto ?? true;
    const ttl = options.eventTtlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    if (!(ttl >= 0) || !Number.isFinite(ttl)) throw new Error(`eventTtlSeconds must be a non-negative number, got ${ttl}`);
    // kube-apiserver keeps whole seconds of the flag (uint64(EventTTL.Seconds())).
    this.eventTtl = Math.trunc(ttl) > 0 ? new EventTtl(Math.trunc(ttl)) : undefined;
    this.onListenerError =
      options.onListenerError ?? ((err) => process.emitWarning(`sim store listener failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  get(resource: ResourceKey, namespace: string, name: string): KubeObject | undefined {
    const info = this.info(resource);
    return this.tables.get(info.storage)?.get(info.namespaced ? namespace : "")?.get(name);
  }

  list(resource: ResourceKey, namespace?: string): KubeObject[] {
    const table = this.tables.get(this.info(resource).storage);
    if (!table) return [];
    if (namespace) return [...(table.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const ns of table.values()) for (const obj of ns.values()) out.push(obj);
    return out;
  }

  count(resource: ResourceKey, namespace?: string): number {
    const table = this.tables.get(this.info(resource).storage);
    if (!table) return 0;
    if (namespace !== undefined) return table.get(namespace)?.size ?? 0;
    let n = 0;
    for (const ns of table.values()) n += ns.size;
    return n;
  }

  /**
   * Objects in key order (`namespace/name`, as etcd lists them), starting after `after` when given. Paged lists
   * resume from the last key they returned.
   */
  *scan(resource: ResourceKey, namespace?: string, after?: { namespace: string; name: string }): Generator<KubeObject> {
    const storage = this.info(resource).storage;
    const table = this.tables.get(storage);
    if (!table) return;
    const namespaces = namespace !== undefined ? [namespace] : this.sortedNamespaceList(storage, table);
    let nsIndex = 0;
    if (after) {
      while (nsIndex < namespaces.length && namespaces[nsIndex] < after.namespace) nsIndex++;
    }
    for (; nsIndex < namespaces.length; nsIndex++) {
      const ns = namespaces[nsIndex];
      const objects = table.get(ns);
      if (!objects) continue;
      const names = this.sortedNameList(storage, ns, objects);
      let i = 0;
      if (after && ns === after.namespace) i = upperBound(names, after.name);
      for (; i < names.length; i++) {
        const obj = objects.get(names[i]);
        if (obj) yield obj;
      }
    }
  }

  /** The object with this uid, if any is stored (the garbage collector's question "is the owner still there?"). */
  hasUid(uid: string): boolean {
    return this.uids.has(uid);
  }

  // ---- writes -----------------------------------------------------------------------------------------------

  create(resource: ResourceKey, input: KubeObject, options: WriteOptions = {}): KubeObject {
    const info = this.info(resource);
    const obj = options.owned ? input : mutableCopy(input);
    const meta = (obj.metadata ??= {});
    const namespace = this.namespaceFor(info, meta.namespace);
    if (info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(info.kind, "", [{ field: "metadata.name", message: "Required value: name or generateName is required", reason: "FieldValueRequired" }]);
      }
      meta.name = this.generateName(info, namespace, meta.generateName);
    }
    validateName(info, meta.name);
    if (info.namespaced) this.requireNamespace(namespace);
    const table = this.tableFor(info.storage);
    if (table.get(namespace)?.has(meta.name)) throw alreadyExists(info.storage, meta.name);

    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.clock.now());
    if (info.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    obj.kind ??= info.kind;
    obj.apiVersion ??= info.group === "" ? info.versions[0] : `${info.group}/${info.versions[0]}`;
    return this.commit(info, "ADDED", obj, undefined);
  }

  update(resource: ResourceKey, input: KubeObject, options: WriteOptions = {}): KubeObject {
    return this.write(resource, input, true, options);
  }

  replace(resource: ResourceKey, input: KubeObject, options: WriteOptions = {}): KubeObject {
    return this.write(resource, input, false, options);
  }

  delete(resource: ResourceKey, namespace: string, name: string, opts: DeleteOptions = {}): KubeObject | undefined {
    const info = this.info(resource);
    const existing = this.get(info.storage, namespace, name);
    if (!existing) return undefined;
    const meta = metaOf(existing);
    if (opts.preconditions?.uid !== undefined && opts.preconditions.uid !== meta.uid) {
      throw conflict(info.storage, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${meta.uid ?? ""}`);
    }
    if (opts.preconditions?.resourceVersion !== undefined && opts.preconditions.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        info.storage,
        name,
        `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ""}`,
      );
    }
    if (info.storage === "namespaces") return this.deleteNamespace(existing);

    const now = this.clock.now();
    const finalizers = meta.finalizers ?? [];

    if (meta.deletionTimestamp) {
      // Already being deleted: only a shorter grace period changes anything (apiserver 1.32 rest.BeforeDelete).
      const currentGrace = meta.deletionGracePeriodSeconds ?? 0;
      let current = existing;
      let left = 0;
      if (info.storage === "pods" && currentGrace > 0) {
        const requested = requestedGrace(opts.gracePeriodSeconds);
        if (requested === undefined || requested >= currentGrace) return existing;
        // The deadline moves by the difference, counted from when deletion began, not from now.
        const deadline = timeOf(meta.deletionTimestamp) - (currentGrace - requested) * 1000;
        current = this.commit(info, "MODIFIED", withMetadata(existing, { deletionTimestamp: rfc3339(deadline), deletionGracePeriodSeconds: requested }), existing);
        if (requested > 0) this.startGrace(refKey(info.storage, namespace, name), deadline - now);
        left = requested;
      }
      if (finalizers.length === 0 && left === 0) return this.removeObject(info, current, opts);
      return current;
    }

    // Pods are the kind with a graceful delete strategy: every pod deletion, grace 0 included, first writes
    // deletionTimestamp (a MODIFIED event) and then, when nothing is left to wait for, removes the object
    // (apiserver 1.32 registry/generic/registry/store.go updateForGracefulDeletionAndFinalizers). Other kinds
    // get a deletionTimestamp only when finalizers hold them.
    const isPod = info.storage === "pods";
    const grace = isPod ? podGracePeriod(existing, opts.gracePeriodSeconds) : 0;
    if (isPod || finalizers.length > 0) {
      const changes: Partial<NonNullable<KubeObject["metadata"]>> = {
        deletionTimestamp: rfc3339(now + grace * 1000),
        deletionGracePeriodSeconds: grace,
      };
      if (meta.generation !== undefined) changes.generation = meta.generation + 1;
      const next = this.commit(info, "MODIFIED", withMetadata(existing, changes), existing);
      if (grace > 0) this.startGrace(refKey(info.storage, namespace, name), grace * 1000);
      else if (finalizers.length === 0) return this.removeObject(info, next, opts);
      return next;
    }
    return this.removeObject(info, existing, opts);
  }

  remove(resource: ResourceKey, namespace: string, name: string): KubeObject | undefined {
    const info = this.info(resource);
    const existing = this.get(info.storage, namespace, name);
    return existing ? this.removeObject(info, existing, {}) : undefined;
  }

  /**
   * Ends what time ends: pods whose grace period has passed (when podGraceAuto is on) and terminating
   * namespaces that have become empty. Timers on the clock call it; so may a test.
   */
  sweep(now = this.clock.now()): void {
    if (this.podGraceAuto) {
      for (const key of [...this.graceful.keys()]) {
        const [resource, namespace, name] = parseRefKey(key);
        const obj = this.get(resource, namespace, name);
        const deadline = timeOf(obj?.metadata?.deletionTimestamp);
        if (!obj || Number.isNaN(deadline)) {
          this.stopGrace(key);
          continue;
        }
        if (deadline <= now) {
          this.stopGrace(key);
          this.delete(resource, namespace, name, { gracePeriodSeconds: 0 });
        }
      }
    }
    for (const ns of [...this.terminating]) this.finishNamespace(ns);
  }

  /** Cancels pending timers; the store stays readable and writable. */
  close(): void {
    for (const key of [...this.graceful.keys()]) this.stopGrace(key);
    this.ttlCancel?.();
    this.ttlCancel = undefined;
    this.ttlAt = Infinity;
  }

  /** Deletes the events whose TTL has run out at `now`, as etcd does when their lease expires. Returns how many. */
  expireEvents(now = this.clock.now()): number {
    if (!this.eventTtl) return 0;
    let removed = 0;
    for (const key of this.eventTtl.due(now)) {
      const [resource, namespace, name] = parseRefKey(key);
      const obj = this.get(resource, namespace, name);
      if (obj) {
        this.removeObject(this.info(resource), obj, {});
        removed++;
      } else this.eventTtl.forget(key);
    }
    return removed;
  }

  /**
   * Forgets the watch history up to now, as an API server restart loses its watch cache: watches from any earlier
   * version get 410 Expired, while etcd (and so a paged list's continue token) keeps its history.
   */
  dropWatchCache(): string {
    this.history.compact(this.rv);
    return String(this.rv);
  }

  /** Drops the watch history up to now: watches from any earlier version get 410 Expired. */
  compact(): string {
    this.history.compact(this.rv);
    this.compactedAt = this.rv;
    return String(this.rv);
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private startGrace(key: string, delayMs: number): void {
    this.stopGrace(key);
    // A little past the deadline: deletionTimestamp has second precision, and sweep compares against it.
    this.graceful.set(key, scheduleOn(this.clock, () => this.sweep(), Math.max(0, delayMs) + 1));
  }

  private stopGrace(key: string): void {
    this.graceful.get(key)?.();
    this.graceful.delete(key);
  }

  private info(resource: ResourceKey): ResourceInfo {
    const info = this.registry.get(resource);
    if (!info) throw new ApiError(404, "NotFound", `the server could not find the requested resource (${resource})`);
    return info.storage === info.key ? info : (this.registry.get(info.storage) as ResourceInfo);
  }

  private namespaceFor(info: ResourceInfo, namespace: string | undefined): string {
    return info.namespaced ? namespace || "default" : "";
  }

  private requireNamespace(namespace: string): void {
    const ns = this.tables.get("namespaces")?.get("")?.get(namespace);
    if (!ns) throw notFound("namespaces", namespace);
    if (ns.metadata?.deletionTimestamp) {
      throw new ApiError(403, "Forbidden", `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: "namespaces",
      });
    }
  }

  private generateName(info: ResourceInfo, namespace: string, prefix: string): string {
    const existing = this.tables.get(info.storage)?.get(namespace);
    for (;;) {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
      const name = prefix.slice(0, 58) + suffix;
      if (!existing?.has(name)) return name;
    }
  }

  private tableFor(storage: ResourceKey): Table {
    let table = this.tables.get(storage);
    if (!table) {
      table = new Map();
      this.tables.set(storage, table);
    }
    return table;
  }

  private write(resource: ResourceKey, input: KubeObject, checkVersion: boolean, options: WriteOptions): KubeObject {
    const info = this.info(resource);
    const inMeta = input.metadata ?? {};
    const namespace = this.namespaceFor(info, inMeta.namespace);
    const name = inMeta.name ?? "";
    const existing = this.get(info.storage, namespace, name);
    if (!existing) throw notFound(info.storage, name);
    const old = metaOf(existing);
    if (checkVersion && inMeta.resourceVersion && inMeta.resourceVersion !== old.resourceVersion) throw conflict(info.storage, name);
    if (inMeta.uid && inMeta.uid !== old.uid) {
      throw conflict(info.storage, name, `Precondition failed: UID in precondition: ${inMeta.uid}, UID in object meta: ${old.uid ?? ""}`);
    }

    const next = options.owned ? input : mutableCopy(input);
    const meta = (next.metadata ??= {});
    meta.name = name;
    if (info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.resourceVersion = old.resourceVersion;
    // Deletion is only ever started by DELETE, never by writing these fields.
    setOrDelete(meta, "deletionTimestamp", old.deletionTimestamp);
    setOrDelete(meta, "deletionGracePeriodSeconds", old.deletionGracePeriodSeconds);
    next.kind ??= existing.kind;
    next.apiVersion ??= existing.apiVersion;
    if (info.hasGeneration) {
      meta.generation = (old.generation ?? 1) + (specChanged(existing, next, jsonEqual) ? 1 : 0);
    } else delete meta.generation;

    if (old.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(info.kind, name, [
          { field: "metadata.finalizers", message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, reason: "FieldValueForbidden" },
        ]);
      }
    }
    // A write that changes nothing is not a write: no new resourceVersion, no watch event (as the real server).
    if (jsonEqual(existing, next)) return existing;

    if (old.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !(info.storage === "pods" && (old.deletionGracePeriodSeconds ?? 0) > 0)) {
      // The last finalizer is gone: the object that was waiting for it goes now.
      return this.removeObject(info, next, {});
    }
    return this.commit(info, "MODIFIED", next, existing);
  }

  private deleteNamespace(existing: KubeObject): KubeObject {
    const name = metaOf(existing).name ?? "";
    const info = this.info("namespaces");
    let current = existing;
    if (!existing.metadata?.deletionTimestamp) {
      const next = withMetadata(existing, { deletionTimestamp: rfc3339(this.clock.now()) });
      next.status = { ...((existing.status as object | undefined) ?? {}), phase: "Terminating" };
      current = this.commit(info, "MODIFIED", next, existing);
      this.terminating.add(name);
    }
    // The namespace controller's job: delete everything in it, then the namespace once it is empty.
    for (const r of this.registry.all()) {
      if (!r.namespaced || r.storage !== r.key) continue;
      for (const obj of this.list(r.storage, name)) {
        const m = metaOf(obj);
        if (!m.deletionTimestamp) this.delete(r.storage, name, m.name ?? "");
      }
    }
    return this.finishNamespace(name) ?? current;
  }

  private finishNamespace(name: string): KubeObject | undefined {
    for (const r of this.registry.all()) {
      if (r.namespaced && r.storage === r.key && this.count(r.storage, name) > 0) return undefined;
    }
    this.terminating.delete(name);
    const ns = this.get("namespaces", "", name);
    return ns ? this.removeObject(this.info("namespaces"), ns, {}) : undefined;
  }

  private removeObject(info: ResourceInfo, obj: KubeObject, opts: DeleteOptions): KubeObject {
    const previous = this.get(info.storage, metaOf(obj).namespace ?? "", metaOf(obj).name ?? "");
    const deleted = this.commit(info, "DELETED", obj, previous);
    this.collectDependents(metaOf(deleted).uid, opts.propagationPolicy === "Orphan");
    const namespace = metaOf(deleted).namespace;
    if (namespace && this.terminating.has(namespace)) this.finishNamespace(namespace);
    return deleted;
  }

  /** The garbage collector, run right after an owner goes: dependents with no owner left are deleted. */
  private collectDependents(ownerUid: string | undefined, orphan: boolean): void {
    if (!ownerUid) return;
    const keys = this.dependents.get(ownerUid);
    if (!keys) return;
    for (const key of [...keys]) {
      const [resource, namespace, name] = parseRefKey(key);
      const dependent = this.get(resource, namespace, name);
      if (!dependent) continue;
      const refs = dependent.metadata?.ownerReferences ?? [];
      const remaining = refs.filter((r) => r.uid !== ownerUid);
      if (orphan || remaining.some((r) => this.uids.has(r.uid))) {
        const next = withMetadata(dependent, { ownerReferences: remaining.length > 0 ? remaining : undefined });
        this.replace(resource, next);
      } else if (!dependent.metadata?.deletionTimestamp) {
        this.delete(resource, namespace, name, { propagationPolicy: "Background" });
      }
    }
  }

  /** Assigns the next resourceVersion, stores (or drops) the object, records history and notifies. */
  private commit(info: ResourceInfo, type: StoreEvent["type"], obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    const rv = ++this.rv;
    let stored: KubeObject;
    if (Object.isFrozen(obj) || obj.metadata === undefined || Object.isFrozen(obj.metadata)) {
      stored = withMetadata(obj, { resourceVersion: String(rv) });
    } else {
      obj.metadata.resourceVersion = String(rv);
      stored = obj;
    }
    deepFreeze(stored);
    const meta = metaOf(stored);
    const namespace = meta.namespace ?? "";
    const name = meta.name ?? "";
    const table = this.tableFor(info.storage);
    const key = refKey(info.storage, namespace, name);
    if (type === "DELETED") {
      const ns = table.get(namespace);
      ns?.delete(name);
      this.sortedNames.delete(`${info.storage}\n${namespace}`);
      if (ns && ns.size === 0) {
        table.delete(namespace);
        this.sortedNamespaces.delete(info.storage);
      }
      if (meta.uid) this.uids.delete(meta.uid);
      this.stopGrace(key);
      this.indexOwners(key, previous, undefined);
    } else {
      let ns = table.get(namespace);
      if (!ns) {
        ns = new Map();
        table.set(namespace, ns);
        this.sortedNamespaces.delete(info.storage);
      }
      if (!ns.has(name)) this.sortedNames.delete(`${info.storage}\n${namespace}`);
      ns.set(name, stored);
      if (meta.uid) this.uids.set(meta.uid, key);
      this.indexOwners(key, previous, stored);
    }
    if (this.eventTtl && info.storage === "events") this.trackEventTtl(key, type);
    const event: HistoryEvent = { rv, type, resource: info.storage, object: stored, previous };
    this.history.push(event);
    this.dispatch(event);
    return stored;
  }

  private trackEventTtl(key: string, type: StoreEvent["type"]): void {
    const ttl = this.eventTtl as EventTtl;
    if (type === "DELETED") {
      ttl.forget(key);
      return;
    }
    ttl.written(key, this.clock.now());
    const next = ttl.nextExpiry();
    // Expiries only move later, so a timer already set for an earlier time is early, never late: it re-arms.
    if (next === undefined || this.ttlAt <= next) return;
    this.ttlCancel?.();
    this.ttlAt = next;
    this.ttlCancel = scheduleOn(this.clock, () => this.onTtlTimer(), next - this.clock.now());
  }

  private onTtlTimer(): void {
    this.ttlCancel = undefined;
    this.ttlAt = Infinity;
    this.expireEvents();
    const next = this.eventTtl?.nextExpiry();
    if (next === undefined) return;
    this.ttlAt = next;
    this.ttlCancel = scheduleOn(this.clock, () => this.onTtlTimer(), next - this.clock.now());
  }

  private indexOwners(key: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    const was = (before?.metadata?.ownerReferences ?? []).map((r) => r.uid);
    const is = (after?.metadata?.ownerReferences ?? []).map((r) => r.uid);
    for (const uid of was) {
      if (is.includes(uid)) continue;
      const set = this.dependents.get(uid);
      set?.delete(key);
      if (set?.size === 0) this.dependents.delete(uid);
    }
    for (const uid of is) {
      let set = this.dependents.get(uid);
      if (!set) {
        set = new Set();
        this.dependents.set(uid, set);
      }
      set.add(key);
    }
  }

  /**
   * Listeners run synchronously, but a write made from inside a listener (the registry deleting a CRD's objects)
   * is queued until the current event has reached everyone, so every listener sees events in version order.
   */
  private dispatch(event: StoreEvent): void {
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const listener of this.listeners) {
          try {
            listener(next);
          } catch (err) {
            this.onListenerError(err);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  private sortedNamespaceList(storage: ResourceKey, table: Table): string[] {
    let list = this.sortedNamespaces.get(storage);
    if (!list) {
      list = [...table.keys()].sort(compareStrings);
      this.sortedNamespaces.set(storage, list);
    }
    return list;
  }

  private sortedNameList(storage: ResourceKey, namespace: string, objects: NamespaceTable): string[] {
    const cacheKey = `${storage}\n${namespace}`;
    let list = this.sortedNames.get(cacheKey);
    if (!list) {
      list = [...objects.keys()].sort(compareStrings);
      this.sortedNames.set(cacheKey, list);
    }
    return list;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function upperBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function setOrDelete(meta: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete meta[key];
  else meta[key] = value;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** metadata.name rules per kind (apimachinery 1.32 api/validation/generic.go and the kinds' ValidateXName). */
function validateName(info: ResourceInfo, name: string): void {
  let message: string | undefined;
  if (info.storage === "namespaces") {
    if (!(name.length <= 63 && DNS_LABEL.test(name))) message = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  } else if (info.nameRule === "dns1035-label") {
    if (!(name.length <= 63 && DNS_1035_LABEL.test(name))) message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  } else if (info.nameRule === "path-segment") {
    if (name === "." || name === "..") message = `may not be '${name}'`;
    else if (name.includes("/") || name.includes("%")) message = `may not contain '${name.includes("/") ? "/" : "%"}'`;
  } else if (!(name.length <= 253 && DNS_SUBDOMAIN.test(name))) {
    message = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
  if (message === undefined) return;
  throw invalid(info.kind, name, [{ field: "metadata.name", message: `Invalid value: "${name}": ${message}` }]);
}

/** A requested grace period as the server takes it: negative values mean 1 s (apiserver 1.32 rest.BeforeDelete). */
function requestedGrace(requested: number | undefined): number | undefined {
  if (requested === undefined) return undefined;
  return requested < 0 ? 1 : Math.floor(requested);
}

/**
 * The grace period a pod deletion gets, as the real server decides it (kubernetes 1.32
 * pkg/registry/core/pod/strategy.go CheckGracefulDelete): the request's, else the pod's
 * terminationGracePeriodSeconds, else 30 (the API default); zero for pods never scheduled or already finished,
 * which no kubelet has to stop; a negative value means 1.
 */
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
  const grace = requestedGrace(requested) ?? spec.terminationGracePeriodSeconds ?? 30;
  return grace < 0 ? 1 : Math.floor(grace);
}
