// The Grafana dashboard's queries, read from deploy/grafana/pod-health.json, with its variables substituted as
// Grafana would (a multi-value variable with "All" becomes its allValue regex).
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers.js";

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; allValue?: string; includeAll?: boolean; multi?: boolean; datasource?: { uid: string } }> };
}

export const DASHBOARD_FILE = path.join(ROOT, "deploy", "grafana", "pod-health.json");

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as Dashboard;
}

export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Grafana's built-in interval variables, as a dashboard at its default range would have them. */
const BUILTINS: Record<string, string> = { __rate_interval: "1m", __interval: "30s", __range: "6h" };

/** Every target's expression, `$namespace` replaced by `namespace` (a regex, like the "All" value `.*`). */
export function dashboardQueries(d: Dashboard, namespace: string): Array<{ panel: string; refId: string; expr: string }> {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      refId: t.refId,
      expr: t.expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => (name === "namespace" ? namespace : (BUILTINS[name] ?? whole))),
    })),
  );
}
