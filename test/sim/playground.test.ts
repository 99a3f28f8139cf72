// The simulated cluster as a playground, driven by the real kubectl as a person at a terminal would drive it: the
// `sim` command (API server and kubelet on a sped-up clock), `kubectl api-resources`, `apply -k deploy/base`,
// `apply -k` of a small app, the imperative `create` commands (protobuf bodies), `kubectl run` with a scenario
// annotation, `apply -f pod.yaml`, and a forced delete seen through `get -w`. Skipped, saying so, without kubectl.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { simCommand } from "../../src/sim/command.js";
import { packageRoot, type SimCluster } from "../../src/sim/index.js";
import { FIXTURES, waitFor } from "./helpers.js";
import { hasKubectl, KUBECTL, kubectlFor, rows } from "./kubectl-helpers.js";

if (!hasKubectl) console.warn(`playground kubectl tests skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
const describeKubectl = hasKubectl ? describe : describe.skip;

let dir: string;
let kubeconfig: string;
let cluster: SimCluster | undefined;
let stop: () => void = () => undefined;
let running: Promise<number> | undefined;
const cli = kubectlFor(() => ({ kubeconfig, dir }));
const kubectl = cli.run;
const ok = cli.ok;

/** Polls `kubectl get pod NAME` until its STATUS column is one of `want` (real seconds; the sim runs 30x faster). */
async function untilStatus(name: string, want: string[]): Promise<string> {
  let status = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    status = rows(await ok("get", "pod", name))[1]?.[2] ?? "";
    if (want.includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`pod ${name} showed ${status}, not ${want.join(" or ")}`);
}

describeKubectl("the playground with the real kubectl", () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sim-playground-"));
    kubeconfig = path.join(dir, "kubeconfig");
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const sink = new PassThrough().resume();
    running = simCommand(
      { kubeconfigOut: kubeconfig, scenario: "healthy", pods: "0", timeScale: "30" },
      { stdout: sink, stderr: sink, stopped, onReady: (c) => (cluster = c) },
    );
    await waitFor(() => cluster !== undefined, "the sim command", 10_000);
  });

  afterAll(async () => {
    stop();
    expect(await running).toBe(0);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("kubectl api-resources lists the stored built-in kinds as a 1.32 server does", async () => {
    const table = rows(await ok("api-resources"));
    const byName = (name: string, apiVersion: string): string[] | undefined => table.find((r) => r[0] === name && r.includes(apiVersion));
    expect(byName("deployments", "apps/v1")).toEqual(["deployments", "deploy", "apps/v1", "true", "Deployment"]);
    expect(byName("secrets", "v1")).toEqual(["secrets", "v1", "true", "Secret"]);
    expect(byName("clusterrolebindings", "rbac.authorization.k8s.io/v1")).toEqual(["clusterrolebindings", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding"]);
    expect(byName("poddisruptionbudgets", "policy/v1")).toEqual(["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"]);
    expect(byName("networkpolicies", "networking.k8s.io/v1")).toEqual(["networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"]);
  });

  test("kubectl apply -k deploy/base creates the operator's namespace, RBAC and Deployment, and a second apply changes only the PDB", async () => {
    const deploy = path.join(packageRoot(), "deploy", "base");
    const first = await ok("apply", "-k", deploy);
    for (const line of [
      "namespace/pod-health-operator created",
      "deployment.apps/pod-health-operator created",
      "serviceaccount/pod-health-operator created",
      "clusterrole.rbac.authorization.k8s.io/pod-health-operator created",
      "clusterrolebinding.rbac.authorization.k8s.io/pod-health-operator created",
      "role.rbac.authorization.k8s.io/pod-health-operator-leader-election created",
      "rolebinding.rbac.authorization.k8s.io/pod-health-operator-leader-election created",
    ]) {
      expect(first).toContain(line);
    }
    const again = await ok("apply", "-k", deploy);
    // kubectl always resends a PodDisruptionBudget's selector (patchStrategy=replace): "configured" on a real cluster too.
    expect(again.split("\n").filter((l) => / (created|configured)$/.test(l))).toEqual(["poddisruptionbudget.policy/pod-health-operator configured"]);
    // A stored object only: no controller turns the Deployment into pods.
    const deployments = rows(await ok("get", "deploy", "-n", "pod-health-operator"));
    expect(deployments[1]).toEqual(["pod-health-operator", "0/2", "0", "0", expect.any(String)]);
    expect(rows(await ok("get", "pods", "-n", "pod-health-operator"))).toEqual([[""]]);
  });

  test("kubectl apply -k of a small app: every kind stored, with tables", async () => {
    const out = await ok("apply", "-k", path.join(FIXTURES, "playground"));
    expect(out).toMatch(/configmap\/web-config-[a-z0-9]{10} created/);
    expect(out).toContain("statefulset.apps/cache created");
    expect(out).toContain("networkpolicy.networking.k8s.io/web-ingress created");
    const svc = rows(await ok("get", "svc", "web", "-n", "shop", "-o", "wide"));
    expect(svc[0]).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]);
    expect([svc[1][0], svc[1][1], svc[1][3], svc[1][4], svc[1][6]]).toEqual(["web", "ClusterIP", "<none>", "80/TCP", "app=web"]);
    const pdb = rows(await ok("get", "pdb", "-n", "shop"));
    expect(pdb[1].slice(0, 4)).toEqual(["web", "2", "N/A", "0"]);
    const binding = rows(await ok("get", "rolebinding", "-n", "shop", "-o", "wide"));
    expect(binding[1]).toEqual(["web-config-reader", "Role/config-reader", expect.any(String), "shop/web"]);
  });

  test("kubectl create namespace|configmap|secret|serviceaccount work (protobuf bodies); create deployment gets a clear 415", async () => {
    expect(await ok("create", "namespace", "demo")).toContain("namespace/demo created");
    expect(await ok("create", "configmap", "settings", "-n", "demo", "--from-literal=mode=fast", "--from-literal=level=3")).toContain("configmap/settings created");
    expect(await ok("create", "secret", "generic", "creds", "-n", "demo", "--from-literal=password=hunter2")).toContain("secret/creds created");
    expect(await ok("create", "serviceaccount", "builder", "-n", "demo")).toContain("serviceaccount/builder created");

    const ns = JSON.parse(await ok("get", "namespace", "demo", "-o", "json")) as { metadata: { labels: Record<string, string> }; status: { phase: string } };
    expect(ns.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "demo" });
    expect(ns.status.phase).toBe("Active");
    const cm = JSON.parse(await ok("get", "configmap", "settings", "-n", "demo", "-o", "json")) as { data: Record<string, string> };
    expect(cm.data).toEqual({ mode: "fast", level: "3" });
    const secret = JSON.parse(await ok("get", "secret", "creds", "-n", "demo", "-o", "json")) as { type: string; data: Record<string, string> };
    expect(secret).toMatchObject({ type: "Opaque", data: { password: Buffer.from("hunter2").toString("base64") } });
    expect(rows(await ok("get", "sa", "-n", "demo"))[1].slice(0, 2)).toEqual(["builder", "0"]);

    const deployment = await kubectl("create", "deployment", "web", "--image=nginx", "-n", "demo");
    expect(deployment.code).not.toBe(0);
    expect(deployment.stderr).toContain("decodes protobuf request bodies only for");
    expect(deployment.stderr).toContain("not apps/v1 Deployment");
  });

  test("kubectl run with a scenario annotation shows CrashLoopBackOff within seconds; apply -f pod.yaml runs its scenario", async () => {
    expect(await ok("run", "crashy", "--image=busybox", "--annotations=sim.podhealth.io/scenario=crashloop")).toContain("pod/crashy created");
    expect(await untilStatus("crashy", ["CrashLoopBackOff"])).toBe("CrashLoopBackOff");
    const pod = JSON.parse(await ok("get", "pod", "crashy", "-o", "json")) as { spec: { nodeName: string }; status: { containerStatuses: Array<{ name: string; restartCount: number }> } };
    expect(pod.spec.nodeName).toMatch(/^sim-node-\d$/);
    expect(pod.status.containerStatuses[0].name).toBe("crashy");

    await writeFile(
      path.join(dir, "pod.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: puller\n  annotations: {sim.podhealth.io/scenario: image-pull-backoff}\nspec:\n  containers:\n  - name: app\n    image: registry.example.com/app:0.0.1\n",
    );
    expect(await ok("apply", "-f", path.join(dir, "pod.yaml"))).toContain("pod/puller created");
    expect(await untilStatus("puller", ["ErrImagePull", "ImagePullBackOff"])).toMatch(/ImagePull/);
    expect(await ok("run", "plain", "--image=nginx")).toContain("pod/plain created");
    expect(await untilStatus("plain", ["Running"])).toBe("Running");
  });

  test("kubectl delete --grace-period=0 --force: a watch sees MODIFIED (Terminating), then DELETED", async () => {
    await ok("run", "doomed", "--image=nginx");
    await untilStatus("doomed", ["Running"]);
    const child = spawn(KUBECTL, [...cli.flags(), "get", "pod", "doomed", "-w", "--output-watch-events"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    try {
      await waitFor(() => out.includes("ADDED"), "the watch's first line", 10_000);
      expect((await kubectl("delete", "pod", "doomed", "--grace-period=0", "--force")).stdout).toContain('pod "doomed" force deleted');
      await waitFor(() => out.includes("DELETED"), "the DELETED line", 10_000);
    } finally {
      child.kill();
    }
    const events = rows(out)
      .slice(1)
      .map((r) => `${r[0]} ${r[3]}`);
    expect(events.slice(-2)).toEqual(["MODIFIED Terminating", "DELETED Terminating"]);
  });
});
