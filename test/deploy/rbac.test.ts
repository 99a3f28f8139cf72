// Least privilege as a tested fact: the controller runs a realistic life against a simulated cluster that
// authorizes every request with deploy/base/rbac.yaml as the operator's ServiceAccount. Nothing it does is denied,
// and every verb the RBAC grants is used at least once, so the manifest grants neither too little nor too much.
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { RunOptions } from "../../src/config.js";
import { KubeHttp } from "../../src/controller/kube.js";
import { reportApi, type ReportApi } from "../../src/controller/report-api.js";
import { RESOURCE_KEY, type PodHealthReport } from "../../src/report/index.js";
import { startSimCluster } from "../../src/sim/index.js";
import { ManualClock, runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { grantCovers, grantsFor, parsePolicy, rbacAuthorizer, type RbacPolicy, type RequestAttributes } from "../../src/sim/rbac.js";
import { report, run, startController, tearDown, waitFor, type Env } from "../controller/e2e-helpers.js";
import { BASE_DIR, OPERATOR_SA, readManifestFile, type Manifest } from "./helpers.js";

interface Seen {
  attrs: RequestAttributes;
  allowed: boolean;
}

const LEADER: RunOptions = { leaderElect: "true", leaderElectNamespace: OPERATOR_SA.namespace };

function rbacDocs(): Manifest[] {
  return readManifestFile(path.join(BASE_DIR, "rbac.yaml"));
}

function describeRequest(a: RequestAttributes): string {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return `${a.verb} ${a.apiGroup || "core"}/${res}${a.namespace ? ` in ${a.namespace}` : ""}${a.name ? ` name=${a.name}` : ""}`;
}

/** A simulated cluster on a manual clock whose every API request is authorized by the policy, and recorded. */
async function startRbacEnv(policy: RbacPolicy, seen: Seen[]): Promise<Env> {
  const clock = new ManualClock();
  const cluster = await startSimCluster({
    clock,
    namespaces: [OPERATOR_SA.namespace],
    bookmarkIntervalMs: 1_000,
    authorizer: rbacAuthorizer(policy, OPERATOR_SA),
    onRequest: (attrs, allowed) => seen.push({ attrs, allowed }),
  });
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(cluster.kubeConfig()));
  return { cluster, clock, kc, close: () => cluster.close() };
}

/**
 * The controller's report client, through HTTP as usual, except that when `race.key` is set a user edits that
 * report right before the controller's next write to it: the write carries a stale resourceVersion and gets 409.
 */
function racingReportApi(env: Env, race: { key: string | null; fired: number }): ReportApi {
  const inner = reportApi(new KubeHttp(env.kc, { requestTimeoutMs: 5_000 }));
  const meddle = (r: PodHealthReport): void => {
    if (race.key !== `${r.metadata.namespace}/${r.metadata.name}`) return;
    race.key = null;
    const current = structuredClone(report(env, r.metadata.namespace, r.metadata.name) as PodHealthReport);
    current.metadata.annotations = { ...current.metadata.annotations, "example.com/touched-by": "a user" };
    env.cluster.store.replace(RESOURCE_KEY, current as never);
    race.fired++;
  };
  return {
    ...inner,
    replace: (r) => (meddle(r), inner.replace(r)),
    replaceStatus: (r) => (meddle(r), inner.replaceStatus(r)),
  };
}

describe("deploy/base/rbac.yaml against the controller", () => {
  let env: Env | undefined;
  const kubelets: Kubelet[] = [];
  afterEach(async () => {
    await tearDown(kubelets, [env]);
    env = undefined;
  });

  it("allows everything the controller does, and grants nothing it does not use", async () => {
    const policy = parsePolicy(rbacDocs());
    const seen: Seen[] = [];
    const e = (env = await startRbacEnv(policy, seen));
    const store = e.cluster.store;
    kubelets.push(
      runScenario(store, e.clock, { scenario: "crashloop", name: "api" }),
      runScenario(store, e.clock, { scenario: "healthy", name: "web" }),
      runScenario(store, e.clock, { scenario: "healthy", name: "gone" }),
      runScenario(store, e.clock, { scenario: "healthy", name: "cart", namespace: "shop" }),
    );

    // Reports for every pod (mode all), as the elected leader with its Lease in the operator's namespace.
    const race = { key: null as string | null, fired: 0 };
    const first = startController(e, { ...LEADER, reportMode: "all" }, { reportApi: racingReportApi(e, race) });
    await first.controller.whenSynced();
    await waitFor("leadership", () => first.controller.isLeader);
    await run(e, 90_000);
    await waitFor("api crash-looping", () => report(e, "default", "api")?.status?.status === "CrashLoopBackOff");
    await waitFor("healthy reports", () => ["default/web", "default/gone", "shop/cart"].every((k) => report(e, ...(k.split("/") as [string, string]))?.status?.health === "Healthy"));

    // A user deletes a report: it comes back.
    const oldUid = report(e, "default", "web")?.metadata.uid;
    store.delete(RESOURCE_KEY, "default", "web");
    await waitFor("web's report recreated", () => {
      const r = report(e, "default", "web");
      return r !== undefined && r.metadata.uid !== oldUid && r.status?.health === "Healthy";
    });

    // A user edits a report's spec: the controller puts it back (an update of the main resource).
    const edited = structuredClone(report(e, "shop", "cart") as PodHealthReport);
    edited.spec.podName = "not-cart";
    store.replace(RESOURCE_KEY, edited as never);
    await waitFor("cart's spec restored", () => report(e, "shop", "cart")?.spec?.podName === "cart");

    // A user's edit races the controller's next write to api's report: 409, a fresh GET, and a retry.
    race.key = "default/api";
    await waitFor(
      "a conflict",
      async () => {
        await run(e, 20_000, 1_000, 2);
        return race.fired > 0 && first.controller.stats.conflicts > 0;
      },
      10_000,
    );
    await run(e, 40_000);
    await waitFor("api's report current again", () => report(e, "default", "api")?.status?.restarts === (store.get("pods", "default", "api") as { status: { containerStatuses: Array<{ restartCount: number }> } }).status.containerStatuses[0].restartCount);

    // A pod deleted with its dependents orphaned: its report outlives it until the controller deletes it.
    store.delete("pods", "default", "gone", { gracePeriodSeconds: 0, propagationPolicy: "Orphan" });
    expect(report(e, "default", "gone")?.metadata.ownerReferences ?? []).toEqual([]);
    await waitFor("orphaned report deleted", () => report(e, "default", "gone") === undefined);
    expect(seen.some((s) => s.attrs.verb === "delete" && s.attrs.resource === "podhealthreports" && s.attrs.name === "gone")).toBe(true);
    await first.controller.stop();

    // A new leader in mode unhealthy: healthy pods' reports go after the grace; the crash loop's stays.
    const second = startController(e, { ...LEADER, reportMode: "unhealthy", healthyGrace: "1m" });
    await waitFor("second leader", () => second.controller.isLeader);
    await run(e, 90_000);
    await waitFor("healthy pods' reports removed", () => report(e, "default", "web") === undefined && report(e, "shop", "cart") === undefined);
    expect(report(e, "default", "api")?.status?.health).toBe("Unhealthy");
    await second.controller.stop();

    // (a) nothing was denied; (b) no grant went unused: one assertion, so a failure shows both lists.
    const denied = [...new Set(seen.filter((s) => !s.allowed).map((s) => describeRequest(s.attrs)))];
    const unused = grantsFor(policy, OPERATOR_SA)
      .filter((g) => !seen.some((s) => s.allowed && grantCovers(g, s.attrs)))
      .map((g) => `${g.role} (${g.binding}): ${g.verb} ${g.apiGroup || "core"}/${g.resource}${g.namespace ? ` in ${g.namespace}` : ""}`);
    expect({ denied, unused }).toEqual({ denied: [], unused: [] });
  });

  /** deploy/base/rbac.yaml with one verb taken away from one resource of the core group. */
  function without(verb: string, resource: string): RbacPolicy {
    const docs = rbacDocs().map((d) => structuredClone(d));
    const role = docs.find((d) => d.kind === "ClusterRole") as Manifest & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
    role.rules = role.rules.flatMap((r) => {
      if (!r.apiGroups.includes("") || !r.resources.includes(resource)) return [r];
      const others = r.resources.filter((x) => x !== resource);
      return [...(others.length > 0 ? [{ ...r, resources: others }] : []), { ...r, resources: [resource], verbs: r.verbs.filter((v) => v !== verb) }];
    });
    return parsePolicy(docs);
  }

  const FORBIDDEN_EVENTS = (verb: string): string =>
    `events is forbidden: User "system:serviceaccount:${OPERATOR_SA.namespace}:${OPERATOR_SA.name}" cannot ${verb} resource "events" in API group "" at the cluster scope`;

  it("denies what the RBAC does not grant: without list on events the controller never becomes ready", async () => {
    const seen: Seen[] = [];
    env = await startRbacEnv(without("list", "events"), seen);
    const { controller, logs } = startController(env, LEADER);
    await waitFor("three denied lists of events", () => seen.filter((s) => !s.allowed && s.attrs.verb === "list" && s.attrs.resource === "events").length >= 3);
    expect(controller.isReady).toBe(false);
    expect(controller.isLeader).toBe(false);
    const failure = logs.lines.find((l) => l.msg === "list failed, retrying after back-off" && l.reflector === "/api/v1/events");
    expect(failure).toMatchObject({ status: 403 });
    expect(String(failure?.error)).toContain(FORBIDDEN_EVENTS("list"));
    // Said once, at error, with what to do; not once per retry.
    const told = logs.lines.filter((l) => l.level === "error" && l.module === "connectivity" && l.source === "/api/v1/events");
    expect(told).toHaveLength(1);
    expect(String(told[0].msg)).toContain("apply the RBAC of deploy/base/rbac.yaml (kubectl apply -k deploy/)");
    // Nothing else was refused: pods and reports were listed and watched.
    expect(new Set(seen.filter((s) => !s.allowed).map((s) => describeRequest(s.attrs)))).toEqual(new Set(["list core/events"]));
  });

  it("denies what the RBAC does not grant: without watch on events every events watch gets 403", async () => {
    const seen: Seen[] = [];
    env = await startRbacEnv(without("watch", "events"), seen);
    const { controller, logs } = startController(env, LEADER, { staleAfterMs: 300 });
    await waitFor("three denied watches of events", () => seen.filter((s) => !s.allowed && s.attrs.verb === "watch" && s.attrs.resource === "events").length >= 3);
    await waitFor("the failure logged", () => logs.lines.some((l) => l.msg === "watch failed, retrying after back-off" && l.reflector === "/api/v1/events" && l.status === 403));
    // The lists work, so the caches are filled, but a cache that can never be watched is not current: not ready.
    await controller.whenSynced();
    await waitFor("not ready once the watch has failed for longer than staleAfterMs", () => !controller.isReady, 5_000);
    const told = logs.lines.filter((l) => l.level === "error" && l.module === "connectivity" && l.source === "/api/v1/events");
    expect(told).toHaveLength(1);
    expect(controller.stats.watchRestarts.events?.error ?? 0).toBeGreaterThanOrEqual(2);
    expect(new Set(seen.filter((s) => !s.allowed).map((s) => describeRequest(s.attrs)))).toEqual(new Set(["watch core/events"]));
  });
});
