// What the demo shows, as pure functions of the reports: a full screen for a terminal (redrawn in place) and, with
// no terminal, plain lines in the manner of `kubectl get -w`: the header once, then a row each time a report
// changes, and the summary each time it changes.
import { reportRow, summaryLine, tableLines, worstFirst, type ReportRow } from "../table/reports.js";
import type { PodHealthReport } from "../report/index.js";

export interface Frame {
  reports: readonly PodHealthReport[];
  podCount: number;
  /** The cluster's clock, for ages. */
  nowMs: number;
}

export interface ScreenSize {
  rows: number;
  columns: number;
}

/** The whole screen: the intro lines, the summary, then the table worst-first, cut to the screen's size. */
export function screenLines(frame: Frame, intro: readonly string[], size: ScreenSize, colour: boolean): string[] {
  const rows = worstFirst(frame.reports.map((r) => reportRow(r, frame.nowMs)));
  const top = [...intro.map((l) => l.slice(0, size.columns)), summaryLine(frame.podCount, rows, colour), ""];
  // Room for the header and, when rows are left out, a line that says how many.
  const room = Math.max(1, size.rows - top.length - 2);
  const shown = rows.length > room ? rows.slice(0, room) : rows;
  const more = rows.length - shown.length;
  return [...top, ...tableLines(shown, colour, size.columns), ...(more > 0 ? [`… ${more} more (kubectl get phr -A shows them all)`.slice(0, size.columns)] : [])];
}

/** A row as it is compared between frames: everything but its age, which changes every second. */
function rowKey(row: ReportRow): string {
  return JSON.stringify({ ...row, age: "" });
}

export interface PlainState {
  rows: Map<string, string>;
  summary: string;
  headerShown: boolean;
}

export function plainState(): PlainState {
  return { rows: new Map(), summary: "", headerShown: false };
}

/**
 * The lines to print for `frame` given what was printed before (updated in place): the table header the first
 * time, the rows that are new or changed (namespace/name order), and the summary when it changed. Rows are
 * aligned with the header, so columns line up within one batch; a later, wider cell shifts its own line only.
 */
export function plainLines(frame: Frame, state: PlainState): string[] {
  const rows = frame.reports.map((r) => reportRow(r, frame.nowMs)).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const changed: ReportRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const id = `${row.namespace}/${row.name}`;
    seen.add(id);
    const key = rowKey(row);
    if (state.rows.get(id) !== key) changed.push(row);
    state.rows.set(id, key);
  }
  // Bounded by the reports that exist: a deleted report's memory goes with it.
  for (const id of state.rows.keys()) if (!seen.has(id)) state.rows.delete(id);
  const out: string[] = [];
  if (changed.length > 0 || !state.headerShown) {
    const lines = tableLines(changed, false);
    out.push(...(state.headerShown ? lines.slice(1) : lines));
    state.headerShown = true;
  }
  const summary = summaryLine(frame.podCount, rows, false);
  if (summary !== state.summary) out.push(summary);
  state.summary = summary;
  return out;
}
