// Defaults and validation for the built-in kinds served as plain stored objects (see storedKinds in resources.ts).
// They mirror the parts of kubernetes 1.32 that a person at a terminal meets: pkg/apis/*/v1 defaults.go (Secret
// type, Service type, ports and cluster IP, Deployment and StatefulSet knobs, NetworkPolicy policyTypes), the
// Secret stringData conversion, and pkg/apis/*/validation (required fields, selectors that must match their
// template, immutable fields, RBAC rules and role references). Not mirrored: the pod template's own defaults and
// the full pod-spec validation, field types (a string where a number belongs is stored as sent), and quotas.
import { randomInt } from "node:crypto";
import { badRequest, invalid } from "./errors.js";
import { jsonEqual } from "./objects.js";
import type { ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

type Json = Record<string, unknown>;
type Cause = { field: string; message: string; reason?: string };

const RBAC_GROUP = "rbac.authorization.k8s.io";
/** ConfigMap and Secret keys: IsConfigMapKey (apimachinery validation.go). */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The most a ConfigMap's or Secret's data may hold (MaxSecretSize, 1 MiB). */
const MAX_DATA_BYTES = 1024 * 1024;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const required = (field: string, message = "Required value"): Cause => ({ field, message, reason: "FieldValueRequired" });
const unsupported = (field: string, value: unknown, supported: string[]): Cause => ({
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
  reason: "FieldValueNotSupported",
});
const immutable = (field: string, value: unknown): Cause => ({ field, message: `Invalid value: ${JSON.stringify(value)}: field is immutable` });

/** `Deployment.apps`, `Secret`: how the server names a kind in a 422 message. */
function qualifiedKind(info: ResourceInfo): string {
  return info.group === "" ? info.kind : `${info.kind}.${info.group}`;
}

function fail(info: ResourceInfo, o: KubeObject, causes: Cause[]): void {
  if (causes.length > 0) throw invalid(qualifiedKind(info), o.metadata?.name ?? "", causes);
}

// ---- defaults ----------------------------------------------------------------------------------------------------

function defaultSecret(o: KubeObject): void {
  o.type ||= "Opaque";
  // stringData is write-only: the v1 conversion folds it into data, overriding keys that are in both.
  if (isObject(o.stringData)) {
    const data = { ...obj(o.data) };
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    o.data = data;
  }
  delete o.stringData;
}

function randomClusterIP(): string {
  // The default service CIDR, 10.96.0.0/12, less its first addresses (10.96.0.1 is the kubernetes service).
  return `10.${96 + randomInt(0, 16)}.${randomInt(0, 256)}.${randomInt(2, 255)}`;
}

function defaultService(o: KubeObject, existing: KubeObject | undefined): void {
  const spec = (o.spec = { ...obj(o.spec) });
  spec.type ||= "ClusterIP";
  if (spec.type === "ExternalName") return;
  spec.sessionAffinity ||= "None";
  const old = obj(existing?.spec);
  // An update that leaves the cluster IP out keeps the allocated one (service storage patchAllocatedValues).
  if (!spec.clusterIP && typeof old.clusterIP === "string") spec.clusterIP = old.clusterIP;
  spec.clusterIP ||= randomClusterIP();
  spec.clusterIPs = [spec.clusterIP];
  if (spec.clusterIP !== "None") {
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
  }
  spec.internalTrafficPolicy ??= "Cluster";
  const nodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
  if (nodePorts) spec.externalTrafficPolicy ??= "Cluster";
  spec.ports = list(spec.ports).map((p, i) => {
    const port = { ...obj(p) };
    port.protocol ||= "TCP";
    port.targetPort ??= port.port;
    if (nodePorts) port.nodePort ??= obj(list(old.ports)[i]).nodePort ?? randomInt(30000, 32768);
    return port;
  });
  o.status ??= { loadBalancer: {} };
}

function defaultDeployment(o: KubeObject): void {
  const spec = (o.spec = { ...obj(o.spec) });
  spec.replicas ??= 1;
  spec.strategy ??= { type: "RollingUpdate" };
  const strategy = (spec.strategy = { ...obj(spec.strategy) });
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") strategy.rollingUpdate = { maxUnavailable: "25%", maxSurge: "25%", ...obj(strategy.rollingUpdate) };
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

function defaultStatefulSet(o: KubeObject): void {
  const spec = (o.spec = { ...obj(o.spec) });
  spec.replicas ??= 1;
  spec.podManagementPolicy ||= "OrderedReady";
  const strategy = (spec.updateStrategy = { ...obj(spec.updateStrategy) });
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") strategy.rollingUpdate = { partition: 0, ...obj(strategy.rollingUpdate) };
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Retain", whenScaled: "Retain", ...obj(spec.persistentVolumeClaimRetentionPolicy) };
}

function defaultNetworkPolicy(o: KubeObject): void {
  const spec = (o.spec = { ...obj(o.spec) });
  if (list(spec.policyTypes).length === 0) spec.policyTypes = list(spec.egress).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Fills the defaults the real server applies to a stored kind on every write; `existing` on updates. */
export function defaultStoredKind(info: ResourceInfo, o: KubeObject, existing?: KubeObject): void {
  switch (info.key) {
    case "secrets":
      return defaultSecret(o);
    case "services":
      return defaultService(o, existing);
    case "deployments.apps":
      return defaultDeployment(o);
    case "statefulsets.apps":
      return defaultStatefulSet(o);
    case "networkpolicies.networking.k8s.io":
      return defaultNetworkPolicy(o);
  }
}

// ---- validation --------------------------------------------------------------------------------------------------

function validateData(o: KubeObject, binaryField: "binaryData" | undefined, causes: Cause[]): void {
  let size = 0;
  const keys = new Set<string>();
  for (const field of ["data", binaryField].filter((f): f is string => f !== undefined)) {
    for (const [key, value] of Object.entries(obj(o[field]))) {
      if (!DATA_KEY.test(key) || key.length > 253) {
        causes.push({ field: `${field}[${key}]`, message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` });
      }
      if (keys.has(key)) causes.push({ field: `${field}[${key}]`, message: `Invalid value: "${key}": duplicate of key present in data` });
      keys.add(key);
      if (typeof value !== "string") throw badRequest(`${o.kind ?? ""} in version "v1" cannot be handled as a ${o.kind ?? ""}: json: cannot unmarshal ${typeof value} into Go struct field ${o.kind ?? ""}.${field} of type string`);
      // data of a Secret and binaryData of a ConfigMap are []byte: base64 in JSON, or the body does not decode.
      const bytes = field === "binaryData" || o.kind === "Secret";
      if (bytes && !BASE64.test(value)) throw badRequest(`${o.kind ?? ""} in version "v1" cannot be handled as a ${o.kind ?? ""}: illegal base64 data in ${field}[${key}]`);
      size += key.length + (bytes ? Math.floor((value.length * 3) / 4) : Buffer.byteLength(value));
    }
  }
  if (size > MAX_DATA_BYTES) causes.push({ field: "data", message: `Too long: must have at most ${MAX_DATA_BYTES} bytes`, reason: "FieldValueTooLong" });
}

const SECRET_KEYS: Record<string, string[]> = {
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

function validateSecret(o: KubeObject, causes: Cause[]): void {
  validateData(o, undefined, causes);
  const data = obj(o.data);
  for (const key of SECRET_KEYS[String(o.type)] ?? []) if (!(key in data)) causes.push(required(`data[${key}]`));
  if (o.type === "kubernetes.io/basic-auth" && !("username" in data) && !("password" in data)) {
    causes.push(required("data[username]", "Required value: must have at least one of username or password"));
  }
}

function labelsMatch(selector: Json, labels: Json): boolean {
  for (const [k, v] of Object.entries(obj(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const e of list(selector.matchExpressions).map(obj)) {
    const key = String(e.key ?? "");
    const values = list(e.values).map(String);
    const has = key in labels;
    if (e.operator === "In" && !(has && values.includes(String(labels[key])))) return false;
    if (e.operator === "NotIn" && has && values.includes(String(labels[key]))) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** ValidateDeploymentSpec / ValidateStatefulSetSpec: the selector, the template it must select, its containers. */
function validateWorkload(info: ResourceInfo, o: KubeObject, causes: Cause[]): void {
  const spec = obj(o.spec);
  if (typeof spec.replicas === "number" && spec.replicas < 0) causes.push({ field: "spec.replicas", message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0` });
  const selector = spec.selector;
  const template = obj(spec.template);
  const labels = obj(obj(template.metadata).labels);
  if (!isObject(selector)) causes.push(required("spec.selector"));
  else if (Object.keys(obj(selector.matchLabels)).length === 0 && list(selector.matchExpressions).length === 0) {
    causes.push({ field: "spec.selector", message: `Invalid value: ${JSON.stringify(selector)}: empty selector is invalid for ${info.kind.toLowerCase()}` });
  } else if (!labelsMatch(selector, labels)) {
    causes.push({ field: "spec.template.metadata.labels", message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
  }
  const podSpec = obj(template.spec);
  const containers = list(podSpec.containers).map(obj);
  if (containers.length === 0) causes.push(required("spec.template.spec.containers"));
  containers.forEach((c, i) => {
    if (!c.name) causes.push(required(`spec.template.spec.containers[${i}].name`));
    if (!c.image) causes.push(required(`spec.template.spec.containers[${i}].image`));
  });
  if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== "Always") causes.push(unsupported("spec.template.spec.restartPolicy", podSpec.restartPolicy, ["Always"]));
}

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validateService(o: KubeObject, causes: Cause[]): void {
  const spec = obj(o.spec);
  if (!SERVICE_TYPES.includes(String(spec.type))) causes.push(unsupported("spec.type", spec.type, SERVICE_TYPES));
  if (spec.type === "ExternalName") {
    if (!spec.externalName) causes.push(required("spec.externalName"));
    return;
  }
  const ports = list(spec.ports).map(obj);
  if (ports.length === 0 && spec.clusterIP !== "None") causes.push(required("spec.ports"));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) causes.push(required(`${at}.name`));
    if (typeof p.name === "string" && p.name !== "") {
      if (names.has(p.name)) causes.push({ field: `${at}.name`, message: `Duplicate value: "${p.name}"`, reason: "FieldValueDuplicate" });
      names.add(p.name);
    }
    if (!(Number.isInteger(p.port) && (p.port as number) >= 1 && (p.port as number) <= 65535)) {
      causes.push({ field: `${at}.port`, message: `Invalid value: ${JSON.stringify(p.port ?? 0)}: must be between 1 and 65535, inclusive` });
    }
    if (!PROTOCOLS.includes(String(p.protocol))) causes.push(unsupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
}

/** ValidatePolicyRule (pkg/apis/rbac/validation). */
function validateRules(o: KubeObject, namespaced: boolean, causes: Cause[]): void {
  list(o.rules)
    .map(obj)
    .forEach((rule, i) => {
      const at = `rules[${i}]`;
      if (list(rule.verbs).length === 0) causes.push(required(`${at}.verbs`, "Required value: verbs must contain at least one value"));
      if (list(rule.nonResourceURLs).length > 0) {
        if (namespaced) causes.push({ field: `${at}.nonResourceURLs`, message: `Invalid value: ${JSON.stringify(rule.nonResourceURLs)}: namespaced rules cannot apply to non-resource URLs` });
        if (list(rule.apiGroups).length > 0 || list(rule.resources).length > 0 || list(rule.resourceNames).length > 0) {
          causes.push({ field: `${at}.nonResourceURLs`, message: `Invalid value: ${JSON.stringify(rule.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs` });
        }
        return;
      }
      if (list(rule.apiGroups).length === 0) causes.push(required(`${at}.apiGroups`, "Required value: resource rules must supply at least one api group"));
      if (list(rule.resources).length === 0) causes.push(required(`${at}.resources`, "Required value: resource rules must supply at least one resource"));
    });
}

/** ValidateRoleBinding / ValidateClusterRoleBinding: the role reference and the subjects. */
function validateBinding(o: KubeObject, namespaced: boolean, causes: Cause[]): void {
  const ref = obj(o.roleRef);
  if (ref.apiGroup !== RBAC_GROUP) causes.push(unsupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  const kinds = namespaced ? ["ClusterRole", "Role"] : ["ClusterRole"];
  if (!kinds.includes(String(ref.kind))) causes.push(unsupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) causes.push(required("roleRef.name"));
  list(o.subjects)
    .map(obj)
    .forEach((s, i) => {
      const at = `subjects[${i}]`;
      if (!s.name) causes.push(required(`${at}.name`));
      if (s.kind === "ServiceAccount") {
        if (s.apiGroup) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup, [""]));
        if (!namespaced && !s.namespace) causes.push(required(`${at}.namespace`));
      } else if (s.kind === "User" || s.kind === "Group") {
        if (s.apiGroup !== RBAC_GROUP) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
      } else causes.push(unsupported(`${at}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
    });
}

function validatePdb(o: KubeObject, causes: Cause[]): void {
  const spec = obj(o.spec);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.push({ field: "spec", message: `Invalid value: ${JSON.stringify(spec)}: minAvailable and maxUnavailable cannot be both set` });
  }
  for (const field of ["minAvailable", "maxUnavailable"]) {
    const v = spec[field];
    if (v === undefined) continue;
    const ok = (typeof v === "number" && Number.isInteger(v) && v >= 0) || (typeof v === "string" && /^\d+%$/.test(v) && Number(v.slice(0, -1)) <= 100);
    if (!ok) causes.push({ field: `spec.${field}`, message: `Invalid value: ${JSON.stringify(v)}: must be a non-negative integer or a percentage between 0% and 100%` });
  }
}

function validateNetworkPolicy(o: KubeObject, causes: Cause[]): void {
  const spec = obj(o.spec);
  list(spec.policyTypes).forEach((t, i) => {
    if (t !== "Ingress" && t !== "Egress") causes.push(unsupported(`spec.policyTypes[${i}]`, t, ["Ingress", "Egress"]));
  });
}

/** Validates a stored kind about to be written; throws 422 Invalid (400 for data that would not decode). */
export function validateStoredKind(info: ResourceInfo, o: KubeObject): void {
  const causes: Cause[] = [];
  switch (info.key) {
    case "configmaps":
      validateData(o, "binaryData", causes);
      break;
    case "secrets":
      validateSecret(o, causes);
      break;
    case "services":
      validateService(o, causes);
      break;
    case "deployments.apps":
    case "statefulsets.apps":
      validateWorkload(info, o, causes);
      break;
    case "roles.rbac.authorization.k8s.io":
    case "clusterroles.rbac.authorization.k8s.io":
      validateRules(o, info.namespaced, causes);
      break;
    case "rolebindings.rbac.authorization.k8s.io":
    case "clusterrolebindings.rbac.authorization.k8s.io":
      validateBinding(o, info.namespaced, causes);
      break;
    case "networkpolicies.networking.k8s.io":
      validateNetworkPolicy(o, causes);
      break;
    case "poddisruptionbudgets.policy":
      validatePdb(o, causes);
      break;
  }
  fail(info, o, causes);
}

/** StatefulSet spec fields an update may change (ValidateStatefulSetUpdate, 1.32). */
const STS_MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

/** What an update may not change: selectors, role references, Secret types, immutable data, cluster IPs. */
export function validateStoredKindUpdate(info: ResourceInfo, existing: KubeObject, next: KubeObject): void {
  const causes: Cause[] = [];
  const was = obj(existing.spec);
  const is = obj(next.spec);
  switch (info.key) {
    case "configmaps":
    case "secrets":
      if (existing.immutable === true) {
        if (next.immutable !== true) causes.push({ field: "immutable", message: "Forbidden: field is immutable when `immutable` is set", reason: "FieldValueForbidden" });
        for (const field of ["data", "binaryData"]) {
          if (!jsonEqual(existing[field] ?? {}, next[field] ?? {})) causes.push({ field, message: "Forbidden: field is immutable when `immutable` is set", reason: "FieldValueForbidden" });
        }
      }
      if (info.key === "secrets" && existing.type !== next.type) causes.push(immutable("type", next.type));
      break;
    case "services":
      if (was.clusterIP !== undefined && is.clusterIP !== was.clusterIP) causes.push({ field: "spec.clusterIPs[0]", message: `Invalid value: ${JSON.stringify(is.clusterIP)}: may not change once set` });
      break;
    case "deployments.apps":
      if (!jsonEqual(was.selector, is.selector)) causes.push(immutable("spec.selector", is.selector));
      break;
    case "statefulsets.apps": {
      const changed = Object.keys({ ...was, ...is }).filter((k) => !STS_MUTABLE.includes(k) && !jsonEqual(was[k], is[k]));
      if (changed.length > 0) {
        causes.push({
          field: "spec",
          message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          reason: "FieldValueForbidden",
        });
      }
      break;
    }
    case "rolebindings.rbac.authorization.k8s.io":
    case "clusterrolebindings.rbac.authorization.k8s.io":
      if (!jsonEqual(existing.roleRef, next.roleRef)) causes.push({ field: "roleRef", message: `Invalid value: ${JSON.stringify(next.roleRef)}: cannot change roleRef` });
      break;
  }
  fail(info, next, causes);
}
