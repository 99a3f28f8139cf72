// The benchmark's one table: a row per figure, with its goal and whether the run met it. Pure formatting.

export interface Row {
  section: string;
  what: string;
  value: string;
  /** The goal as the issue states it; empty when the row is context only. */
  goal?: string;
  /** true met, false missed, undefined no goal. */
  met?: boolean;
}

export function formatTable(rows: readonly Row[]): string {
  const header: Row = { section: "", what: "figure", value: "value", goal: "goal" };
  const cells = (r: Row): string[] => [r.what, r.value, r.goal ?? "", r.met === undefined ? "" : r.met ? "met" : "MISSED"];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 1 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd();
  const out: string[] = [line(cells(header)), widths.map((w) => "-".repeat(w)).join("  ")];
  let section = "";
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      out.push(`${section}:`);
    }
    out.push(line(cells({ ...r, what: `  ${r.what}` })));
  }
  return out.join("\n");
}

/** Quantile of a sample (nearest rank); NaN for an empty one. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const fmt = {
  ms: (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms` : "n/a"),
  s: (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} s` : "n/a"),
  us: (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 1 : 0)} µs` : "n/a"),
  mib: (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB` : "n/a"),
  kib: (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(2)} KiB` : "n/a"),
  ratio: (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : "n/a"),
  n: (v: number): string => (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : "n/a"),
};
