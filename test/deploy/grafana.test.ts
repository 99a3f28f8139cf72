// The Grafana dashboard as a file: a current schema, datasource and namespace as variables, every panel on the
// datasource variable, every query on metrics the operator exports and with nothing left unsubstituted. That every
// query runs is checked against a real Prometheus in prometheus-live.test.ts.
import { POD_FAMILIES, NAMESPACE_FAMILIES } from "../../src/metrics/index.js";
import { allPanels, dashboardQueries, readDashboard } from "./dashboard.js";

const d = readDashboard();

describe("Grafana dashboard", () => {
  it("uses a current schema, with datasource and namespace variables", () => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(d.uid).toBe("pod-health-operator");
    const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(vars.namespace).toMatchObject({ type: "query", multi: true, includeAll: true, allValue: ".*", datasource: { uid: "${datasource}" } });
  });

  it("has unique panel ids, and every panel and target on the datasource variable", () => {
    const panels = allPanels(d);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((x) => x.type !== "row")) {
      expect({ panel: p.title, ds: p.datasource?.uid }).toEqual({ panel: p.title, ds: "${datasource}" });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe("${datasource}");
    }
  });

  it("shows what the issue asks for", () => {
    const titles = allPanels(d).map((p) => p.title);
    for (const t of ["Pods by health, per namespace", "Pods by status, per namespace", "Crash-looping containers now", "Top restarting containers", "Probe failures by probe", "Reconcile latency", "Work queue depth", "Report writes"]) {
      expect(titles).toContain(t);
    }
  });

  it("queries only metrics the operator exports, filters per-pod ones by namespace, and leaves no variable behind", () => {
    const exported = new Set<string>([
      ...POD_FAMILIES.map((f) => f.name),
      NAMESPACE_FAMILIES.pods.name,
      NAMESPACE_FAMILIES.byHealth.name,
      "podhealth_reconcile_duration_seconds_bucket",
      "podhealth_reconcile_errors_total",
      "podhealth_workqueue_depth",
      "podhealth_report_writes_total",
      "podhealth_watch_restarts_total",
      "podhealth_last_sync_timestamp_seconds",
      "podhealth_leader",
      "podhealth_ready",
    ]);
    const perPod = new Set<string>([...POD_FAMILIES.map((f) => f.name), NAMESPACE_FAMILIES.pods.name, NAMESPACE_FAMILIES.byHealth.name]);
    for (const q of dashboardQueries(d, "NS")) {
      expect(q.expr).not.toMatch(/\$/);
      for (const m of q.expr.matchAll(/\b(podhealth_\w+)(\{[^}]*\})?/g)) {
        expect({ panel: q.panel, metric: m[1], known: exported.has(m[1]) }).toEqual({ panel: q.panel, metric: m[1], known: true });
        if (perPod.has(m[1])) expect({ panel: q.panel, metric: m[1], selector: m[2] }).toEqual({ panel: q.panel, metric: m[1], selector: expect.stringContaining('namespace=~"NS"') });
      }
    }
  });
});
