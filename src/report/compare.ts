// Deciding whether a write is needed: the desired report against the one on the server, ignoring what the
// server sets and what changes on every build (observedAt).
import type { PodHealthReport, ReportDiff } from "./types.js";

/** True when writing `desired` over `current` would change anything but observedAt and server-set fields. */
export function reportChanged(current: PodHealthReport | null | undefined, desired: PodHealthReport): boolean {
  const diff = reportDiff(current, desired);
  return diff.metadata || diff.spec || diff.status;
}

/**
 * Which parts differ. The main resource (metadata, spec) and the status subresource are separate writes, so
 * the caller can skip either. The builder owns only its own labels and the ownerReferences: labels someone
 * else added are not a difference. A desired report has no nulls (optional fields without a value are left
 * out), so a null in the current one is a difference: a report stored by a version that still wrote nulls is
 * rewritten once, after which it reads back equal.
 */
export function reportDiff(current: PodHealthReport | null | undefined, desired: PodHealthReport): ReportDiff {
  if (current == null) return { metadata: true, spec: true, status: true };
  const labels = current.metadata?.labels ?? {};
  const labelsDiffer = Object.entries(desired.metadata.labels).some(([k, v]) => labels[k] !== v);
  const comparableStatus = (r: PodHealthReport): unknown => ({ ...r.status, observedAt: undefined });
  return {
    metadata: labelsDiffer || !deepEqual(current.metadata?.ownerReferences ?? [], desired.metadata.ownerReferences),
    spec: !deepEqual(current.spec, desired.spec),
    status: !deepEqual(comparableStatus(current), comparableStatus(desired)),
  };
}

/** Structural equality of JSON values, where an undefined property is the same as a missing one (null is not). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object") return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) if (!deepEqual(ra[key], rb[key])) return false;
  return true;
}
