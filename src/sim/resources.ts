// What the server serves: the built-in resources and those that CustomResourceDefinitions add at run time. The
// store, discovery, routing and tables all read this registry, so a CRD becomes servable the moment it is stored
// and disappears with it.
import type { Schema } from "./schema.js";
import type { KubeObject, ResourceKey } from "./types.js";

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ResourceInfo {
  /** The registry key in `plural.group` notation (`pods`, `events.events.k8s.io`). */
  key: ResourceKey;
  /** The store key the objects live under; differs from `key` only for views (events.k8s.io events). */
  storage: ResourceKey;
  group: string;
  /** Served versions, the preferred (storage) one first. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
  /** Whether metadata.generation is kept (bumped on spec changes). */
  hasGeneration: boolean;
  /** Field selector labels served besides metadata.name and metadata.namespace. */
  fieldLabels: string[];
  /** True for resources defined by a CRD: no strategic merge patch, apiVersion follows the request. */
  custom: boolean;
  /** additionalPrinterColumns of a CRD, per version. */
  printerColumns?: Record<string, PrinterColumn[]>;
  /**
   * How metadata.name is validated when it is not a DNS subdomain (the default): services take an RFC 1035 label,
   * RBAC objects any path segment (`system:aggregate-to-view`). Namespaces are RFC 1123 labels (store.ts).
   */
  nameRule?: "dns1035-label" | "path-segment";
  /** openAPIV3Schema of a CRD, per version: pruning and validation of custom resources. */
  schemas?: Record<string, Schema>;
}

export const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const POD_FIELDS = [
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.schedulerName",
  "spec.serviceAccountName",
  "spec.hostNetwork",
  "status.phase",
  "status.podIP",
  "status.nominatedNodeName",
];

const EVENT_FIELDS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

function builtin(partial: Omit<ResourceInfo, "storage" | "custom" | "listKind" | "categories" | "fieldLabels"> & Partial<ResourceInfo>): ResourceInfo {
  return {
    storage: partial.key,
    custom: false,
    listKind: `${partial.kind}List`,
    categories: [],
    fieldLabels: [],
    ...partial,
  };
}

export const CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io";

export function builtinResources(): ResourceInfo[] {
  return [
    builtin({ key: "namespaces", group: "", versions: ["v1"], plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], statusSubresource: true, hasGeneration: false, fieldLabels: ["status.phase"] }),
    builtin({ key: "pods", group: "", versions: ["v1"], plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], statusSubresource: true, hasGeneration: true, fieldLabels: POD_FIELDS }),
    builtin({ key: "events", group: "", versions: ["v1"], plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], statusSubresource: false, hasGeneration: false, fieldLabels: EVENT_FIELDS }),
    builtin({ key: "events.events.k8s.io", storage: "events", group: "events.k8s.io", versions: ["v1"], plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], statusSubresource: false, hasGeneration: false, fieldLabels: EVENT_FIELDS }),
    builtin({ key: "leases.coordination.k8s.io", group: "coordination.k8s.io", versions: ["v1"], plural: "leases", singular: "lease", kind: "Lease", namespaced: true, shortNames: [], statusSubresource: false, hasGeneration: false }),
    ...storedKinds(),
    builtin({ key: CRD_KEY, group: "apiextensions.k8s.io", versions: ["v1"], plural: "customresourcedefinitions", singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"], statusSubresource: true, hasGeneration: true }),
  ];
}

/**
 * Built-in kinds served as plain stored objects, with no controller behind them (a Deployment creates no pods):
 * what deploy/ holds and what users apply in a demo. Names, short names, categories and scope are those that
 * `kubectl api-resources` shows on a 1.32 server; their defaults, validation and tables live in stored-kinds*.ts.
 * Subresources other than status (deployments/scale, serviceaccounts/token, services/proxy) are not served.
 */
function storedKinds(): ResourceInfo[] {
  const core = (plural: string, kind: string, shortNames: string[], more: Partial<ResourceInfo> = {}): ResourceInfo =>
    builtin({ key: plural, group: "", versions: ["v1"], plural, singular: kind.toLowerCase(), kind, namespaced: true, shortNames, statusSubresource: false, hasGeneration: false, ...more });
  const grouped = (group: string, plural: string, kind: string, shortNames: string[], more: Partial<ResourceInfo> = {}): ResourceInfo =>
    builtin({ key: `${plural}.${group}`, group, versions: ["v1"], plural, singular: kind.toLowerCase(), kind, namespaced: true, shortNames, statusSubresource: false, hasGeneration: false, ...more });
  const rbac = "rbac.authorization.k8s.io";
  return [
    core("configmaps", "ConfigMap", ["cm"]),
    core("secrets", "Secret", [], { fieldLabels: ["type"] }),
    core("serviceaccounts", "ServiceAccount", ["sa"]),
    core("services", "Service", ["svc"], { categories: ["all"], statusSubresource: true, nameRule: "dns1035-label" }),
    grouped("apps", "deployments", "Deployment", ["deploy"], { categories: ["all"], statusSubresource: true, hasGeneration: true }),
    grouped("apps", "statefulsets", "StatefulSet", ["sts"], { categories: ["all"], statusSubresource: true, hasGeneration: true }),
    grouped(rbac, "clusterroles", "ClusterRole", [], { namespaced: false, nameRule: "path-segment" }),
    grouped(rbac, "clusterrolebindings", "ClusterRoleBinding", [], { namespaced: false, nameRule: "path-segment" }),
    grouped(rbac, "roles", "Role", [], { nameRule: "path-segment" }),
    grouped(rbac, "rolebindings", "RoleBinding", [], { nameRule: "path-segment" }),
    grouped("networking.k8s.io", "networkpolicies", "NetworkPolicy", ["netpol"], { hasGeneration: true }),
    grouped("policy", "poddisruptionbudgets", "PodDisruptionBudget", ["pdb"], { statusSubresource: true, hasGeneration: true }),
  ];
}

interface CrdVersion {
  name?: string;
  schema?: { openAPIV3Schema?: Schema };
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
}

/** The default columns the server gives a CRD version that declares none. */
const DEFAULT_CRD_COLUMNS: PrinterColumn[] = [
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
];

/** The resource a (validated) CRD defines. */
export function resourceFromCrd(crd: KubeObject): ResourceInfo {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  const served = (spec.versions ?? []).filter((v) => v.served !== false && typeof v.name === "string");
  // The storage version is the preferred one in discovery when several are served.
  served.sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  const printerColumns: Record<string, PrinterColumn[]> = {};
  const schemas: Record<string, Schema> = {};
  for (const v of served) {
    printerColumns[v.name as string] = v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : DEFAULT_CRD_COLUMNS;
    if (v.schema?.openAPIV3Schema) schemas[v.name as string] = v.schema.openAPIV3Schema;
  }
  const plural = names.plural ?? "";
  const group = spec.group ?? "";
  return {
    key: `${plural}.${group}`,
    storage: `${plural}.${group}`,
    group,
    versions: served.map((v) => v.name as string),
    plural,
    singular: names.singular ?? (names.kind ?? "").toLowerCase(),
    kind: names.kind ?? "",
    listKind: names.listKind ?? `${names.kind ?? ""}List`,
    namespaced: spec.scope !== "Cluster",
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    // The server decides per version; one flag is enough while every served version agrees, which is the norm.
    statusSubresource: served.some((v) => v.subresources?.status !== undefined),
    hasGeneration: true,
    fieldLabels: [],
    custom: true,
    printerColumns,
    schemas,
  };
}

export class ResourceRegistry {
  private readonly byKey = new Map<ResourceKey, ResourceInfo>();

  constructor(resources: ResourceInfo[] = builtinResources()) {
    for (const r of resources) this.byKey.set(r.key, r);
  }

  register(info: ResourceInfo): void {
    this.byKey.set(info.key, info);
  }

  unregister(key: ResourceKey): void {
    this.byKey.delete(key);
  }

  get(key: ResourceKey): ResourceInfo | undefined {
    return this.byKey.get(key);
  }

  /** The resource whose objects are stored under `key` (never a view). */
  storageInfo(key: ResourceKey): ResourceInfo | undefined {
    const info = this.byKey.get(key);
    return info && info.storage === info.key ? info : undefined;
  }

  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    const info = this.byKey.get(group === "" ? plural : `${plural}.${group}`);
    return info && info.versions.includes(version) ? info : undefined;
  }

  all(): ResourceInfo[] {
    return [...this.byKey.values()];
  }

  inGroupVersion(group: string, version: string): ResourceInfo[] {
    return this.all().filter((r) => r.group === group && r.versions.includes(version));
  }

  /** Groups other than the core group, each with its versions, preferred first; in registration order. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, string[]>();
    for (const r of this.byKey.values()) {
      if (r.group === "") continue;
      const versions = groups.get(r.group) ?? [];
      for (const v of r.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(r.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }
}
