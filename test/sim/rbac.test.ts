// The simulated server's RBAC: request attributes as kube-apiserver derives them, the RBAC decision for a
// ServiceAccount, and the 403 a denied request gets over HTTP (discovery and /sim are never checked).
import { parseAllDocuments } from "yaml";
import {
  forbidden,
  grantCovers,
  grantsFor,
  isAllowed,
  parsePolicy,
  rbacAuthorizer,
  requestAttributes,
  type RbacPolicy,
  type RequestAttributes,
} from "../../src/sim/rbac.js";
import type { SimCluster } from "../../src/sim/index.js";
import { startTestCluster } from "./helpers.js";

const SA = { namespace: "ops", name: "bot" };
const USER = "system:serviceaccount:ops:bot";

type Row = [method: string, path: string, query: string, want: Partial<RequestAttributes>];

describe("requestAttributes", () => {
  const rows: Row[] = [
    ["GET", "/api/v1/pods", "", { verb: "list", apiGroup: "", apiVersion: "v1", resource: "pods", namespace: "", name: "" }],
    ["GET", "/api/v1/pods", "watch=true&resourceVersion=5", { verb: "watch", resource: "pods" }],
    ["GET", "/api/v1/namespaces/ns/pods", "watch=1", { verb: "watch", namespace: "ns" }],
    ["GET", "/api/v1/namespaces/ns/pods", "watch=false", { verb: "list" }],
    ["GET", "/api/v1/namespaces/ns/pods", "fieldSelector=metadata.name%3Dweb", { verb: "list", name: "web" }],
    ["GET", "/api/v1/namespaces/ns/pods", "fieldSelector=status.phase%3DRunning,metadata.name%3D%3Dweb", { verb: "list", name: "web" }],
    ["GET", "/api/v1/namespaces/ns/pods", "fieldSelector=metadata.name!%3Dweb", { verb: "list", name: "" }],
    ["GET", "/api/v1/namespaces/ns/pods/web", "", { verb: "get", namespace: "ns", resource: "pods", name: "web", subresource: "" }],
    // A watch parameter on a named object does not make it a watch: kube-apiserver only looks without a name.
    ["GET", "/api/v1/namespaces/ns/pods/web", "watch=true", { verb: "get", name: "web" }],
    ["HEAD", "/api/v1/namespaces/ns/pods/web", "", { verb: "get" }],
    ["POST", "/api/v1/namespaces/ns/pods", "", { verb: "create", name: "" }],
    ["PUT", "/api/v1/namespaces/ns/pods/web/status", "", { verb: "update", resource: "pods", subresource: "status", name: "web" }],
    ["PATCH", "/api/v1/namespaces/ns/pods/web", "", { verb: "patch" }],
    ["DELETE", "/api/v1/namespaces/ns/pods/web", "", { verb: "delete", name: "web" }],
    ["DELETE", "/api/v1/namespaces/ns/pods", "", { verb: "deletecollection", name: "" }],
    ["GET", "/apis/podhealth.io/v1alpha1/podhealthreports", "watch=true", { verb: "watch", apiGroup: "podhealth.io", apiVersion: "v1alpha1", resource: "podhealthreports" }],
    ["PUT", "/apis/podhealth.io/v1alpha1/namespaces/ns/podhealthreports/web/status", "", { verb: "update", namespace: "ns", resource: "podhealthreports", subresource: "status" }],
    ["PUT", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/x", "", { verb: "update", apiGroup: "coordination.k8s.io", namespace: "ops", resource: "leases", name: "x" }],
    // A namespace is named by its own path, and its status is its subresource.
    ["GET", "/api/v1/namespaces/ns", "", { verb: "get", namespace: "ns", resource: "namespaces", name: "ns" }],
    ["PUT", "/api/v1/namespaces/ns/status", "", { verb: "update", namespace: "ns", resource: "namespaces", name: "ns", subresource: "status" }],
    ["GET", "/api/v1/namespaces", "", { verb: "list", namespace: "", resource: "namespaces" }],
    // The deprecated verb-in-path form.
    ["GET", "/api/v1/watch/namespaces/ns/pods/web", "", { verb: "watch", namespace: "ns", resource: "pods", name: "web" }],
    ["OPTIONS", "/api/v1/pods", "", { resourceRequest: true, verb: "" }],
    // Not resource requests: discovery and everything outside /api and /apis.
    ["GET", "/api", "", { resourceRequest: false, verb: "get" }],
    ["GET", "/api/v1", "", { resourceRequest: false }],
    ["GET", "/apis", "", { resourceRequest: false }],
    ["GET", "/apis/podhealth.io/v1alpha1", "", { resourceRequest: false }],
    ["GET", "/version", "", { resourceRequest: false }],
    ["GET", "/openapi/v3/apis/podhealth.io/v1alpha1", "", { resourceRequest: false }],
    ["POST", "/healthz", "", { resourceRequest: false, verb: "post" }],
  ];
  test.each(rows)("%s %s?%s", (method, path, query, want) => {
    expect(requestAttributes(method, path, new URLSearchParams(query))).toMatchObject({ resourceRequest: true, subresource: "", ...want });
  });
});

const POLICY_YAML = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["podhealth.io"]
    resources: ["podhealthreports/status"]
    verbs: ["update"]
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["get"]
  - apiGroups: ["*"]
    resources: ["*/scale"]
    verbs: ["patch"]
  - nonResourceURLs: ["/metrics", "/debug/*"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: leases, namespace: ops}
rules:
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "update"]
    resourceNames: ["bot-lock"]
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: leases, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leases}
subjects: [{kind: ServiceAccount, name: bot}]
---
# A ClusterRole bound in one namespace grants only there; the Group subject covers every ServiceAccount.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: event-writer}
rules: [{apiGroups: [""], resources: ["events"], verbs: ["create", "patch"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: events, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: event-writer}
subjects: [{kind: Group, name: "system:serviceaccounts"}]
---
# Bindings for someone else, and to a role that does not exist, grant the bot nothing.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everything}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: bot, namespace: other}, {kind: User, name: alice}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: ops}
`;

function policyOf(text: string): RbacPolicy {
  return parsePolicy(parseAllDocuments(text).map((d) => d.toJS() as unknown));
}

describe("isAllowed", () => {
  const policy = policyOf(POLICY_YAML);
  const rows: Array<[what: string, method: string, path: string, query: string, allowed: boolean]> = [
    ["list pods cluster-wide", "GET", "/api/v1/pods", "", true],
    ["watch pods in a namespace", "GET", "/api/v1/namespaces/x/pods", "watch=true", true],
    ["get a pod's log (resource/subresource)", "GET", "/api/v1/namespaces/x/pods/p/log", "", true],
    ["pod status is a subresource not granted", "GET", "/api/v1/namespaces/x/pods/p/status", "", false],
    ["create a pod: verb not granted", "POST", "/api/v1/namespaces/x/pods", "", false],
    ["list pods in another group", "GET", "/apis/example.com/v1/pods", "", false],
    ["status subresource alone", "PUT", "/apis/podhealth.io/v1alpha1/namespaces/x/podhealthreports/r/status", "", true],
    ["the main resource is not its status", "PUT", "/apis/podhealth.io/v1alpha1/namespaces/x/podhealthreports/r", "", false],
    ["resources * includes subresources", "GET", "/apis/apps/v1/namespaces/x/deployments/d/status", "", true],
    ["*/scale in any group", "PATCH", "/apis/apps/v1/namespaces/x/deployments/d/scale", "", true],
    ["*/scale is not the object", "PATCH", "/apis/apps/v1/namespaces/x/deployments/d", "", false],
    ["the named lease in the Role's namespace", "PUT", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/bot-lock", "", true],
    ["another lease: resourceNames", "PUT", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/other", "", false],
    ["create has no name: a separate rule", "POST", "/apis/coordination.k8s.io/v1/namespaces/ops/leases", "", true],
    ["a RoleBinding grants nothing elsewhere", "PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/bot-lock", "", false],
    ["a RoleBinding grants nothing cluster-wide", "GET", "/apis/coordination.k8s.io/v1/leases", "", false],
    ["list with resourceNames is denied without a name", "GET", "/apis/coordination.k8s.io/v1/namespaces/ops/leases", "", false],
    ["a ClusterRole through a RoleBinding, by Group", "POST", "/api/v1/namespaces/apps/events", "", true],
    ["… only in the binding's namespace", "POST", "/api/v1/namespaces/ops/events", "", false],
    ["non-resource URL, exact", "GET", "/metrics", "", true],
    ["non-resource URL, prefix", "GET", "/debug/pprof/heap", "", true],
    ["non-resource URL, other", "GET", "/logs", "", false],
  ];
  test.each(rows)("%s", (_what, method, path, query, allowed) => {
    expect(isAllowed(policy, SA, requestAttributes(method, path, new URLSearchParams(query)))).toBe(allowed);
  });

  test("subjects: another ServiceAccount of the same name, and one with no bindings", () => {
    const list = requestAttributes("GET", "/api/v1/pods");
    expect(isAllowed(policy, { namespace: "elsewhere", name: "bot" }, list)).toBe(false);
    expect(isAllowed(policy, { namespace: "other", name: "bot" }, list)).toBe(true);
    expect(isAllowed(policyOf(""), SA, list)).toBe(false);
  });

  test("grantsFor lists one row per verb, group and resource, scoped as its binding", () => {
    const grants = grantsFor(policy, SA);
    expect(grants.filter((g) => g.role === "ClusterRole/reader" && g.resource === "pods").map((g) => g.verb)).toEqual(["get", "list", "watch"]);
    const leaseUpdate = grants.find((g) => g.resource === "leases" && g.verb === "update");
    expect(leaseUpdate).toMatchObject({ namespace: "ops", binding: "RoleBinding/leases", resourceNames: ["bot-lock"] });
    expect(grants.find((g) => g.resource === "events")).toMatchObject({ namespace: "apps", role: "ClusterRole/event-writer" });
    expect(grantCovers(leaseUpdate!, requestAttributes("PUT", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/bot-lock"))).toBe(true);
    expect(grantCovers(leaseUpdate!, requestAttributes("GET", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/bot-lock"))).toBe(false);
    expect(grantCovers(leaseUpdate!, requestAttributes("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/bot-lock"))).toBe(false);
  });
});

describe("forbidden", () => {
  const rows: Array<[method: string, path: string, message: string]> = [
    ["GET", "/api/v1/pods", `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" at the cluster scope`],
    [
      "PUT",
      "/apis/podhealth.io/v1alpha1/namespaces/x/podhealthreports/web/status",
      `podhealthreports.podhealth.io "web" is forbidden: User "${USER}" cannot update resource "podhealthreports/status" in API group "podhealth.io" in the namespace "x"`,
    ],
    ["GET", "/logs", `forbidden: User "${USER}" cannot get path "/logs"`],
  ];
  test.each(rows)("%s %s", (method, path, message) => {
    const err = forbidden(requestAttributes(method, path), USER);
    expect(err.code).toBe(403);
    expect(err.reason).toBe("Forbidden");
    expect(err.message).toBe(message);
  });
});

describe("the simulated server with an authorizer", () => {
  let cluster: SimCluster;
  const seen: Array<[string, boolean]> = [];
  beforeAll(async () => {
    const policy = policyOf(POLICY_YAML);
    cluster = await startTestCluster({ authorizer: rbacAuthorizer(policy, SA), onRequest: (a, allowed) => seen.push([`${a.verb} ${a.resource}`, allowed]) });
  });
  afterAll(() => cluster?.close());

  test("a denied request gets 403 with the real server's Status", async () => {
    const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i" }] } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "default"`,
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    expect(cluster.store.get("pods", "default", "p")).toBeUndefined();
    expect(seen).toContainEqual(["create pods", false]);
  });

  test("an allowed request is served", async () => {
    const res = await fetch(`${cluster.url}/api/v1/pods`);
    expect(res.status).toBe(200);
    expect(seen).toContainEqual(["list pods", true]);
  });

  test("discovery, /version, /openapi, health and /sim are not checked", async () => {
    const before = seen.length;
    for (const path of ["/api", "/api/v1", "/apis", "/apis/podhealth.io/v1alpha1", "/version", "/openapi/v3", "/openapi/v3/apis/podhealth.io/v1alpha1", "/healthz", "/sim/faults"]) {
      expect([path, (await fetch(`${cluster.url}${path}`)).status]).toEqual([path, 200]);
    }
    expect(seen.length).toBe(before);
  });
});
