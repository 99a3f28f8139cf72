// The restricted Pod Security Standard as a pure check of a pod spec, after k8s.io/pod-security-admission/policy
// (Kubernetes 1.32, level restricted, version latest): the baseline checks a workload of this kind could trip
// (check_privileged.go, check_hostNamespaces.go, check_hostPorts.go, check_hostPathVolumes.go,
// check_capabilities_baseline.go) and the restricted ones (check_restrictedVolumes.go,
// check_allowPrivilegeEscalation.go, check_runAsNonRoot.go, check_runAsUser.go,
// check_seccompProfile_restricted.go, check_capabilities_restricted.go). Each returns the reason as the admission
// plugin words it. The namespace enforces the same profile on a real cluster; this finds a slip before that.

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  volumes?: Array<Record<string, unknown> & { name: string }>;
  containers: ContainerLike[];
  initContainers?: ContainerLike[];
}

export interface ContainerLike {
  name: string;
  ports?: Array<{ hostPort?: number }>;
  securityContext?: SecurityContext;
}

// check_restrictedVolumes.go: the only volume sources the restricted level allows.
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

/** Every violation of the restricted profile, empty when the pod spec meets it. */
export function restrictedViolations(spec: PodSpecLike): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push("host namespaces");
  for (const v of spec.volumes ?? []) {
    const source = Object.keys(v).find((k) => k !== "name");
    if (source === undefined || !RESTRICTED_VOLUMES.has(source)) out.push(`restricted volume types: ${v.name} uses ${source ?? "nothing"}`);
  }
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !["RuntimeDefault", "Localhost"].includes(podSeccomp)) out.push(`seccompProfile: pod sets ${podSeccomp}`);
  if (pod.runAsUser === 0) out.push("runAsUser=0: pod");
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) out.push(`privileged: ${at}`);
    if ((c.ports ?? []).some((p) => (p.hostPort ?? 0) !== 0)) out.push(`hostPort: ${at}`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`allowPrivilegeEscalation != false: ${at}`);
    // A container inherits the pod's runAsNonRoot unless it says otherwise.
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && pod.runAsNonRoot !== true)) out.push(`runAsNonRoot != true: ${at}`);
    if (sc.runAsUser === 0) out.push(`runAsUser=0: ${at}`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp === undefined || !["RuntimeDefault", "Localhost"].includes(seccomp)) out.push(`seccompProfile: ${at} has ${seccomp ?? "none"}`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`unrestricted capabilities: ${at} does not drop ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length > 0) out.push(`unrestricted capabilities: ${at} adds ${added.join(", ")}`);
  }
  return out;
}
