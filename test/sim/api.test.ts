// Conformance-style checks of the simulated API server's REST behaviour, driven by @kubernetes/client-node 2.x
// as the controller drives it: CRUD, selectors, paging, the patch types, subresources, errors, event views,
// custom resources and their CRDs.
import {
  ApiextensionsV1Api,
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from "@kubernetes/client-node";
import type { SimCluster } from "../../src/sim/index.js";
import { kubeConfigOf, pod, startTestCluster } from "./helpers.js";

let cluster: SimCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  cluster = await startTestCluster();
  const kc = kubeConfigOf(cluster);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await cluster.close();
});

async function statusOf(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined; headers: Record<string, string> }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) {
      const body = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as { reason?: string };
      return { code: err.code, reason: body?.reason, headers: err.headers };
    }
    throw err;
  }
  throw new Error("expected the call to fail");
}

async function getJson(path: string, accept = "application/json"): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(cluster.url + path, { headers: { Accept: accept } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("discovery", () => {
  test("serves legacy discovery documents, with plain JSON even when aggregated discovery is asked for", async () => {
    const res = await fetch(`${cluster.url}/apis`, { headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" } });
    expect(res.headers.get("content-type")).toBe("application/json");
    const groups = ((await res.json()) as { kind: string; groups: Array<{ name: string }> }).groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(["coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io", "example.com", "podhealth.io"]));
    const v1 = (await getJson("/api/v1")).body as { resources: Array<{ name: string; namespaced: boolean; kind: string }> };
    expect(v1.resources.map((r) => r.name)).toEqual(expect.arrayContaining(["pods", "pods/status", "namespaces", "events"]));
    const widgets = (await getJson("/apis/example.com/v1")).body as { resources: Array<{ name: string; shortNames?: string[] }> };
    expect(widgets.resources.find((r) => r.name === "widgets")?.shortNames).toEqual(["wg"]);
    expect((await getJson("/version")).body.gitVersion).toMatch(/^v1\.32\./);
    expect((await getJson("/api")).body.versions).toEqual(["v1"]);
    expect((await getJson("/apis/nope.io/v1")).status).toBe(404);
  });
});

describe("representations", () => {
  test("Table lists with includeObject, PartialObjectMetadataList, dryRun=All stores nothing", async () => {
    await core.createNamespace({ body: { metadata: { name: "rep" } } });
    await core.createNamespacedPod({ namespace: "rep", body: pod("r1", { nodeName: "n1" }) });
    const table = await getJson("/api/v1/namespaces/rep/pods?includeObject=Object", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
    expect(table.body.kind).toBe("Table");
    const rows = table.body.rows as Array<{ cells: unknown[]; object: { kind: string; spec: unknown } }>;
    expect(rows[0].cells.slice(0, 3)).toEqual(["r1", "0/1", "Pending"]);
    expect(rows[0].object.kind).toBe("Pod");
    const meta = await getJson("/api/v1/namespaces/rep/pods", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json");
    expect(meta.body.kind).toBe("PartialObjectMetadataList");
    expect((meta.body.items as Array<{ metadata: { name: string } }>)[0].metadata.name).toBe("r1");
    const dry = await core.createNamespacedPod({ namespace: "rep", body: pod("dry"), dryRun: "All" });
    expect(dry.metadata?.name).toBe("dry");
    expect(cluster.store.get("pods", "rep", "dry")).toBeUndefined();
  });
});

describe("pods through CoreV1Api", () => {
  test("create, get, list with selectors; default and kube-system exist", async () => {
    const namespaces = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(namespaces).toEqual(expect.arrayContaining(["default", "kube-system"]));
    await core.createNamespace({ body: { metadata: { name: "sel" } } });
    await core.createNamespacedPod({ namespace: "sel", body: pod("a", { labels: { app: "web", tier: "front" }, nodeName: "n1" }) });
    await core.createNamespacedPod({ namespace: "sel", body: pod("b", { labels: { app: "web" }, nodeName: "n2" }) });
    await core.createNamespacedPod({ namespace: "sel", body: pod("c", { labels: { app: "db" } }) });
    const created = await core.readNamespacedPod({ namespace: "sel", name: "a" });
    expect(created.status?.phase).toBe("Pending");
    expect(created.metadata?.uid).toBeDefined();
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await core.listNamespacedPod({ namespace: "sel", labelSelector, fieldSelector })).items.map((p) => p.metadata?.name ?? "");
    expect(await names("app=web")).toEqual(["a", "b"]);
    expect(await names("app in (db),!tier")).toEqual(["c"]);
    expect(await names(undefined, "spec.nodeName=n2")).toEqual(["b"]);
    expect(await names("app=web", "metadata.name!=a")).toEqual(["b"]);
    const all = await core.listPodForAllNamespaces({ fieldSelector: "metadata.namespace=sel" });
    expect(all.items).toHaveLength(3);
    expect(Number(all.metadata?.resourceVersion)).toBe(Number(cluster.store.currentResourceVersion()));
  });

  test("errors: 404, 409 AlreadyExists, 409 Conflict, 422 Invalid, 400 bad selector, 404 missing namespace", async () => {
    expect(await statusOf(core.readNamespacedPod({ namespace: "default", name: "ghost" }))).toMatchObject({ code: 404, reason: "NotFound" });
    await core.createNamespacedPod({ namespace: "default", body: pod("dup") });
    expect(await statusOf(core.createNamespacedPod({ namespace: "default", body: pod("dup") }))).toMatchObject({ code: 409, reason: "AlreadyExists" });
    const current = await core.readNamespacedPod({ namespace: "default", name: "dup" });
    await core.replaceNamespacedPod({ namespace: "default", name: "dup", body: { ...current, metadata: { ...current.metadata, labels: { v: "1" } } } });
    expect(await statusOf(core.replaceNamespacedPod({ namespace: "default", name: "dup", body: { ...current, metadata: { ...current.metadata, labels: { v: "2" } } } }))).toMatchObject({
      code: 409,
      reason: "Conflict",
    });
    expect(await statusOf(core.createNamespacedPod({ namespace: "default", body: { metadata: {}, spec: { containers: [{ name: "c", image: "i" }] } } }))).toMatchObject({
      code: 422,
      reason: "Invalid",
    });
    expect(await statusOf(core.createNamespacedPod({ namespace: "default", body: { metadata: { name: "nocontainers" }, spec: { containers: [] } } }))).toMatchObject({ code: 422 });
    expect(await statusOf(core.listNamespacedPod({ namespace: "default", labelSelector: "a in (b" }))).toMatchObject({ code: 400, reason: "BadRequest" });
    expect(await statusOf(core.listNamespacedPod({ namespace: "default", fieldSelector: "spec.image=x" }))).toMatchObject({ code: 400 });
    expect(await statusOf(core.createNamespacedPod({ namespace: "missing", body: pod("x") }))).toMatchObject({ code: 404, reason: "NotFound" });
  });

  test("bad JSON and a wrong kind are 400 BadRequest, as on the real server", async () => {
    const post = (body: string): Promise<Response> => fetch(`${cluster.url}/api/v1/namespaces/default/pods`, { method: "POST", body, headers: { "Content-Type": "application/json" } });
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    const wrongKind = await post(JSON.stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } }));
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as { kind: string }).kind).toBe("Status");
  });

  test("paging with limit and continue returns every pod once, in name order, at one resourceVersion", async () => {
    await core.createNamespace({ body: { metadata: { name: "paging" } } });
    const expected: string[] = [];
    for (let i = 0; i < 25; i++) {
      const name = `p-${String(i).padStart(2, "0")}`;
      expected.push(name);
      await core.createNamespacedPod({ namespace: "paging", body: pod(name) });
    }
    const seen: string[] = [];
    const versions = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({ namespace: "paging", limit: 10, _continue: token });
      seen.push(...page.items.map((p) => p.metadata?.name ?? ""));
      versions.add(page.metadata?.resourceVersion ?? "");
      token = page.metadata?._continue;
      if (pages === 0) expect(page.metadata?.remainingItemCount).toBe(15);
      pages++;
      // A write between pages changes the store but not the list's version.
      if (pages === 1) await core.createNamespacedPod({ namespace: "default", body: pod("between-pages") });
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(versions.size).toBe(1);
    expect(await statusOf(core.listNamespacedPod({ namespace: "paging", limit: 10, _continue: "garbage" }))).toMatchObject({ code: 400 });
  });

  test("a list at resourceVersion 0 comes whole from the watch cache, limit or not (cacher.go shouldDelegateList)", async () => {
    const whole = await core.listNamespacedPod({ namespace: "paging", resourceVersion: "0", limit: 10 });
    expect(whole.items).toHaveLength(25);
    expect(whole.metadata?._continue).toBeUndefined();
    // Any other version with a limit is a paged read from etcd.
    const paged = await core.listNamespacedPod({ namespace: "paging", resourceVersion: whole.metadata?.resourceVersion, limit: 10 });
    expect(paged.items).toHaveLength(10);
    expect(paged.metadata?._continue).toBeTruthy();
  });

  test("a paged list started before a compaction gets 410 Expired", async () => {
    const first = await core.listNamespacedPod({ namespace: "paging", limit: 5 });
    await core.createNamespacedPod({ namespace: "default", body: pod("after-first-page") });
    cluster.faults.compact();
    expect(await statusOf(core.listNamespacedPod({ namespace: "paging", limit: 5, _continue: first.metadata?._continue }))).toMatchObject({ code: 410, reason: "Expired" });
  });

  test("patch types: merge, strategic, JSON patch with test, server-side apply (create and update)", async () => {
    await core.createNamespacedPod({ namespace: "default", body: { ...pod("patchme"), spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] } } });
    const merge = await core.patchNamespacedPod(
      { namespace: "default", name: "patchme", body: { metadata: { labels: { merged: "yes" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merge.metadata?.labels).toEqual({ merged: "yes" });
    const strategic = await core.patchNamespacedPod(
      { namespace: "default", name: "patchme", body: { spec: { containers: [{ name: "b", image: "b:2" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.containers.map((c) => c.image)).toEqual(["a:1", "b:2"]);
    expect(strategic.metadata?.generation).toBe(2);
    const json = await core.patchNamespacedPod({
      namespace: "default",
      name: "patchme",
      body: [
        { op: "test", path: "/metadata/labels/merged", value: "yes" },
        { op: "replace", path: "/spec/containers/0/image", value: "a:2" },
      ],
    });
    expect(json.spec?.containers[0].image).toBe("a:2");
    expect(
      await statusOf(core.patchNamespacedPod({ namespace: "default", name: "patchme", body: [{ op: "test", path: "/metadata/labels/merged", value: "no" }] })),
    ).toMatchObject({ code: 422 });

    const applied = await core.patchNamespacedPod(
      { namespace: "default", name: "applied", fieldManager: "test", force: true, body: { apiVersion: "v1", kind: "Pod", metadata: { name: "applied", labels: { v: "1" } }, spec: { containers: [{ name: "c", image: "c:1" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(applied.metadata?.uid).toBeDefined();
    const reapplied = await core.patchNamespacedPod(
      { namespace: "default", name: "applied", fieldManager: "test", force: true, body: { apiVersion: "v1", kind: "Pod", metadata: { name: "applied", labels: { w: "2" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(reapplied.metadata?.labels).toEqual({ v: "1", w: "2" });
    expect(
      await statusOf(
        core.patchNamespacedPod({ namespace: "default", name: "applied", body: { metadata: { name: "applied" } } }, setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply)),
      ),
    ).toMatchObject({ code: 422 });
    // A patch carrying a stale resourceVersion is a precondition, as on the real server.
    expect(
      await statusOf(
        core.patchNamespacedPod(
          { namespace: "default", name: "patchme", body: { metadata: { resourceVersion: "1", labels: { x: "y" } } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      ),
    ).toMatchObject({ code: 409 });
  });

  test("the status subresource: status writes ignore the spec, main writes ignore the status", async () => {
    await core.createNamespacedPod({ namespace: "default", body: pod("sub", { nodeName: "n1" }) });
    const current = await core.readNamespacedPod({ namespace: "default", name: "sub" });
    const statusWrite: V1Pod = { ...current, spec: { ...current.spec!, nodeName: "elsewhere" }, status: { phase: "Running", podIP: "10.1.2.3" } };
    const afterStatus = await core.replaceNamespacedPodStatus({ namespace: "default", name: "sub", body: statusWrite });
    expect(afterStatus.status?.phase).toBe("Running");
    expect(afterStatus.status?.podIPs).toEqual([{ ip: "10.1.2.3" }]);
    expect(afterStatus.spec?.nodeName).toBe("n1");
    expect(afterStatus.metadata?.generation).toBe(1);
    const mainWrite = await core.replaceNamespacedPod({ namespace: "default", name: "sub", body: { ...afterStatus, status: { phase: "Failed" }, metadata: { ...afterStatus.metadata, labels: { l: "1" } } } });
    expect(mainWrite.status?.phase).toBe("Running");
    expect(mainWrite.metadata?.labels).toEqual({ l: "1" });
    const patched = await core.patchNamespacedPodStatus(
      { namespace: "default", name: "sub", body: { status: { conditions: [{ type: "Ready", status: "True" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(patched.status?.conditions?.[0].type).toBe("Ready");
    expect(patched.status?.phase).toBe("Running");
  });

  test("delete: graceful pods stay with deletionTimestamp, grace 0 removes, DeleteOptions body honoured", async () => {
    await core.createNamespacedPod({ namespace: "default", body: pod("graceful", { nodeName: "n1" }) });
    const deleting = await core.deleteNamespacedPod({ namespace: "default", name: "graceful" });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect((await core.readNamespacedPod({ namespace: "default", name: "graceful" })).metadata?.deletionTimestamp).toBeDefined();
    await core.deleteNamespacedPod({ namespace: "default", name: "graceful", body: { gracePeriodSeconds: 0 } });
    expect(await statusOf(core.readNamespacedPod({ namespace: "default", name: "graceful" }))).toMatchObject({ code: 404 });
    expect(await statusOf(core.deleteNamespacedPod({ namespace: "default", name: "graceful" }))).toMatchObject({ code: 404 });
  });

  test("delete collection by label", async () => {
    await core.createNamespace({ body: { metadata: { name: "coll" } } });
    for (const [n, app] of [["x1", "x"], ["x2", "x"], ["y1", "y"]]) await core.createNamespacedPod({ namespace: "coll", body: pod(n, { labels: { app } }) });
    await core.deleteCollectionNamespacedPod({ namespace: "coll", labelSelector: "app=x" });
    expect((await core.listNamespacedPod({ namespace: "coll" })).items.map((p) => p.metadata?.name)).toEqual(["y1"]);
  });
});

describe("events: one store, two views", () => {
  test("core/v1 and events.k8s.io/v1 map involvedObject/regarding, message/note, count/deprecatedCount", async () => {
    const kc = kubeConfigOf(cluster);
    const eventsV1 = kc.makeApiClient(EventsV1Api);
    await core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { name: "web.1" },
        involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: "u-1", fieldPath: "spec.containers{app}" },
        reason: "BackOff",
        message: "Back-off restarting failed container",
        type: "Warning",
        count: 4,
        source: { component: "kubelet", host: "n1" },
        firstTimestamp: new Date("2025-01-01T00:00:00Z"),
        lastTimestamp: new Date("2025-01-01T00:05:00Z"),
      },
    });
    const viewed = await eventsV1.readNamespacedEvent({ namespace: "default", name: "web.1" });
    expect(viewed.regarding?.name).toBe("web");
    expect(viewed.note).toBe("Back-off restarting failed container");
    expect(viewed.deprecatedCount).toBe(4);
    expect(viewed.reportingController).toBe("kubelet");

    await eventsV1.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { name: "web.2" },
        eventTime: new Date("2025-01-01T00:06:00.000000Z"),
        regarding: { kind: "Pod", name: "web", namespace: "default", uid: "u-1" },
        reason: "Unhealthy",
        note: "Liveness probe failed",
        type: "Warning",
        action: "Probe",
        reportingController: "kubelet",
        reportingInstance: "n1",
        series: { count: 3, lastObservedTime: new Date("2025-01-01T00:07:00.000000Z") },
      },
    });
    const asCore = await core.readNamespacedEvent({ namespace: "default", name: "web.2" });
    expect(asCore.involvedObject.name).toBe("web");
    expect(asCore.message).toBe("Liveness probe failed");
    expect(asCore.series?.count).toBe(3);
    const byObject = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.kind=Pod,involvedObject.name=web,involvedObject.uid=u-1" });
    expect(byObject.items.map((e) => e.metadata?.name).sort()).toEqual(["web.1", "web.2"]);
  });
});

describe("custom resources", () => {
  const widget = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): object => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name },
    spec,
    ...(status ? { status } : {}),
  });

  test("status subresource, generation, pruning and schema validation", async () => {
    const created = (await custom.createNamespacedCustomObject({
      group: "example.com",
      version: "v1",
      namespace: "default",
      plural: "widgets",
      body: widget("w1", { color: "red", replicas: 2, unknown: true, free: { any: { thing: 1 } } }, { phase: "Ignored" }),
    })) as { metadata: { generation: number; resourceVersion: string }; spec: Record<string, unknown>; status?: unknown };
    expect(created.status).toBeUndefined();
    expect(created.spec).toEqual({ color: "red", replicas: 2, free: { any: { thing: 1 } } });
    expect(created.metadata.generation).toBe(1);

    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      { group: "example.com", version: "v1", namespace: "default", plural: "widgets", name: "w1", body: { spec: { color: "blue" }, status: { phase: "Ready", extra: 1, note: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; spec: { color: string }; status: Record<string, unknown> };
    expect(withStatus.status).toEqual({ phase: "Ready" });
    expect(withStatus.spec.color).toBe("red");
    expect(withStatus.metadata.generation).toBe(1);

    const specChange = (await custom.patchNamespacedCustomObject(
      { group: "example.com", version: "v1", namespace: "default", plural: "widgets", name: "w1", body: { spec: { replicas: 3 }, status: { phase: "Ignored" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; status: { phase: string } };
    expect(specChange.metadata.generation).toBe(2);
    expect(specChange.status.phase).toBe("Ready");

    expect(
      await statusOf(custom.createNamespacedCustomObject({ group: "example.com", version: "v1", namespace: "default", plural: "widgets", body: widget("bad", { color: "green", replicas: "x" }) })),
    ).toMatchObject({ code: 422, reason: "Invalid" });
    expect(await statusOf(custom.createNamespacedCustomObject({ group: "example.com", version: "v1", namespace: "default", plural: "widgets", body: widget("nocolor", {}) }))).toMatchObject({
      code: 422,
    });
    expect(
      await statusOf(
        custom.patchNamespacedCustomObject(
          { group: "example.com", version: "v1", namespace: "default", plural: "widgets", name: "w1", body: { spec: { replicas: 1 } } },
          setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
        ),
      ),
    ).toMatchObject({ code: 415 });
  });

  test("a CRD created over the API is served at once; deleting it deletes its objects", async () => {
    const kc = kubeConfigOf(cluster);
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const crd = await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: "gadgets.example.org" },
        spec: {
          group: "example.org",
          scope: "Cluster",
          names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
          versions: [{ name: "v1beta1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    expect(crd.status?.conditions?.find((c) => c.type === "Established")?.status).toBe("True");
    await custom.createClusterCustomObject({ group: "example.org", version: "v1beta1", plural: "gadgets", body: { apiVersion: "example.org/v1beta1", kind: "Gadget", metadata: { name: "g1" }, spec: { x: 1 } } });
    const listed = (await custom.listClusterCustomObject({ group: "example.org", version: "v1beta1", plural: "gadgets" })) as { items: Array<{ spec: unknown }> };
    expect(listed.items.map((i) => i.spec)).toEqual([{ x: 1 }]);
    expect(
      await statusOf(ext.createCustomResourceDefinition({ body: { metadata: { name: "wrong.example.org" }, spec: { group: "example.org", scope: "Cluster", names: { plural: "things", kind: "Thing" }, versions: [{ name: "v1", served: true, storage: true }] } } })),
    ).toMatchObject({ code: 422 });
    await ext.deleteCustomResourceDefinition({ name: "gadgets.example.org" });
    expect(cluster.store.registry.get("gadgets.example.org")).toBeUndefined();
    expect((await fetch(`${cluster.url}/apis/example.org/v1beta1/gadgets`)).status).toBe(404);
  });
});
