// PodHealthReports as a person reads them: the rows `kubectl get phr -A` prints (the CRD's printer columns), a
// count of pods by health, and the order that puts the ones to look at first. Pure: time comes in as `nowMs`.
import { HEALTHS } from "../metrics/namespace-families.js"; // the verdicts in the metrics' order, without prom-client
import type { PodHealthReport } from "../report/index.js";
import { alignColumns } from "../explain/format.js";
import { ageText } from "../status/index.js";
import { tidy } from "../status/text.js";
import { healthColour, paint } from "./colour.js";

export const REPORT_HEADER = ["NAMESPACE", "NAME", "STATUS", "READY", "RESTARTS", "HEALTH", "CRASHLOOPS", "PROBE-FAILURES", "REASON", "AGE"] as const;

export interface ReportRow {
  namespace: string;
  name: string;
  status: string;
  ready: string;
  restarts: number;
  health: string;
  crashLoops: number;
  probeFailures: number;
  reason: string;
  age: string;
}

/** One report as a row, its age measured at `nowMs` (a report written before its status has none yet). */
export function reportRow(r: PodHealthReport, nowMs: number): ReportRow {
  const s = r.status;
  return {
    namespace: r.metadata.namespace,
    name: r.metadata.name,
    status: s?.status ?? "",
    ready: s?.ready ?? "",
    restarts: s?.restarts ?? 0,
    health: s?.health ?? "",
    crashLoops: s?.crashLoop?.count ?? 0,
    probeFailures: s?.probeFailures?.total ?? 0,
    reason: s?.reason ?? "",
    age: ageText(r.metadata.creationTimestamp, new Date(nowMs)),
  };
}

export function rowCells(row: ReportRow): string[] {
  return [row.namespace, row.name, row.status, row.ready, String(row.restarts), row.health, String(row.crashLoops), String(row.probeFailures), row.reason, row.age].map(tidy);
}

// Worst first: what needs a look comes to the top of a screen that cannot show every row.
const SEVERITY: Record<string, number> = { Unhealthy: 0, Failed: 1, Degraded: 2, Unknown: 3, Progressing: 4, Terminating: 5, Completed: 6, Healthy: 7 };

/** Rows sorted worst health first, then by namespace and name. */
export function worstFirst(rows: readonly ReportRow[]): ReportRow[] {
  return [...rows].sort((a, b) => (SEVERITY[a.health] ?? 3) - (SEVERITY[b.health] ?? 3) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * The table as lines (no newlines), header first, aligned as kubectl aligns, each cut to `width` characters and
 * then painted in its row's health colour when `colour` (cutting after painting could cut an escape code in two).
 */
export function tableLines(rows: readonly ReportRow[], colour: boolean, width = Infinity): string[] {
  const lines = alignColumns([[...REPORT_HEADER], ...rows.map(rowCells)]).split("\n").slice(0, rows.length + 1);
  return lines.map((line, i) => paint(line.slice(0, width), i === 0 ? "bold" : healthColour(rows[i - 1].health), colour));
}

/** How many of `rows` have each health, in the fixed order of HEALTHS, those with none left out. */
export function healthCounts(rows: readonly ReportRow[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.health, (counts.get(r.health) ?? 0) + 1);
  const known = HEALTHS.filter((h) => counts.has(h)).map((h): [string, number] => [h, counts.get(h)!]);
  const other = [...counts].filter(([h]) => !(HEALTHS as readonly string[]).includes(h)).sort();
  return [...known, ...other];
}

/** `30 pods: 17 Healthy, 4 Degraded, 5 Unhealthy, 4 without a report yet`, each count in its colour. */
export function summaryLine(podCount: number, rows: readonly ReportRow[], colour: boolean): string {
  const parts = healthCounts(rows).map(([h, n]) => paint(`${n} ${h}`, healthColour(h), colour));
  const waiting = podCount - rows.length;
  if (waiting > 0) parts.push(`${waiting} without a report yet`);
  return `${podCount} pod${podCount === 1 ? "" : "s"}: ${parts.length > 0 ? parts.join(", ") : "none yet"}`;
}
