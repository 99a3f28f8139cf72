// Small helpers on stored objects. Stored objects are deeply frozen, so a reader can hold on to one for as
// long as it likes and a writer must build a new object; these helpers make the copies cheap and explicit.
import type { KubeObject } from "./types.js";

type Meta = NonNullable<KubeObject["metadata"]>;

/** Freezes an object graph; parts that are already frozen (shared with an earlier version) are skipped. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value as object)) deepFreeze(child);
  return value;
}

/** A deep, mutable copy of a stored (frozen) or caller-owned object. */
export function mutableCopy<T>(value: T): T {
  return structuredClone(value);
}

/** A copy of a frozen object with a new metadata, sharing (frozen) everything else. */
export function withMetadata(obj: KubeObject, changes: Partial<Meta>): KubeObject {
  const next: KubeObject = { ...obj, metadata: { ...(obj.metadata ?? {}), ...changes } };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete (next.metadata as Meta)[k];
  return next;
}

export function metaOf(obj: KubeObject): Meta {
  return obj.metadata ?? {};
}

/**
 * Deep equality of JSON values. Not util.isDeepStrictEqual: that compares prototypes, and objects from
 * structuredClone and from JSON.parse can come from different realms (under jest, for one).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** True when anything but metadata and status differs: what bumps metadata.generation. */
export function specChanged(a: KubeObject, b: KubeObject, isDeepEqual: (x: unknown, y: unknown) => boolean = jsonEqual): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === "metadata" || k === "status" || k === "apiVersion" || k === "kind") continue;
    if (!isDeepEqual(a[k], b[k])) return true;
  }
  return false;
}

/** The apiVersion string for a group and version. */
export function apiVersionOf(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

/** Parses an RFC3339 timestamp to epoch milliseconds; NaN when absent or malformed. */
export function timeOf(text: unknown): number {
  return typeof text === "string" ? Date.parse(text) : Number.NaN;
}

/** Reads a dotted path (`spec.nodeName`) from a plain JSON object. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
