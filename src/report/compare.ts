// Deciding whether a write is needed: the desired report against the one on the server, ignoring what the
// server sets and what changes on every build (observedAt).
import { createHash } from "node:crypto";
import type { PodHealthReport, ReportDiff, ReportStatus } from "./types.js";

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
  return {
    metadata: labelsDiffer || !deepEqual(current.metadata?.ownerReferences ?? [], desired.metadata.ownerReferences),
    spec: !deepEqual(current.spec, desired.spec),
    status: !deepEqual(comparableStatus(current.status), comparableStatus(desired.status)),
  };
}

/** What a status write changes: all of the status but observedAt. */
function comparableStatus(status: ReportStatus | undefined): unknown {
  return status === undefined ? undefined : { ...status, observedAt: undefined };
}

/**
 * A digest of the comparable status: two statuses have the same fingerprint exactly when `reportDiff` finds no
 * status difference between them (keys in any order, an undefined property the same as a missing one, null
 * not), so a cache can keep the digest instead of the status to decide whether a status write is needed. A
 * number (48 bits of SHA-1), so that it costs a cache no string per report.
 */
export function statusFingerprint(status: ReportStatus | undefined): number {
  return fingerprint(canonicalJson(comparableStatus(status)));
}

/** 48 bits of the SHA-1 of `text`, as a number. */
export function fingerprint(text: string): number {
  return createHash("sha1").update(text).digest().readUIntBE(0, 6);
}

/** JSON with the keys of every object in sorted order and undefined properties left out (JSON.stringify's rule). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i > 0 ? "," : "") + (v[i] === undefined ? "null" : canonicalJson(v[i]));
    return out + "]";
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === "function") continue;
    out += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(x);
    first = false;
  }
  return out + "}";
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
