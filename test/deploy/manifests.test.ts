// The shipped manifests and image, checked as facts: the operator runs as non-root on a read-only root
// filesystem with no capabilities, as the ServiceAccount the RBAC binds, with arguments the real CLI accepts,
// and the RBAC names the CRD the way the CRD names itself.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { addRunOptions, loadConfig, type Config, type RunOptions } from "../../src/config.js";
import { GROUP, PLURAL, VERSION } from "../../src/report/index.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import { CRD_DIR, DEPLOY_DIR, OPERATOR_SA, ROOT, findAll, findOne, readManifests, type Manifest } from "./helpers.js";

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  securityContext?: SecurityContext;
}

interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
}

type Deployment = Manifest & {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const docs = readManifests(DEPLOY_DIR, CRD_DIR);
const deployment = findOne(docs, "Deployment") as Deployment;
const pod = deployment.spec.template.spec;
const containers = [...(pod.initContainers ?? []), ...pod.containers];
const POD_NAME = `${deployment.metadata.name}-6d4f9b7c8-x2k9q`;

/** The container's environment as the kubelet would give it, downward-API fields resolved. */
function containerEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
  const fields: Record<string, string> = { "metadata.name": POD_NAME, "metadata.namespace": deployment.metadata.namespace ?? "default" };
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

/** The configuration the operator container starts with. */
async function operatorConfig(c: Container): Promise<Readonly<Config>> {
  const env = containerEnv(c);
  return loadConfig(await parseRunArgs(c.args ?? ["run"], env), env);
}

describe("manifests", () => {
  test("every document parses and says what it is", () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect([d.file, typeof d.apiVersion, typeof d.kind, typeof d.metadata?.name]).toEqual([d.file, "string", "string", "string"]);
    }
    expect(docs.map((d) => d.file)).toEqual(expect.arrayContaining(["deploy/deployment.yaml", "deploy/rbac.yaml", "crds/podhealthreports.yaml"]));
  });

  test("the Deployment's namespace is created, and its selector matches its pods", () => {
    expect(findOne(docs, "Namespace", deployment.metadata.namespace)).toBeDefined();
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  test("the pod runs as non-root, with a non-zero uid", () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toEqual(expect.any(Number));
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const c of containers) {
      // A container may narrow the pod's settings, never undo them.
      expect([c.name, c.securityContext?.runAsNonRoot ?? true, c.securityContext?.runAsUser ?? 1]).toEqual([c.name, true, expect.any(Number)]);
      expect(c.securityContext?.runAsUser ?? 1).toBeGreaterThan(0);
    }
  });

  test("every container: read-only root filesystem, no privilege escalation, all capabilities dropped", () => {
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      expect({ container: c.name, readOnlyRootFilesystem: sc.readOnlyRootFilesystem, allowPrivilegeEscalation: sc.allowPrivilegeEscalation, privileged: sc.privileged ?? false }).toEqual({
        container: c.name,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
      });
      expect(sc.capabilities?.drop).toContain("ALL");
      expect(sc.capabilities?.add ?? []).toEqual([]);
    }
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
    // No command: the image's ENTRYPOINT (node dist/cli.js) runs, with these arguments in place of its CMD.
    expect(c.command).toBeUndefined();
    expect(c.args?.[0]).toBe("run");
    expect(unknownEnv(c)).toEqual([]);
    const config = await operatorConfig(c);
    expect(config.inCluster).toBe(true);
    // More than one replica must not mean more than one writer.
    if ((deployment.spec.replicas ?? 1) > 1) expect(config.leaderElection.enabled || config.shard.count > 1).toBe(true);
    if (config.leaderElection.enabled) {
      // The Lease lives where the leader-election Role grants it.
      const role = (findAll(docs, "Role") as Array<Manifest & { rules: Rule[] }>).find((r) => r.rules.some((x) => x.apiGroups.includes("coordination.k8s.io") && x.resources.includes("leases")));
      expect(role?.metadata.namespace).toBe(config.leaderElection.namespace);
      expect(config.leaderElection.identity.startsWith(`${POD_NAME}_`)).toBe(true);
    }
    const metrics = c.ports?.find((p) => p.name === "metrics");
    expect(metrics?.containerPort).toBe(config.metricsPort);
  });

  test("a typo in the arguments or an unknown POD_HEALTH_ variable would fail (the check has teeth)", async () => {
    const c = pod.containers[0];
    await expect(operatorConfig({ ...c, args: [...(c.args ?? []), "--leader-elekt"] })).rejects.toThrow(/unknown option '--leader-elekt'/);
    await expect(operatorConfig({ ...c, args: [...(c.args ?? []), "--report-mode=some"] })).rejects.toThrow(/report-mode/);
    await expect(operatorConfig({ ...c, args: ["rn"] })).rejects.toThrow(/unknown command 'rn'|did not run/);
    const withEnv = (name: string, value: string): Container => ({ ...c, env: [...(c.env ?? []), { name, value }] });
    await expect(operatorConfig(withEnv("POD_HEALTH_REPORT_MODE", "unhealthy"))).resolves.toMatchObject({ reportMode: "unhealthy" });
    await expect(operatorConfig(withEnv("POD_HEALTH_REPORT_MODE", "some"))).rejects.toThrow(/report-mode/);
    expect(unknownEnv(withEnv("POD_HEALTH_REPORT_MOD", "unhealthy"))).toEqual(["POD_HEALTH_REPORT_MOD"]);
  });
});

describe("Dockerfile", () => {
  const text = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  // Only the last stage is the image; instructions continue over backslash-newlines.
  const finalStage = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const lastFrom = finalStage.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const stage = finalStage.slice(lastFrom);
  const instruction = (name: string): string[] => stage.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length).trim());

  test("runs as a non-root user, the uid the Deployment asks for", () => {
    const users = instruction("USER");
    expect(users.length).toBeGreaterThan(0);
    const [user] = users[users.length - 1].split(":");
    expect(user).not.toMatch(/^(root|0)$/);
    expect(Number(user)).toBe(deployment.spec.template.spec.securityContext?.runAsUser);
  });

  test("runs dist/cli.js, the package's bin, built and copied in", () => {
    const entrypoint = JSON.parse(instruction("ENTRYPOINT").at(-1) ?? "null") as string[];
    expect(entrypoint).toEqual(["node", "dist/cli.js"]);
    expect(JSON.parse(instruction("CMD").at(-1) ?? "null")).toEqual(["run"]);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(Object.values(pkg.bin)).toContain(entrypoint[1]);
    expect(instruction("COPY").some((c) => /\bdist\b/.test(c))).toBe(true);
  });
});

// kubectl apply of deploy/ needs ServiceAccounts, RBAC and apps/v1 Deployments, which the simulated cluster does
// not serve; the CRD it does serve, so that much goes through the real kubectl.
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`kubectl apply of crds/ skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);

(hasKubectl ? describe : describe.skip)("kubectl apply -f crds/ against the simulated cluster", () => {
  let cluster: SimCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startSimCluster({ crdDirs: [] });
    dir = await mkdtemp(path.join(tmpdir(), "deploy-kubectl-"));
    await cluster.writeKubeconfig(path.join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await cluster?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(KUBECTL, ["--kubeconfig", path.join(dir, "kubeconfig"), "--cache-dir", path.join(dir, "cache"), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  test("creates the CRD, which then serves its resource", async () => {
    const applied = await kubectl("apply", "-f", CRD_DIR);
    expect(applied).toMatchObject({ code: 0, stdout: `customresourcedefinition.apiextensions.k8s.io/${PLURAL}.${GROUP} created\n` });
    const listed = await kubectl("get", `${PLURAL}.${GROUP}`, "-A");
    expect([listed.code, listed.stderr.trim()]).toEqual([0, "No resources found"]);
  });
});
