// The built-in kinds served as plain stored objects: discovery as `kubectl api-resources` shows it on a 1.32 server,
// the defaults and conversions a real server applies, the validation it refuses with, and the table rows kubectl
// prints (kubernetes 1.32 pkg/printers/internalversion/printers.go).
import { ManualClock } from "../../src/sim/kubelet/clock.js";
import { apiResourceList } from "../../src/sim/discovery.js";
import { ResourceRegistry } from "../../src/sim/resources.js";
import { RestApi, type Target } from "../../src/sim/rest.js";
import { MemoryStore } from "../../src/sim/store.js";
import { toTable } from "../../src/sim/table.js";
import type { KubeObject } from "../../src/sim/types.js";
import { apiErrorOf } from "./helpers.js";

const NOW = Date.UTC(2025, 0, 1, 12);

function setup(): { rest: RestApi; store: MemoryStore; registry: ResourceRegistry; clock: ManualClock } {
  const registry = new ResourceRegistry();
  const clock = new ManualClock(NOW);
  const store = new MemoryStore({ registry, clock });
  store.create("namespaces", { metadata: { name: "default" } });
  return { rest: new RestApi(store), store, registry, clock };
}

function target(registry: ResourceRegistry, key: string, name?: string): Target {
  const info = registry.get(key)!;
  return { info, version: info.versions[0], namespace: info.namespaced ? "default" : undefined, name, subresource: undefined };
}


const labels = { app: "web" };
const template = { metadata: { labels }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } };

describe("discovery", () => {
  // `kubectl api-resources` on a 1.32 cluster: NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND.
  test.each([
    ["", "v1", "configmaps", ["cm"], true, "ConfigMap"],
    ["", "v1", "secrets", [], true, "Secret"],
    ["", "v1", "serviceaccounts", ["sa"], true, "ServiceAccount"],
    ["", "v1", "services", ["svc"], true, "Service"],
    ["apps", "v1", "deployments", ["deploy"], true, "Deployment"],
    ["apps", "v1", "statefulsets", ["sts"], true, "StatefulSet"],
    ["rbac.authorization.k8s.io", "v1", "clusterrolebindings", [], false, "ClusterRoleBinding"],
    ["rbac.authorization.k8s.io", "v1", "clusterroles", [], false, "ClusterRole"],
    ["rbac.authorization.k8s.io", "v1", "rolebindings", [], true, "RoleBinding"],
    ["rbac.authorization.k8s.io", "v1", "roles", [], true, "Role"],
    ["networking.k8s.io", "v1", "networkpolicies", ["netpol"], true, "NetworkPolicy"],
    ["policy", "v1", "poddisruptionbudgets", ["pdb"], true, "PodDisruptionBudget"],
  ])("%s/%s %s", (group, version, plural, shortNames, namespaced, kind) => {
    const list = apiResourceList(new ResourceRegistry(), group, version) as { resources: Array<{ name: string; shortNames?: string[]; namespaced: boolean; kind: string }> };
    const entry = list.resources.find((r) => r.name === plural);
    expect(entry).toMatchObject({ namespaced, kind });
    expect(entry?.shortNames ?? []).toEqual(shortNames);
  });

  test("deployments, statefulsets and services are in the `all` category and have a status subresource", () => {
    const apps = apiResourceList(new ResourceRegistry(), "apps", "v1") as { resources: Array<{ name: string; categories?: string[] }> };
    expect(apps.resources.map((r) => r.name)).toEqual(["deployments", "deployments/status", "statefulsets", "statefulsets/status"]);
    expect(apps.resources[0].categories).toEqual(["all"]);
  });
});

describe("defaults and conversions", () => {
  test("a Secret's stringData is folded into data as base64 and its type defaults to Opaque", () => {
    const { rest, registry } = setup();
    const s = rest.create(target(registry, "secrets"), { metadata: { name: "s" }, data: { a: "YQ==" }, stringData: { a: "override", b: "two" } }, false);
    expect(s).toMatchObject({ type: "Opaque", data: { a: Buffer.from("override").toString("base64"), b: "dHdv" } });
    expect(s.stringData).toBeUndefined();
  });

  test("a Service gets its type, a cluster IP kept across updates, protocol and targetPort", () => {
    const { rest, registry } = setup();
    const svc = rest.create(target(registry, "services"), { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 80 }] } }, false);
    const spec = svc.spec as { type: string; clusterIP: string; clusterIPs: string[]; sessionAffinity: string; ports: object[] };
    expect(spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None", ports: [{ port: 80, protocol: "TCP", targetPort: 80 }] });
    expect(spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    const updated = rest.update(target(registry, "services", "web"), { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 8080 }] } }, false);
    expect((updated.spec as { clusterIP: string }).clusterIP).toBe(spec.clusterIP);
  });

  test("a Deployment gets replicas, strategy, history limit and progress deadline; a NetworkPolicy its policyTypes", () => {
    const { rest, registry } = setup();
    const d = rest.create(target(registry, "deployments.apps"), { metadata: { name: "web" }, spec: { selector: { matchLabels: labels }, template } }, false);
    expect(d.spec).toMatchObject({ replicas: 1, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    expect(d.metadata?.generation).toBe(1);
    const np = rest.create(target(registry, "networkpolicies.networking.k8s.io"), { metadata: { name: "deny" }, spec: { podSelector: {}, egress: [{}] } }, false);
    expect((np.spec as { policyTypes: string[] }).policyTypes).toEqual(["Ingress", "Egress"]);
  });

  test("namespaces carry their name as the kubernetes.io/metadata.name label", () => {
    const { rest, registry } = setup();
    const ns = rest.create(target(registry, "namespaces"), { metadata: { name: "demo" } }, false);
    expect(ns.metadata?.labels).toEqual({ "kubernetes.io/metadata.name": "demo" });
  });
});

describe("validation (pkg/apis/*/validation at 1.32)", () => {
  const { rest, registry } = setup();
  const create = (key: string, body: object): (() => KubeObject) => () => rest.create(target(registry, key), body, false);

  test.each([
    ["deployments.apps", { metadata: { name: "d" }, spec: { template } }, "spec.selector: Required value"],
    ["deployments.apps", { metadata: { name: "d" }, spec: { selector: { matchLabels: { app: "other" } }, template } }, "`selector` does not match template `labels`"],
    ["statefulsets.apps", { metadata: { name: "s" }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app" }] } } } }, "spec.template.spec.containers[0].image: Required value"],
    ["services", { metadata: { name: "svc" }, spec: { ports: [{ port: 70000 }] } }, "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"],
    ["services", { metadata: { name: "svc" }, spec: { ports: [{ port: 80 }, { port: 81 }] } }, "spec.ports[0].name: Required value"],
    ["services", { metadata: { name: "1svc" }, spec: { ports: [{ port: 80 }] } }, "a DNS-1035 label must consist of"],
    ["configmaps", { metadata: { name: "c" }, data: { "bad key": "x" } }, "data[bad key]: Invalid value"],
    ["secrets", { metadata: { name: "s" }, type: "kubernetes.io/tls", data: { "tls.crt": "eA==" } }, "data[tls.key]: Required value"],
    ["roles.rbac.authorization.k8s.io", { metadata: { name: "r" }, rules: [{ apiGroups: [""], resources: ["pods"] }] }, "rules[0].verbs: Required value"],
    ["roles.rbac.authorization.k8s.io", { metadata: { name: "r" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] }, "namespaced rules cannot apply to non-resource URLs"],
    ["clusterrolebindings.rbac.authorization.k8s.io", { metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa" }] }, 'roleRef.kind: Unsupported value: "Role"'],
    ["clusterrolebindings.rbac.authorization.k8s.io", { metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa" }] }, "subjects[0].namespace: Required value"],
    ["poddisruptionbudgets.policy", { metadata: { name: "p" }, spec: { minAvailable: 1, maxUnavailable: "50%" } }, "minAvailable and maxUnavailable cannot be both set"],
  ])("%s is refused: %s", (key, body, message) => {
    const refusal = apiErrorOf(create(key, body));
    expect(refusal.code).toBe(422);
    expect(refusal.message).toContain(message);
  });

  test("data that would not decode is a 400: a Secret value that is not base64, a ConfigMap value that is not a string", () => {
    expect(apiErrorOf(create("secrets", { metadata: { name: "s" }, data: { a: "not base64!" } })).code).toBe(400);
    expect(apiErrorOf(create("configmaps", { metadata: { name: "c" }, data: { a: 1 } })).code).toBe(400);
  });

  test("RBAC names may be any path segment: `system:` names are accepted as on a real server", () => {
    expect(create("clusterroles.rbac.authorization.k8s.io", { metadata: { name: "system:aggregate-to-view" }, rules: [] })().metadata?.name).toBe("system:aggregate-to-view");
  });

  test("updates may not change a Deployment selector, a binding's roleRef, a Secret's type, or immutable data", () => {
    const update = (key: string, name: string, body: object): { code: number; message: string } => apiErrorOf(() => rest.update(target(registry, key, name), body, false));
    create("deployments.apps", { metadata: { name: "web" }, spec: { selector: { matchLabels: labels }, template } })();
    expect(update("deployments.apps", "web", { metadata: { name: "web" }, spec: { selector: { matchLabels: { ...labels, v: "2" } }, template: { ...template, metadata: { labels: { ...labels, v: "2" } } } } }).message).toContain("spec.selector: Invalid value");
    const ref = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" };
    create("rolebindings.rbac.authorization.k8s.io", { metadata: { name: "rb" }, roleRef: ref })();
    expect(update("rolebindings.rbac.authorization.k8s.io", "rb", { metadata: { name: "rb" }, roleRef: { ...ref, name: "edit" } }).message).toContain("cannot change roleRef");
    create("secrets", { metadata: { name: "frozen" }, immutable: true, data: { a: "YQ==" } })();
    expect(update("secrets", "frozen", { metadata: { name: "frozen" }, immutable: true, data: { a: "Yg==" } }).message).toContain("data: Forbidden: field is immutable when `immutable` is set");
    expect(update("secrets", "frozen", { metadata: { name: "frozen" }, immutable: true, type: "kubernetes.io/basic-auth", data: { a: "YQ==", username: "dQ==" } }).message).toContain("type: Invalid value");
  });
});

describe("tables", () => {
  const { rest, registry, clock } = setup();
  const rowOf = (key: string, body: object): unknown[] => {
    const t = target(registry, key);
    const obj = rest.create(t, body, false);
    return toTable(t.info, t.version, [obj], {}, { now: clock.now() + 90_000, includeObject: "None" }).rows[0].cells;
  };
  const headerOf = (key: string): string[] => toTable(registry.get(key)!, "v1", [], {}, { now: NOW, includeObject: "None" }).columnDefinitions.map((c) => c.name);

  test.each([
    ["deployments.apps", ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]],
    ["statefulsets.apps", ["Name", "Ready", "Age", "Containers", "Images"]],
    ["services", ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]],
    ["configmaps", ["Name", "Data", "Age"]],
    ["secrets", ["Name", "Type", "Data", "Age"]],
    ["serviceaccounts", ["Name", "Secrets", "Age"]],
    ["roles.rbac.authorization.k8s.io", ["Name", "Created At"]],
    ["rolebindings.rbac.authorization.k8s.io", ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]],
    ["networkpolicies.networking.k8s.io", ["Name", "Pod-Selector", "Age"]],
    ["poddisruptionbudgets.policy", ["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]],
  ])("%s columns", (key, columns) => {
    expect(headerOf(key)).toEqual(columns);
  });

  test("rows", () => {
    expect(rowOf("deployments.apps", { metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: labels, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] }, template: { metadata: { labels: { ...labels, tier: "a" } }, spec: template.spec } } })).toEqual([
      "web",
      "0/2",
      0,
      0,
      "90s",
      "app",
      "nginx:1.27",
      "app=web,tier in (a,b)",
    ]);
    const svc = rowOf("services", { metadata: { name: "api" }, spec: { type: "NodePort", selector: labels, ports: [{ port: 80, nodePort: 30080 }] } });
    expect([svc[0], svc[1], svc[3], svc[4], svc[6]]).toEqual(["api", "NodePort", "<none>", "80:30080/TCP", "app=web"]);
    expect(rowOf("secrets", { metadata: { name: "s" }, stringData: { a: "1", b: "2" } })).toEqual(["s", "Opaque", 2, "90s"]);
    expect(rowOf("configmaps", { metadata: { name: "c" }, data: { a: "1" }, binaryData: { b: "AA==" } })).toEqual(["c", 2, "90s"]);
    expect(
      rowOf("rolebindings.rbac.authorization.k8s.io", {
        metadata: { name: "rb" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
        subjects: [
          { kind: "ServiceAccount", name: "op", namespace: "ops" },
          { kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" },
        ],
      }),
    ).toEqual(["rb", "Role/reader", "90s", "jane", "", "ops/op"]);
    expect(rowOf("poddisruptionbudgets.policy", { metadata: { name: "p" }, spec: { minAvailable: "50%" } })).toEqual(["p", "50%", "N/A", 0, "90s"]);
  });
});
