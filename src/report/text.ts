// Bounding free text and normalising times, so that reports stay small and compare equal when nothing changed.

export const ELLIPSIS = "…";

/**
 * Cuts `text` to at most `max` code points, the last being an ellipsis when something was cut. Counts code points,
 * not UTF-16 units, so an emoji is never split into a lone surrogate the API server would reject.
 */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join("") + ELLIPSIS;
}

export function truncateOrNull(text: string | null | undefined, max: number): string | null {
  return text == null || text === "" ? null : truncate(text, max);
}

/** Milliseconds since the epoch, or null for a missing or unparseable time. */
export function parseTime(value: string | null | undefined): number | null {
  if (value == null || value === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * RFC3339 with second precision, as Kubernetes writes metav1.Time; sub-second event times (MicroTime) are cut
 * so that one instant always has one spelling in the report.
 */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
