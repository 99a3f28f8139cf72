// Server-side tables for the built-in kinds served as plain stored objects (ConfigMap, Secret, ServiceAccount,
// Service, Deployment, StatefulSet, RBAC, NetworkPolicy, PodDisruptionBudget). Columns and cells follow kubernetes
// 1.32 pkg/printers/internalversion/printers.go; column descriptions are shortened. Left out: a LoadBalancer
// service's ingress addresses beyond `<pending>`, and nothing else kubectl shows for these kinds.
import { getPath } from "./objects.js";
import { AGE_COLUMN, col, NAME_COLUMN, since, type ColumnDefinition, type Printer } from "./table.js";
import type { KubeObject } from "./types.js";

type Labels = Record<string, string>;
interface Expression {
  key?: string;
  operator?: string;
  values?: string[];
}
interface Container {
  name?: string;
  image?: string;
}

const name = (obj: KubeObject): string => obj.metadata?.name ?? "";
const count = (value: unknown): number => (value && typeof value === "object" ? Object.keys(value).length : 0);
const int = (value: unknown): number => (typeof value === "number" ? Math.trunc(value) : 0);

/** labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when there are none. */
function formatLabels(labels: Labels | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${(labels as Labels)[k]}`).join(",");
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; empty for a selector that selects all. */
export function formatSelector(selector: { matchLabels?: Labels; matchExpressions?: Expression[] } | undefined): string {
  const parts: Array<[string, string]> = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  for (const e of selector?.matchExpressions ?? []) {
    const key = e.key ?? "";
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push([key, `${key} in (${values})`]);
    else if (e.operator === "NotIn") parts.push([key, `${key} notin (${values})`]);
    else if (e.operator === "Exists") parts.push([key, key]);
    else if (e.operator === "DoesNotExist") parts.push([key, `!${key}`]);
  }
  return parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join(",");
}

/** layoutContainerCells: the template's container names and images, comma-separated. */
function containerCells(obj: KubeObject): [string, string] {
  const containers = (getPath(obj, "spec.template.spec.containers") ?? []) as Container[];
  return [containers.map((c) => c.name ?? "").join(","), containers.map((c) => c.image ?? "").join(",")];
}

const containersColumn = (): ColumnDefinition => col("Containers", "string", "Names of each container in the template.", 1);
const imagesColumn = (): ColumnDefinition => col("Images", "string", "Images referenced by each container in the template.", 1);

const deployment = (): Printer => ({
  columns: [
    NAME_COLUMN,
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    col("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    AGE_COLUMN,
    containersColumn(),
    imagesColumn(),
    col("Selector", "string", "Label selector for pods.", 1),
  ],
  row: (obj, now) => ({
    cells: [
      name(obj),
      `${int(getPath(obj, "status.readyReplicas"))}/${int(getPath(obj, "spec.replicas"))}`,
      int(getPath(obj, "status.updatedReplicas")),
      int(getPath(obj, "status.availableReplicas")),
      since(obj.metadata?.creationTimestamp, now),
      ...containerCells(obj),
      formatSelector(getPath(obj, "spec.selector") as Parameters<typeof formatSelector>[0]),
    ],
  }),
});

const statefulSet = (): Printer => ({
  columns: [NAME_COLUMN, col("Ready", "string", "Number of the pod with ready state"), AGE_COLUMN, containersColumn(), imagesColumn()],
  row: (obj, now) => ({
    cells: [name(obj), `${int(getPath(obj, "status.readyReplicas"))}/${int(getPath(obj, "spec.replicas"))}`, since(obj.metadata?.creationTimestamp, now), ...containerCells(obj)],
  }),
});

interface ServicePort {
  port?: number;
  nodePort?: number;
  protocol?: string;
}

/** getServiceExternalIP, as kubectl shows it without -o wide's extra detail. */
function externalIP(spec: { type?: string; externalIPs?: string[]; externalName?: string }, ingress: Array<{ ip?: string; hostname?: string }>): string {
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ExternalName":
      return spec.externalName ?? "<none>";
    case "LoadBalancer": {
      const all = [...ingress.map((i) => i.ip || i.hostname || ""), ...external].filter(Boolean);
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    default:
      return external.length > 0 ? external.join(",") : "<none>";
  }
}

const service = (): Printer => ({
  columns: [
    NAME_COLUMN,
    col("Type", "string", "type determines how the Service is exposed."),
    col("Cluster-IP", "string", "clusterIP is the IP address of the service."),
    col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    col("Port(s)", "string", "The list of ports that are exposed by this service."),
    AGE_COLUMN,
    col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
  ],
  row(obj, now) {
    const spec = (obj.spec ?? {}) as { type?: string; clusterIPs?: string[]; externalIPs?: string[]; externalName?: string; ports?: ServicePort[]; selector?: Labels };
    const ingress = (getPath(obj, "status.loadBalancer.ingress") ?? []) as Array<{ ip?: string; hostname?: string }>;
    const ports = (spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(",");
    return {
      cells: [name(obj), spec.type ?? "", spec.clusterIPs?.[0] ?? "<none>", externalIP(spec, ingress), ports || "<none>", since(obj.metadata?.creationTimestamp, now), formatLabels(spec.selector)],
    };
  },
});

const configMap = (): Printer => ({
  columns: [NAME_COLUMN, col("Data", "integer", "The number of keys in data and binaryData."), AGE_COLUMN],
  row: (obj, now) => ({ cells: [name(obj), count(obj.data) + count(obj.binaryData), since(obj.metadata?.creationTimestamp, now)] }),
});

const secret = (): Printer => ({
  columns: [NAME_COLUMN, col("Type", "string", "Used to facilitate programmatic handling of secret data."), col("Data", "integer", "The number of keys in data."), AGE_COLUMN],
  row: (obj, now) => ({ cells: [name(obj), String(obj.type ?? ""), count(obj.data), since(obj.metadata?.creationTimestamp, now)] }),
});

const serviceAccount = (): Printer => ({
  columns: [NAME_COLUMN, col("Secrets", "string", "The number of secrets listed in the service account."), AGE_COLUMN],
  row: (obj, now) => ({ cells: [name(obj), Array.isArray(obj.secrets) ? obj.secrets.length : 0, since(obj.metadata?.creationTimestamp, now)] }),
});

const role = (): Printer => ({
  columns: [NAME_COLUMN, col("Created At", "date", "The time the object was created.")],
  row: (obj) => ({ cells: [name(obj), obj.metadata?.creationTimestamp ?? null] }),
});

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** rbac SubjectsStrings: users, groups and service accounts (`namespace/name`), each joined with ", ". */
function subjectCells(subjects: Subject[]): [string, string, string] {
  const of = (kind: string): Subject[] => subjects.filter((s) => s.kind === kind);
  return [
    of("User").map((s) => s.name ?? "").join(", "),
    of("Group").map((s) => s.name ?? "").join(", "),
    of("ServiceAccount").map((s) => `${s.namespace ?? ""}/${s.name ?? ""}`).join(", "),
  ];
}

const roleBinding = (): Printer => ({
  columns: [
    NAME_COLUMN,
    col("Role", "string", "RoleRef is the reference to the role the binding refers to."),
    AGE_COLUMN,
    col("Users", "string", "Users in the binding", 1),
    col("Groups", "string", "Groups in the binding", 1),
    col("ServiceAccounts", "string", "ServiceAccounts in the binding", 1),
  ],
  row: (obj, now) => ({
    cells: [
      name(obj),
      `${String(getPath(obj, "roleRef.kind") ?? "")}/${String(getPath(obj, "roleRef.name") ?? "")}`,
      since(obj.metadata?.creationTimestamp, now),
      ...subjectCells(Array.isArray(obj.subjects) ? (obj.subjects as Subject[]) : []),
    ],
  }),
});

const networkPolicy = (): Printer => ({
  columns: [NAME_COLUMN, col("Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies."), AGE_COLUMN],
  row(obj, now) {
    const selector = formatSelector(getPath(obj, "spec.podSelector") as Parameters<typeof formatSelector>[0]);
    return { cells: [name(obj), selector || "<none>", since(obj.metadata?.creationTimestamp, now)] };
  },
});

/** An IntOrString cell: `N/A` when unset. */
const intOrString = (value: unknown): string => (value === undefined || value === null ? "N/A" : String(value));

const podDisruptionBudget = (): Printer => ({
  columns: [
    NAME_COLUMN,
    col("Min Available", "string", "The minimum number of pods that must be available."),
    col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    AGE_COLUMN,
  ],
  row: (obj, now) => ({
    cells: [
      name(obj),
      intOrString(getPath(obj, "spec.minAvailable")),
      intOrString(getPath(obj, "spec.maxUnavailable")),
      int(getPath(obj, "status.disruptionsAllowed")),
      since(obj.metadata?.creationTimestamp, now),
    ],
  }),
});

let printers: Map<string, Printer> | undefined;

/**
 * The printer of a stored built-in kind, by registry key; undefined for other kinds. Printers are built on first
 * use, not at load: table.ts imports this module, and this one builds on table.ts's columns.
 */
export function storedKindPrinter(key: string): Printer | undefined {
  printers ??= new Map<string, Printer>([
    ["configmaps", configMap()],
    ["secrets", secret()],
    ["serviceaccounts", serviceAccount()],
    ["services", service()],
    ["deployments.apps", deployment()],
    ["statefulsets.apps", statefulSet()],
    ["clusterroles.rbac.authorization.k8s.io", role()],
    ["roles.rbac.authorization.k8s.io", role()],
    ["clusterrolebindings.rbac.authorization.k8s.io", roleBinding()],
    ["rolebindings.rbac.authorization.k8s.io", roleBinding()],
    ["networkpolicies.networking.k8s.io", networkPolicy()],
    ["poddisruptionbudgets.policy", podDisruptionBudget()],
  ]);
  return printers.get(key);
}
