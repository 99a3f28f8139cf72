// Output of `explain`: one derived result per pod, printed as a kubectl-style table, JSON or YAML.
import { stringify } from "yaml";
import { ageText, derivePodStatus, type DerivedPodStatus, type Pod } from "../status/index.js";
import { tidy } from "../status/text.js";

export type OutputFormat = "table" | "json" | "yaml";

/** What `explain` reports for one pod: its name, its namespace and everything derivePodStatus says. */
export interface ExplainedPod extends DerivedPodStatus {
  name: string | null;
  namespace: string | null;
}

function text(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

export interface ExplainRow {
  pod: ExplainedPod;
  age: string;
}

/** Derives every pod at `now`, in input order. */
export function explainPods(pods: readonly Pod[], now: Date): ExplainRow[] {
  return pods.map((pod) => {
    const meta = typeof pod === "object" && pod !== null ? pod.metadata : undefined;
    const m = typeof meta === "object" && meta !== null ? meta : undefined;
    return {
      pod: { name: text(m?.name), namespace: text(m?.namespace), ...derivePodStatus(pod, now) },
      age: ageText(m?.creationTimestamp, now),
    };
  });
}

export const TABLE_HEADER = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "HEALTH", "REASON"] as const;

/**
 * Lays cells out as kubectl does (Go's tabwriter with padding 3): each column left-aligned and as wide as its
 * widest cell plus three spaces, the last column not padded.
 */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join(""))
    .map((line) => line + "\n")
    .join("");
}

export function formatTable(rows: readonly ExplainRow[]): string {
  // A cell with a line break or a tab in it (only a malformed pod has one) would break the table's lines.
  const cells = rows.map(({ pod, age }) =>
    [pod.name ?? "<none>", pod.ready, pod.status, pod.restartsText, age, pod.health, pod.reason ?? "<none>"].map(tidy),
  );
  return alignColumns([[...TABLE_HEADER], ...cells]);
}

export function formatJson(rows: readonly ExplainRow[]): string {
  return JSON.stringify(rows.map((r) => r.pod), null, 2) + "\n";
}

export function formatYaml(rows: readonly ExplainRow[]): string {
  return stringify(rows.map((r) => r.pod), { lineWidth: 0 });
}

export function formatRows(rows: readonly ExplainRow[], format: OutputFormat): string {
  if (format === "json") return formatJson(rows);
  if (format === "yaml") return formatYaml(rows);
  return formatTable(rows);
}
