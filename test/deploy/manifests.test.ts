// The shipped manifests checked as facts. Without kubectl, on the files that `kubectl apply -k deploy/` is made
// of: every object valid against the Kubernetes schemas, the pod in the restricted Pod Security profile, as the
// ServiceAccount the RBAC binds, with arguments the real CLI accepts. With kubectl: every kustomization under
// deploy/ renders (`kubectl kustomize`), and so does each check on what it renders; the sharded overlay gives
// each StatefulSet ordinal its own shard; and the real kubectl applies deploy/ and the overlay to the simulated
// cluster (with stand-in CRDs for the Prometheus Operator's kinds, test/deploy/fixtures/monitoring-crds.yaml).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { addRunOptions, loadConfig, type Config, type RunOptions } from "../../src/config.js";
import { GROUP, PLURAL, VERSION } from "../../src/report/index.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import {
  CRD_DIR,
  DEPLOY_DIR,
  KUBECTL,
  OPERATOR_SA,
  ROOT,
  findAll,
  findOne,
  hasKubectl,
  installManifests,
  kustomizations,
  kustomize,
  objectId,
  type Manifest,
} from "./helpers.js";
import { sizingFor } from "../../src/bench/sizing.js";
import { restrictedViolations, type ContainerLike, type PodSpecLike } from "./pod-security.js";
import { schemaErrors } from "./schemas.js";

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

type Container = Omit<ContainerLike, "ports"> & {
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number; hostPort?: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
};

type PodSpec = Omit<PodSpecLike, "containers" | "initContainers"> & { serviceAccountName?: string; automountServiceAccountToken?: boolean; containers: Container[]; initContainers?: Container[] };

type Workload = Manifest & {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Service = Manifest & { spec: { clusterIP?: string; selector?: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort?: string | number }> } };

const docs = installManifests();
const workloadsOf = (ms: readonly Manifest[]): Workload[] => ms.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet") as Workload[];
const deployment = findOne(docs, "Deployment") as Workload;

/** The container's environment as the kubelet would give it in pod `podName`, downward-API fields resolved. */
function containerEnv(w: Workload, c: Container, podName: string): Record<string, string> {
  const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
  const fields: Record<string, string> = { "metadata.name": podName, "metadata.namespace": w.metadata.namespace ?? "default" };
  for (const v of c.env ?? []) {
    const field = v.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined && !(field in fields)) throw new Error(`${c.name}: env ${v.name}: fieldRef ${field} is not resolved by this test`);
    env[v.name] = field !== undefined ? fields[field] : (v.value ?? "");
  }
  return env;
}

/** The `run` command as src/cli.ts builds it, parsing `args` (subcommand first) into its options. */
async function parseRunArgs(args: string[], env: Record<string, string>): Promise<RunOptions> {
  let parsed: RunOptions | undefined;
  const errors: string[] = [];
  const program = new Command("pod-health-operator").exitOverride().configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => undefined });
  const run = addRunOptions(program.command("run")).action((opts: RunOptions) => {
    parsed = opts;
  });
  // commander reads POD_HEALTH_* from process.env: give it the container's for the parse, and only those.
  const known = new Set(run.options.map((o) => o.envVar).filter((v): v is string => v !== undefined));
  const saved = { ...process.env };
  for (const k of known) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (known.has(k)) process.env[k] = v;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) throw new Error(`args ${JSON.stringify(args)}: ${errors.join("").trim()}`, { cause: err });
    throw err;
  } finally {
    for (const k of known) delete process.env[k];
    Object.assign(process.env, saved);
  }
  if (!parsed) throw new Error(`args ${JSON.stringify(args)} did not run the run subcommand`);
  return parsed;
}

/** POD_HEALTH_* variables of the container that no flag reads (a typo would otherwise be ignored silently). */
function unknownEnv(c: Container): string[] {
  const known = new Set(addRunOptions(new Command("run")).options.map((o) => o.envVar));
  return (c.env ?? []).map((v) => v.name).filter((n) => n.startsWith("POD_HEALTH_") && !known.has(n));
}

/** The configuration the operator container of `w` starts with in pod `podName`. */
async function operatorConfig(w: Workload, c: Container, podName: string): Promise<Readonly<Config>> {
  const env = containerEnv(w, c, podName);
  return loadConfig(await parseRunArgs(c.args ?? ["run"], env), env);
}

/** The names the workload's pods get: a StatefulSet's are name-0…name-(N-1); a Deployment's carry a hash. */
function podNames(w: Workload): string[] {
  const n = w.spec.replicas ?? 1;
  return w.kind === "StatefulSet" ? Array.from({ length: n }, (_, i) => `${w.metadata.name}-${i}`) : [`${w.metadata.name}-6d4f9b7c8-x2k9q`];
}

/** Checks that hold for every rendering: objects valid, pods restricted, RBAC, Services and monitoring consistent. */
function checkInstall(ms: readonly Manifest[]): void {
  const ids = ms.map(objectId);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  expect(ms.map((m) => ({ id: objectId(m), errors: schemaErrors(m) })).filter((r) => r.errors !== "")).toEqual([]);

  const workloads = workloadsOf(ms);
  expect(workloads).toHaveLength(1);
  const [w] = workloads;
  const pod = w.spec.template.spec;
  expect(w.spec.template.metadata.labels).toMatchObject(w.spec.selector.matchLabels);
  expect(findOne(ms, "Namespace", w.metadata.namespace)).toBeDefined();
  expect({ workload: objectId(w), violations: restrictedViolations(pod) }).toEqual({ workload: objectId(w), violations: [] });
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) expect([c.name, c.securityContext?.readOnlyRootFilesystem]).toEqual([c.name, true]);

  // Every namespaced object lives where the operator does.
  expect(ms.filter((m) => m.metadata.namespace !== undefined && m.metadata.namespace !== w.metadata.namespace).map(objectId)).toEqual([]);

  // The ServiceMonitor (where there is one) scrapes exactly one Service, which selects the operator's pods on
  // the container's metrics port: two matching Services would scrape every replica twice.
  const services = findAll(ms, "Service") as Service[];
  const monitors = findAll(ms, "ServiceMonitor") as Array<Manifest & { spec: { jobLabel: string; selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; honorLabels?: boolean }> } }>;
  for (const sm of monitors) {
    const matched = services.filter((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => (s.metadata.labels as Record<string, string> | undefined)?.[k] === v));
    expect(matched.map((s) => s.metadata.name)).toHaveLength(1);
    const [svc] = matched;
    expect(Object.entries(svc.spec.selector ?? {}).every(([k, v]) => w.spec.template.metadata.labels[k] === v)).toBe(true);
    expect((svc.metadata.labels as Record<string, string>)[sm.spec.jobLabel]).toBe("pod-health-operator");
    for (const e of sm.spec.endpoints) {
      const port = svc.spec.ports.find((p) => p.name === e.port);
      expect(pod.containers[0].ports?.map((p) => p.name)).toContain(port?.targetPort);
      expect(e).toMatchObject({ path: "/metrics", honorLabels: true });
    }
  }
  // A StatefulSet's governing Service exists and is headless.
  if (w.kind === "StatefulSet") expect(services.find((s) => s.metadata.name === w.spec.serviceName)?.spec.clusterIP).toBe("None");

  // The PodDisruptionBudget and NetworkPolicy select the operator's pods.
  for (const kind of ["PodDisruptionBudget", "NetworkPolicy"]) {
    const sel = (findOne(ms, kind) as Manifest & { spec: { selector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } } }).spec;
    const labels = (sel.selector ?? sel.podSelector)?.matchLabels ?? {};
    expect([kind, Object.entries(labels).every(([k, v]) => w.spec.template.metadata.labels[k] === v), Object.keys(labels).length > 0]).toEqual([kind, true, true]);
  }
}

describe("the install (deploy/base, crds/, deploy/components/monitoring)", () => {
  const pod = deployment.spec.template.spec;

  test("every document parses and says what it is", () => {
    for (const d of docs) {
      expect([d.file, typeof d.apiVersion, typeof d.kind, typeof d.metadata?.name]).toEqual([d.file, "string", "string", "string"]);
    }
    expect(docs.map((d) => d.file)).toEqual(
      expect.arrayContaining(["deploy/base/deployment.yaml", "deploy/base/rbac.yaml", "crds/podhealthreports.yaml", "deploy/components/monitoring/servicemonitor.yaml"]),
    );
    expect(docs.map((d) => d.kind).sort()).toEqual(
      [
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "Deployment",
        "Namespace",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PrometheusRule",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
      ].sort(),
    );
  });

  test("objects valid against the Kubernetes schemas, the pod restricted, selectors and monitoring consistent", () => {
    checkInstall(docs);
  });

  test("the schema and Pod Security checks have teeth", () => {
    const broken = structuredClone(deployment);
    (broken.spec.template.spec.containers[0] as unknown as Record<string, unknown>).imagePullPolicy = "Sometimes";
    delete (broken.spec as Partial<Workload["spec"]>).selector;
    expect(schemaErrors(broken)).toMatch(/imagePullPolicy must be equal to one of the allowed values/);
    expect(schemaErrors(broken)).toMatch(/data\/spec must have required property selector/);
    expect(schemaErrors({ ...deployment, kind: "Deploy" })).toBe("no schema known for apps/v1 Deploy");
    const loose = structuredClone(pod);
    delete loose.securityContext?.seccompProfile;
    delete loose.containers[0].securityContext?.seccompProfile;
    loose.containers[0].securityContext!.allowPrivilegeEscalation = true;
    loose.volumes = [{ name: "host", hostPath: { path: "/" } }];
    expect(restrictedViolations(loose)).toEqual([
      "restricted volume types: host uses hostPath",
      "allowPrivilegeEscalation != false: container operator",
      "seccompProfile: container operator has none",
    ]);
  });

  test("the namespace enforces the restricted Pod Security profile", () => {
    const ns = findOne(docs, "Namespace", deployment.metadata.namespace) as Manifest & { metadata: { labels?: Record<string, string> } };
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
  });

  test("two replicas with probes on /healthz and /readyz, and memory bounded", () => {
    expect(deployment.spec.replicas).toBe(2);
    const [c] = pod.containers;
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(c.resources?.requests?.memory).toMatch(/^\d+Mi$/);
    expect(c.resources?.limits?.memory).toMatch(/^\d+Mi$/);
  });

  test("the pod's ServiceAccount exists and is the subject of every RBAC binding", () => {
    const sa = { namespace: deployment.metadata.namespace, name: pod.serviceAccountName };
    expect(sa).toEqual(OPERATOR_SA);
    expect(pod.automountServiceAccountToken ?? true).toBe(true);
    expect(findOne(docs, "ServiceAccount", sa.name).metadata.namespace).toBe(sa.namespace);
    const bindings = [...findAll(docs, "ClusterRoleBinding"), ...findAll(docs, "RoleBinding")] as Array<Manifest & { subjects: Array<{ kind: string; name: string; namespace?: string }>; roleRef: { kind: string; name: string } }>;
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      expect([b.metadata.name, b.subjects]).toEqual([b.metadata.name, [{ kind: "ServiceAccount", ...sa }]]);
      const role = findOne(docs, b.roleRef.kind, b.roleRef.name);
      if (b.kind === "RoleBinding" && role.kind === "Role") expect(role.metadata.namespace).toBe(b.metadata.namespace);
    }
  });

  test("the RBAC names the reports as the CRD does, and the status subresource it grants exists", () => {
    const crd = findOne(docs, "CustomResourceDefinition") as Manifest & {
      spec: { group: string; scope: string; names: { plural: string }; versions: Array<{ name: string; served: boolean; subresources?: { status?: object } }> };
    };
    expect([crd.spec.group, crd.spec.names.plural, crd.spec.scope]).toEqual([GROUP, PLURAL, "Namespaced"]);
    expect(crd.spec.versions.find((v) => v.name === VERSION)).toMatchObject({ served: true, subresources: { status: {} } });
    const rules = (findOne(docs, "ClusterRole") as Manifest & { rules: Rule[] }).rules.filter((r) => r.apiGroups.includes(GROUP));
    expect(rules.flatMap((r) => r.resources).sort()).toEqual([PLURAL, `${PLURAL}/status`]);
  });

  test("the container's arguments and environment parse with the real CLI into a valid configuration", async () => {
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    // No command: the image's ENTRYPOINT (pod-health-operator) runs, with these arguments in place of its CMD.
    expect(c.command).toBeUndefined();
    expect(c.args?.[0]).toBe("run");
    expect(unknownEnv(c)).toEqual([]);
    const [podName] = podNames(deployment);
    const config = await operatorConfig(deployment, c, podName);
    expect(config.inCluster).toBe(true);
    // More than one replica must not mean more than one writer.
    expect(config.leaderElection.enabled).toBe(true);
    // The Lease lives where the leader-election Role grants it.
    const role = (findAll(docs, "Role") as Array<Manifest & { rules: Rule[] }>).find((r) => r.rules.some((x) => x.apiGroups.includes("coordination.k8s.io") && x.resources.includes("leases")));
    expect(role?.metadata.namespace).toBe(config.leaderElection.namespace);
    expect(config.leaderElection.identity.startsWith(`${podName}_`)).toBe(true);
    const metrics = c.ports?.find((p) => p.name === "metrics");
    expect(metrics?.containerPort).toBe(config.metricsPort);
  });

  test("a typo in the arguments or an unknown POD_HEALTH_ variable would fail (the check has teeth)", async () => {
    const c = pod.containers[0];
    const [podName] = podNames(deployment);
    const config = (over: Partial<Container>): Promise<Readonly<Config>> => operatorConfig(deployment, { ...c, ...over }, podName);
    await expect(config({ args: [...(c.args ?? []), "--leader-elekt"] })).rejects.toThrow(/unknown option '--leader-elekt'/);
    await expect(config({ args: [...(c.args ?? []), "--report-mode=some"] })).rejects.toThrow(/report-mode/);
    await expect(config({ args: ["rn"] })).rejects.toThrow(/unknown command 'rn'|did not run/);
    const withEnv = (name: string, value: string): Partial<Container> => ({ env: [...(c.env ?? []), { name, value }] });
    await expect(config(withEnv("POD_HEALTH_REPORT_MODE", "unhealthy"))).resolves.toMatchObject({ reportMode: "unhealthy" });
    await expect(config(withEnv("POD_HEALTH_REPORT_MODE", "some"))).rejects.toThrow(/report-mode/);
    expect(unknownEnv({ ...c, ...withEnv("POD_HEALTH_REPORT_MOD", "unhealthy") })).toEqual(["POD_HEALTH_REPORT_MOD"]);
  });
});

if (!hasKubectl) console.warn(`kustomize rendering and kubectl apply of deploy/ skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
const describeKubectl = hasKubectl ? describe : describe.skip;

describeKubectl("every kustomization under deploy/, as kubectl kustomize renders it", () => {
  const dirs = kustomizations();
  const rendered = new Map(dirs.map((d) => [path.relative(ROOT, d), kustomize(d)]));

  test("deploy/, deploy/base and every overlay are found and render", () => {
    expect([...rendered.keys()]).toEqual(expect.arrayContaining(["deploy", "deploy/base", "deploy/overlays/sharded"]));
    for (const [dir, ms] of rendered) expect([dir, ms.length > 0]).toEqual([dir, true]);
  });

  test("deploy/ renders exactly the files the install is made of; deploy/base leaves out only the monitoring kinds", () => {
    expect(rendered.get("deploy")!.map(objectId).sort()).toEqual(docs.map(objectId).sort());
    const base = rendered.get("deploy/base")!.map((m) => m.kind);
    expect(docs.map((m) => m.kind).filter((k) => !base.includes(k)).sort()).toEqual(["PrometheusRule", "ServiceMonitor"]);
  });

  test.each(dirs.map((d) => path.relative(ROOT, d)))("%s: valid objects, restricted pods, consistent selectors", (dir) => {
    checkInstall(rendered.get(dir)!);
  });

  test("the sharded overlay: a StatefulSet whose ordinal K runs shard K of N, without leader election or its Role", async () => {
    const ms = rendered.get("deploy/overlays/sharded")!;
    const sts = findOne(ms, "StatefulSet") as Workload;
    const n = sts.spec.replicas ?? 1;
    expect(n).toBeGreaterThan(1);
    const c = sts.spec.template.spec.containers[0];
    expect(unknownEnv(c)).toEqual([]);
    const shards = await Promise.all(podNames(sts).map((name) => operatorConfig(sts, c, name)));
    expect(shards.map((s) => s.shard)).toEqual(Array.from({ length: n }, (_, index) => ({ index, count: n })));
    expect(shards.every((s) => !s.leaderElection.enabled)).toBe(true);
    expect(findAll(ms, "Role").filter((r) => (r as Manifest & { rules: Rule[] }).rules.some((x) => x.resources.includes("leases")))).toEqual([]);
    expect(findAll(ms, "Deployment")).toEqual([]);
    // The pod is the Deployment's pod but for its arguments and the shard count.
    const base = structuredClone(deployment.spec.template.spec);
    const shardPod = structuredClone(sts.spec.template.spec);
    shardPod.containers[0].args = base.containers[0].args;
    shardPod.containers[0].env = shardPod.containers[0].env?.filter((e) => e.name !== "POD_HEALTH_SHARD_COUNT");
    expect(shardPod).toEqual(base);
  });
});

describeKubectl("kubectl apply -k against the simulated cluster", () => {
  const clusters: SimCluster[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "deploy-kubectl-"));
  });
  afterAll(async () => {
    for (const c of clusters) await c.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A cluster without the project's CRD (kubectl installs it), and kubectl pointed at it. */
  async function cluster(name: string): Promise<(...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>> {
    const c = await startSimCluster({ crdDirs: [] });
    clusters.push(c);
    const kubeconfig = path.join(dir, `${name}.kubeconfig`);
    await c.writeKubeconfig(kubeconfig);
    return (...args) =>
      new Promise((resolve) => {
        execFile(KUBECTL, ["--kubeconfig", kubeconfig, "--cache-dir", path.join(dir, `${name}-cache`), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
  }

  const MONITORING_CRDS = path.join(ROOT, "test", "deploy", "fixtures", "monitoring-crds.yaml");

  test("kubectl apply -f crds/ creates the CRD (its kustomization.yaml is no object), which then serves its resource", async () => {
    const kubectl = await cluster("crds");
    const applied = await kubectl("apply", "-f", CRD_DIR);
    expect(applied).toMatchObject({ code: 0, stdout: `customresourcedefinition.apiextensions.k8s.io/${PLURAL}.${GROUP} created\n` });
    const listed = await kubectl("get", `${PLURAL}.${GROUP}`, "-A");
    expect([listed.code, listed.stderr.trim()]).toEqual([0, "No resources found"]);
  });

  test("kubectl apply -k deploy/ creates every object once; a second apply changes nothing but the PDB's selector", async () => {
    const kubectl = await cluster("install");
    expect((await kubectl("apply", "-f", MONITORING_CRDS)).code).toBe(0);
    const first = await kubectl("apply", "-k", DEPLOY_DIR);
    expect([first.code, first.stderr]).toEqual([0, ""]);
    const lines = first.stdout.trim().split("\n").sort();
    expect(lines).toHaveLength(docs.length);
    expect(lines.every((l) => l.endsWith(" created"))).toBe(true);
    for (const kind of ["namespace/pod-health-operator", "deployment.apps/pod-health-operator", "servicemonitor.monitoring.coreos.com/pod-health-operator", "prometheusrule.monitoring.coreos.com/pod-health-operator"]) {
      expect(lines).toContain(`${kind} created`);
    }
    const again = await kubectl("apply", "-k", DEPLOY_DIR);
    expect(again.code).toBe(0);
    // kubectl's strategic merge patch always resends a PodDisruptionBudget's selector (patchStrategy=replace in
    // policy/v1 types.go; apimachinery strategicpatch/patch.go handleMapDiff copies a replace-strategy map without
    // comparing it), so a real cluster prints "configured" for it on every apply too; nothing else changes.
    expect(again.stdout.split("\n").filter((l) => / (created|configured)$/.test(l))).toEqual(["poddisruptionbudget.policy/pod-health-operator configured"]);
    const got = await kubectl("get", "deploy,svc,pdb,netpol,sa,servicemonitors,prometheusrules", "-n", OPERATOR_SA.namespace, "-o", "name");
    expect(got.stdout.trim().split("\n").sort()).toEqual(
      [
        "deployment.apps/pod-health-operator",
        "service/pod-health-operator-metrics",
        "poddisruptionbudget.policy/pod-health-operator",
        "networkpolicy.networking.k8s.io/pod-health-operator",
        "serviceaccount/pod-health-operator",
        "servicemonitor.monitoring.coreos.com/pod-health-operator",
        "prometheusrule.monitoring.coreos.com/pod-health-operator",
      ].sort(),
    );
  });

  test("without the Prometheus Operator's CRDs, deploy/ fails on the monitoring kinds and deploy/base applies", async () => {
    const kubectl = await cluster("bare");
    const whole = await kubectl("apply", "-k", DEPLOY_DIR);
    expect(whole.code).not.toBe(0);
    const base = await cluster("base");
    const applied = await base("apply", "-k", path.join(DEPLOY_DIR, "base"));
    expect([applied.code, applied.stderr]).toEqual([0, ""]);
    expect(applied.stdout).toContain("deployment.apps/pod-health-operator created");
  });

  test("kubectl apply -k deploy/overlays/sharded creates the StatefulSet and its headless Service", async () => {
    const kubectl = await cluster("sharded");
    expect((await kubectl("apply", "-f", MONITORING_CRDS)).code).toBe(0);
    const applied = await kubectl("apply", "-k", path.join(DEPLOY_DIR, "overlays", "sharded"));
    expect([applied.code, applied.stderr]).toEqual([0, ""]);
    expect(applied.stdout).toContain("statefulset.apps/pod-health-operator created");
    expect(applied.stdout).toContain("service/pod-health-operator-shards created");
    expect(applied.stdout).not.toContain("deployment.apps");
    const sts = await kubectl("get", "sts", "pod-health-operator", "-n", OPERATOR_SA.namespace);
    expect(sts.stdout.split("\n")[1]).toMatch(/^pod-health-operator\s+0\/3\s/);
  });
});

describe("memory follows the sizing rule (README, src/bench/sizing.ts)", () => {
  // The sharded overlay's pod is the Deployment's but for its arguments (tested above), so one check covers both.
  test("the Deployment: NODE_OPTIONS, request and limit are the rule's for one pod count", () => {
    const c = deployment.spec.template.spec.containers[0];
    const options = c.env?.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
    const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
    // The pod count the old generation was sized for, then every figure the rule gives for it.
    const pods = Math.round(((oldSpace - 96) / 4.5) * 1000);
    const rule = sizingFor(pods);
    expect(options).toBe(rule.nodeOptions);
    expect(c.resources?.requests?.memory).toBe(`${rule.requestMiB}Mi`);
    expect(c.resources?.limits?.memory).toBe(`${rule.limitMiB}Mi`);
  });
});
