// Defensive readers for pod JSON: the engine is typed against `Pod`, but what arrives may have any shape,
// so every field goes through one of these before it is used. They never throw and never allocate.

const EMPTY: readonly unknown[] = Object.freeze([]);

/** The value when it is a plain object (not null, not an array), else undefined. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The value when it is an array, else a shared empty array. */
export function asArray(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : EMPTY;
}

/** The value when it is a string, else "" (Go's zero value, which is what kubectl sees for a missing field). */
export function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The value when it is a non-empty string, else null. */
export function asNonEmpty(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** A finite number truncated to an integer, else 0 (Go's int32 zero value). */
export function asInt(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}

const INT32_MAX = 2147483647;

/** A count: a non-negative integer no larger than Go's int32, else 0, so that sums stay exact integers. */
export function asCount(v: unknown): number {
  if (typeof v !== "number" || !(v > 0)) return 0;
  return v >= INT32_MAX ? INT32_MAX : Math.floor(v);
}
