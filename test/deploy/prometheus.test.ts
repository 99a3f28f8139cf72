// The alert rules as shipped: promtool accepts them, the PrometheusRule holds exactly the plain rules file's rules,
// every alert has a severity, a summary, a description and a runbook, and promtool's unit tests show each one
// firing and not firing. The ServiceMonitor names the job as the rules expect and scrapes the port the probes use.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { promtool } from "../metrics/promtool.js";
import { DEPLOY_DIR, MONITORING_DIR, ROOT, findOne, installManifests, readManifestFile, type Manifest } from "./helpers.js";

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}

const PROM_DIR = path.join(DEPLOY_DIR, "prometheus");
const RULES_FILE = path.join(PROM_DIR, "rules.yaml");
const rules = parse(readFileSync(RULES_FILE, "utf8")) as RuleFile;
const alerts = rules.groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const TESTS_DIR = path.join(ROOT, "test", "deploy", "prometheus");
const ALERTS = ["PodCrashLooping", "PodNotReady", "PodProbeFailing", "PodImagePullBackOff", "PodHealthOperatorDown", "PodHealthOperatorStale", "PodHealthOperatorNotReady"];

describe("alert rules", () => {
  it("are the seven alerts the project documents", () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([...ALERTS].sort());
  });

  it("are the same in the PrometheusRule as in the plain rules file", () => {
    const pr = findOne(readManifestFile(path.join(MONITORING_DIR, "prometheusrule.yaml")), "PrometheusRule");
    expect(pr.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(pr.spec).toEqual(rules);
  });

  const runbooks = readFileSync(path.join(ROOT, "docs", "alerts.md"), "utf8");
  it.each(ALERTS)("%s has a severity, a summary, a description that points at its runbook, and the runbook", (name) => {
    const a = alerts.find((x) => x.alert === name) as Rule;
    expect(["critical", "warning", "info"]).toContain(a.labels?.severity);
    expect(a.annotations?.summary).toEqual(expect.any(String));
    expect(a.annotations?.description).toContain(`docs/alerts.md#${name.toLowerCase()}`);
    expect(runbooks).toMatch(new RegExp(`^### ${name}$`, "m"));
  });

  const withPromtool = promtool() ? it : it.skip;
  withPromtool("pass promtool check rules", () => {
    const r = spawnSync("promtool", ["check", "rules", RULES_FILE], { encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${rules.groups.flatMap((g) => g.rules).length} rules found`);
    expect(r.status).toBe(0);
  });

  const unitTests = readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yaml"));
  withPromtool("have promtool unit tests in which every alert fires and, somewhere, does not", () => {
    const cases = unitTests.flatMap((f) => (parse(readFileSync(path.join(TESTS_DIR, f), "utf8")) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests);
    const checks = cases.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of ALERTS) {
      expect({ name, fires: checks.some((c) => c.alertname === name && c.exp_alerts.length > 0) }).toEqual({ name, fires: true });
      expect({ name, quiet: checks.some((c) => c.alertname === name && c.exp_alerts.length === 0) }).toEqual({ name, quiet: true });
    }
  });

  withPromtool.each(unitTests)("pass promtool test rules %s", (file) => {
    const r = spawnSync("promtool", ["test", "rules", file], { cwd: TESTS_DIR, encoding: "utf8" });
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: `Unit Testing:  ${file}\n  SUCCESS` });
  });
});

describe("ServiceMonitor", () => {
  type Deployment = Manifest & {
    spec: { template: { spec: { containers: Array<{ ports?: Array<{ name?: string }>; livenessProbe?: { httpGet?: { path: string; port: string } }; readinessProbe?: { httpGet?: { path: string; port: string } } }> } } };
  };
  const docs = installManifests();
  const deployment = findOne(docs, "Deployment") as Deployment;
  const monitor = findOne(docs, "ServiceMonitor") as Manifest & {
    spec: { jobLabel: string; selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; honorLabels?: boolean }> };
  };
  const service = findOne(docs, "Service", "pod-health-operator-metrics") as Manifest & { metadata: { labels: Record<string, string> }; spec: { ports: Array<{ name: string; targetPort: string }> } };
  const container = deployment.spec.template.spec.containers[0];

  it("selects the metrics Service and names the job as the rules expect", () => {
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[k]).toBe(v);
    expect(service.metadata.labels[monitor.spec.jobLabel]).toBe("pod-health-operator");
    expect(alerts.find((a) => a.alert === "PodHealthOperatorDown")?.expr).toContain('job="pod-health-operator"');
  });

  it("scrapes the metrics port with honorLabels, so the per-pod labels stay the monitored pod's", () => {
    const [endpoint] = monitor.spec.endpoints;
    const port = service.spec.ports.find((p) => p.name === endpoint.port);
    expect(container.ports?.map((p) => p.name)).toContain(port?.targetPort);
    expect(endpoint).toMatchObject({ path: "/metrics", honorLabels: true });
  });

  it("shares that port with the Deployment's liveness and readiness probes", () => {
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "metrics" });
  });
});
