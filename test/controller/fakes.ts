// Test doubles shared by the controller tests.
import type { ListResult, ListWatchSource, WatchEventType, WatchHandle } from "../../src/controller/reflector.js";
import type { Scheduler } from "../../src/controller/scheduler.js";

/** A deterministic scheduler for tests: time moves only when `advance` is called. */
export class FakeScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, delayMs: number): () => void {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, delayMs), fn });
    return () => {
      this.timers.delete(id);
    };
  }

  /** Number of timers not yet fired. */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order (timers they schedule fire too if due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].fn();
    }
    this.time = end;
  }
}

/** Lets pending promise callbacks run (several rounds, for chains of awaits). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances a fake clock in steps, letting async code react between steps. */
export async function advance(clock: FakeScheduler, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

interface Obj {
  metadata: { namespace?: string; name: string; resourceVersion?: string; uid?: string };
  [k: string]: unknown;
}

/** One collection on a fake API server: list, watch with history (410 when compacted), bookmarks, faults. */
export class FakeCollection implements ListWatchSource {
  private rv = 100;
  private objects = new Map<string, Obj>();
  private history: Array<{ rv: number; type: WatchEventType; obj: Obj }> = [];
  private compactedTo = 0;
  private watchers = new Set<{ onEvent: (t: WatchEventType, o: unknown) => void; onDone: (e: unknown) => void }>();
  listCalls = 0;
  /** The resourceVersion each list asked for. */
  listVersions: string[] = [];
  watchCalls: string[] = [];
  failLists = 0;
  failWatches = 0;
  /** What a failing watch start rejects with (default: a 500). */
  watchStartError: () => unknown = () => Object.assign(new Error("Internal Server Error"), { statusCode: 500 });

  private key(o: Obj): string {
    return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  }

  private emit(type: WatchEventType, obj: Obj): void {
    this.history.push({ rv: this.rv, type, obj });
    for (const w of this.watchers) w.onEvent(type, structuredClone(obj));
  }

  put(obj: Obj): Obj {
    const exists = this.objects.has(this.key(obj));
    const stored = structuredClone({ ...obj, metadata: { uid: `uid-${obj.metadata.name}`, ...obj.metadata, resourceVersion: String(++this.rv) } });
    this.objects.set(this.key(obj), stored);
    this.emit(exists ? "MODIFIED" : "ADDED", stored);
    return stored;
  }

  remove(namespace: string, name: string): void {
    const obj = this.objects.get(`${namespace}/${name}`);
    if (!obj) return;
    this.objects.delete(`${namespace}/${name}`);
    this.emit("DELETED", { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Forgets history: watches from older versions get 410 Gone. */
  compact(): void {
    this.compactedTo = this.rv;
    this.history = [];
  }

  bookmark(): void {
    for (const w of this.watchers) w.onEvent("BOOKMARK", { metadata: { resourceVersion: String(this.rv) } });
  }

  /** Ends every open watch, normally (err null) or with an error. */
  dropWatches(err: unknown = null): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.onDone(err);
    }
  }

  /** Sends a Status ERROR event (e.g. code 410) and closes, as the API server does. */
  errorEvent(code: number): void {
    for (const w of [...this.watchers]) {
      w.onEvent("ERROR", { kind: "Status", code, message: "too old resource version" });
      this.watchers.delete(w);
      w.onDone(null);
    }
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  async list<T>(resourceVersion: string, keep: (raw: unknown) => T | null): Promise<ListResult<T>> {
    this.listCalls++;
    this.listVersions.push(resourceVersion);
    if (this.failLists > 0) {
      this.failLists--;
      throw Object.assign(new Error("HTTP-Code: 500"), { code: 500 });
    }
    const items = [...this.objects.values()].map((o) => keep(structuredClone(o))).filter((o): o is T => o !== null);
    return { items, resourceVersion: String(this.rv) };
  }

  async watch(resourceVersion: string, onEvent: (t: WatchEventType, o: unknown) => void, onDone: (e: unknown) => void): Promise<WatchHandle> {
    this.watchCalls.push(resourceVersion);
    if (this.failWatches > 0) {
      this.failWatches--;
      throw this.watchStartError();
    }
    const from = Number(resourceVersion);
    if (from < this.compactedTo) throw Object.assign(new Error("Gone"), { statusCode: 410 });
    const w = { onEvent, onDone };
    for (const h of this.history) if (h.rv > from) onEvent(h.type, structuredClone(h.obj));
    this.watchers.add(w);
    return {
      abort: () => {
        this.watchers.delete(w);
      },
    };
  }
}
