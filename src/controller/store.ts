// The in-memory cache a reflector fills: objects by namespace/name. Replace-after-list reports what changed so
// the handlers see deletes that happened while the watch was down.
import { objectKey } from "./keys.js";

export interface Meta {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string; uid?: string };
}

export type ChangeType = "added" | "updated" | "deleted";

export interface Change<T> {
  type: ChangeType;
  key: string;
  obj: T;
  /** The object before an update. */
  old?: T;
}

/** What a reflector needs from a cache; `MapStore` is the plain one, the event index is another. */
export interface ReflectorStore<T extends Meta> {
  /** Makes the cache hold exactly `items`; returns the differences. */
  replace(items: readonly T[]): Change<T>[];
  /** Adds or updates one object; null when it was already held at that resourceVersion. */
  upsert(obj: T): Change<T> | null;
  /** Deletes one object; null when it was not held. */
  remove(obj: T): Change<T> | null;
}

export class MapStore<T extends Meta> implements ReflectorStore<T> {
  private readonly objects = new Map<string, T>();

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  get size(): number {
    return this.objects.size;
  }

  replace(items: readonly T[]): Change<T>[] {
    const changes: Change<T>[] = [];
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectKey(obj));
      const c = this.upsert(obj);
      if (c) changes.push(c);
    }
    for (const [key, obj] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        changes.push({ type: "deleted", key, obj });
      }
    }
    return changes;
  }

  upsert(obj: T): Change<T> | null {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (old && sameVersion(old, obj)) return null;
    this.objects.set(key, obj);
    return old ? { type: "updated", key, obj, old } : { type: "added", key, obj };
  }

  remove(obj: T): Change<T> | null {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) return null;
    this.objects.delete(key);
    return { type: "deleted", key, obj: old };
  }
}

function sameVersion(a: Meta, b: Meta): boolean {
  const ra = a.metadata?.resourceVersion;
  return ra !== undefined && ra === b.metadata?.resourceVersion && a.metadata?.uid === b.metadata?.uid;
}
