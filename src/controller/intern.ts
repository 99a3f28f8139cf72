// One copy of each value that many cached objects hold alike: the 250 pods of a Deployment have the same
// container specs, images and node names, and every healthy pod's report has the same empty counts. JSON.parse
// gives each object its own copy (only strings of up to about ten characters are shared by V8); the caches keep
// the first one seen instead. Shared objects are frozen: nothing may change what another pod also holds. The
// tables are bounded: when one is full it starts again empty, which costs sharing, never correctness.

export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly objects = new Map<string, object>();
  /** Identities of objects in lists (weak: an object no cache holds any more is forgotten with its number). */
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  constructor(private readonly maxEntries = 20_000) {}

  /** The one copy of a string (a value that repeats across objects: an image, a node name, a reason); others as they are. */
  string<T>(s: T): T {
    if (typeof s !== "string") return s;
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen as T;
    if (this.strings.size >= this.maxEntries) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  /**
   * The one frozen copy of a JSON value equal to `v` (same keys in the same order, same values). `v` is frozen and
   * kept when it is the first of its kind, so the caller must not change it afterwards.
   */
  object<T>(v: T): T {
    if (v === null || typeof v !== "object") return v;
    const key = JSON.stringify(v);
    const seen = this.objects.get(key);
    if (seen !== undefined) return seen as T;
    if (this.objects.size >= this.maxEntries) this.objects.clear();
    deepFreeze(v);
    this.objects.set(key, v as object);
    return v;
  }

  /**
   * The one frozen copy of a list of values this interner already returned (a pod's container specs): keyed by
   * their identities, which is cheaper than writing them out again.
   */
  list<T extends object>(items: T[]): T[] {
    let key = "l";
    for (const item of items) {
      let id = this.ids.get(item);
      if (id === undefined) {
        id = this.nextId++;
        this.ids.set(item, id);
      }
      key += `,${id}`;
    }
    const seen = this.objects.get(key);
    if (seen !== undefined) return seen as T[];
    if (this.objects.size >= this.maxEntries) this.objects.clear();
    Object.freeze(items);
    this.objects.set(key, items);
    return items;
  }

  get size(): number {
    return this.strings.size + this.objects.size;
  }
}

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== "object" || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
