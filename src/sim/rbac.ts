// RBAC for the simulated API server: the request attributes kube-apiserver derives from a method and a path
// (its RequestInfoFactory), and the RBAC authorizer's decision for a ServiceAccount given Roles, ClusterRoles and
// their bindings as parsed from YAML. Pure: no I/O, no clock. Aggregated ClusterRoles are not expanded.
import { ApiError } from "./errors.js";

/** What kube-apiserver's authorizers see of a request (authorizer.Attributes). */
export interface RequestAttributes {
  /** False for discovery, /version, /healthz, /openapi and anything else outside /api/v1/… and /apis/g/v/…. */
  resourceRequest: boolean;
  /** get, list, watch, create, update, patch, delete, deletecollection; the lower-case method for non-resource requests. */
  verb: string;
  apiGroup: string;
  apiVersion: string;
  /** `pods`, `leases`; empty for non-resource requests. */
  resource: string;
  subresource: string;
  /** Empty for cluster-scoped requests and all-namespace lists and watches. */
  namespace: string;
  name: string;
  path: string;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface RbacSubject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface Role {
  kind: "Role" | "ClusterRole";
  name: string;
  /** Empty for ClusterRoles. */
  namespace: string;
  rules: PolicyRule[];
}

export interface Binding {
  kind: "RoleBinding" | "ClusterRoleBinding";
  name: string;
  /** Empty for ClusterRoleBindings. */
  namespace: string;
  roleRef: RoleRef;
  subjects: RbacSubject[];
}

export interface RbacPolicy {
  roles: Role[];
  bindings: Binding[];
}

/** A ServiceAccount as the authorizer knows it: its user name and groups. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** What the simulated server asks before serving a resource request. */
export interface RequestAuthorizer {
  /** The user every request comes from: the simulated server does no authentication. */
  readonly user: string;
  allows(attrs: RequestAttributes): boolean;
}

/** One verb on one resource of one group, granted cluster-wide (namespace "") or in one namespace. */
export interface Grant {
  binding: string;
  role: string;
  namespace: string;
  apiGroup: string;
  resource: string;
  verb: string;
  resourceNames: string[];
}

const SPECIAL_VERBS = new Set(["proxy", "watch"]);
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
const METHOD_VERBS: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };

/**
 * The name an exact `metadata.name=` (or `==`) term of a field selector pins, as fields.Selector's
 * RequiresExactMatch; undefined when there is none or it is not a valid path segment.
 */
function exactName(fieldSelector: string | null): string | undefined {
  for (const term of (fieldSelector ?? "").split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (!m) continue;
    const name = m[1];
    if (name === "" || name === "." || name === ".." || /[/%]/.test(name)) return undefined;
    return name;
  }
  return undefined;
}

/**
 * The attributes kube-apiserver's RequestInfoFactory derives. A GET without a name is a list, or a watch with
 * `watch=true`/`watch=1` (the values this server serves as a watch; kube-apiserver takes anything but false/0);
 * a DELETE without a name is a deletecollection; a list's `metadata.name=` field selector names the object.
 */
export function requestAttributes(method: string, path: string, query: URLSearchParams = new URLSearchParams()): RequestAttributes {
  const m = method.toUpperCase();
  const attrs: RequestAttributes = { resourceRequest: false, verb: m.toLowerCase(), apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "", path };
  let parts = path.split("/").filter(Boolean);
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return attrs;
  const grouped = parts[0] === "apis";
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return attrs;
    attrs.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  attrs.resourceRequest = true;
  attrs.apiVersion = parts[0];
  parts = parts.slice(1);

  if (SPECIAL_VERBS.has(parts[0]) && parts.length >= 2) {
    attrs.verb = parts[0];
    parts = parts.slice(1);
  } else attrs.verb = METHOD_VERBS[m] ?? "";

  if (parts[0] === "namespaces" && parts.length > 1) {
    attrs.namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length >= 3 && attrs.verb !== "proxy") attrs.subresource = parts[2];
  if (parts.length >= 2) attrs.name = parts[1];
  attrs.resource = parts[0];

  if (attrs.name === "" && attrs.verb === "get") {
    const watch = query.get("watch");
    attrs.verb = watch === "true" || watch === "1" ? "watch" : "list";
    attrs.name = exactName(query.get("fieldSelector")) ?? "";
  }
  if (attrs.name === "" && attrs.verb === "delete") attrs.verb = "deletecollection";
  return attrs;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Collects the RBAC objects among parsed YAML documents (anything else, such as a ServiceAccount, is skipped). */
export function parsePolicy(docs: readonly unknown[]): RbacPolicy {
  const policy: RbacPolicy = { roles: [], bindings: [] };
  for (const doc of docs) {
    const obj = record(doc);
    if (typeof obj.apiVersion !== "string" || !obj.apiVersion.startsWith("rbac.authorization.k8s.io/")) continue;
    const meta = record(obj.metadata);
    const name = typeof meta.name === "string" ? meta.name : "";
    const kind = obj.kind;
    if (kind === "Role" || kind === "ClusterRole") {
      const rules = (Array.isArray(obj.rules) ? obj.rules : []).map((r) => {
        const rule = record(r);
        return {
          verbs: strings(rule.verbs),
          apiGroups: strings(rule.apiGroups),
          resources: strings(rule.resources),
          resourceNames: strings(rule.resourceNames),
          nonResourceURLs: strings(rule.nonResourceURLs),
        };
      });
      policy.roles.push({ kind, name, namespace: kind === "Role" ? String(meta.namespace ?? "default") : "", rules });
    } else if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
      const ref = record(obj.roleRef);
      const subjects = (Array.isArray(obj.subjects) ? obj.subjects : []).map((s) => {
        const subject = record(s);
        return { kind: String(subject.kind ?? ""), name: String(subject.name ?? ""), namespace: typeof subject.namespace === "string" ? subject.namespace : undefined };
      });
      policy.bindings.push({
        kind,
        name,
        namespace: kind === "RoleBinding" ? String(meta.namespace ?? "default") : "",
        roleRef: { apiGroup: typeof ref.apiGroup === "string" ? ref.apiGroup : undefined, kind: String(ref.kind ?? ""), name: String(ref.name ?? "") },
        subjects,
      });
    }
  }
  return policy;
}

/** `system:serviceaccount:ns:name`, the user name a ServiceAccount's token authenticates as. */
export function serviceAccountUser(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

/** As rbac's appliesToUser: a ServiceAccount subject without a namespace means the binding's namespace. */
function subjectMatches(subject: RbacSubject, sa: ServiceAccountRef, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === serviceAccountUser(sa);
    case "Group":
      return ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`, "system:authenticated"].includes(subject.name);
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return ns !== "" && ns === sa.namespace && subject.name === sa.name;
    }
    default:
      return false;
  }
}

/** The role a binding refers to; a RoleBinding's Role lives in its own namespace. Undefined when missing. */
function roleFor(policy: RbacPolicy, binding: Binding): Role | undefined {
  const { kind, name } = binding.roleRef;
  if (kind === "ClusterRole") return policy.roles.find((r) => r.kind === "ClusterRole" && r.name === name);
  if (kind === "Role" && binding.kind === "RoleBinding") return policy.roles.find((r) => r.kind === "Role" && r.name === name && r.namespace === binding.namespace);
  return undefined;
}

function has(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === "*" || v === value);
}

/** rbac's ResourceMatches: `*`, the exact `resource[/subresource]`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, attrs: RequestAttributes): boolean {
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return (rule.resources ?? []).some((r) => r === "*" || r === combined || (attrs.subresource !== "" && r === `*/${attrs.subresource}`));
}

function nonResourceMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
}

/** rbac's RuleAllows. */
export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceMatches(rule, attrs.path);
  const names = rule.resourceNames ?? [];
  return has(rule.apiGroups, attrs.apiGroup) && resourceMatches(rule, attrs) && (names.length === 0 || names.includes(attrs.name));
}

/** The bindings that name the ServiceAccount, each with the role it grants (bindings to missing roles grant nothing). */
function bindingsFor(policy: RbacPolicy, sa: ServiceAccountRef): Array<{ binding: Binding; role: Role }> {
  const out: Array<{ binding: Binding; role: Role }> = [];
  for (const binding of policy.bindings) {
    if (!binding.subjects.some((s) => subjectMatches(s, sa, binding.namespace))) continue;
    const role = roleFor(policy, binding);
    if (role) out.push({ binding, role });
  }
  return out;
}

/** Whether the policy lets the ServiceAccount make the request: a ClusterRoleBinding anywhere, a RoleBinding in its namespace. */
export function isAllowed(policy: RbacPolicy, sa: ServiceAccountRef, attrs: RequestAttributes): boolean {
  return bindingsFor(policy, sa).some(
    ({ binding, role }) => (binding.kind === "ClusterRoleBinding" || (attrs.resourceRequest && attrs.namespace === binding.namespace)) && role.rules.some((r) => ruleAllows(r, attrs)),
  );
}

/** An authorizer for the simulated server: every request is the ServiceAccount's. */
export function rbacAuthorizer(policy: RbacPolicy, sa: ServiceAccountRef): RequestAuthorizer {
  return { user: serviceAccountUser(sa), allows: (attrs) => isAllowed(policy, sa, attrs) };
}

/** Every (verb, group, resource) the policy grants the ServiceAccount, one row each, with where it applies. */
export function grantsFor(policy: RbacPolicy, sa: ServiceAccountRef): Grant[] {
  const out: Grant[] = [];
  for (const { binding, role } of bindingsFor(policy, sa)) {
    for (const rule of role.rules) {
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            out.push({ binding: `${binding.kind}/${binding.name}`, role: `${role.kind}/${role.name}`, namespace: binding.namespace, apiGroup, resource, verb, resourceNames: rule.resourceNames ?? [] });
          }
        }
      }
    }
  }
  return out;
}

/** Whether a request is one the grant allows (so the grant was needed for, or at least used by, it). */
export function grantCovers(grant: Grant, attrs: RequestAttributes): boolean {
  if (grant.namespace !== "" && attrs.namespace !== grant.namespace) return false;
  return ruleAllows({ verbs: [grant.verb], apiGroups: [grant.apiGroup], resources: [grant.resource], resourceNames: grant.resourceNames }, attrs);
}

/**
 * The error kube-apiserver answers a denied request with (responsewriters.Forbidden → apierrors.NewForbidden):
 * `pods is forbidden: User "…" cannot list resource "pods" in API group "" at the cluster scope`.
 */
export function forbidden(attrs: RequestAttributes, user: string): ApiError {
  let why: string;
  if (!attrs.resourceRequest) why = `User ${JSON.stringify(user)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  else {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const where = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : "at the cluster scope";
    why = `User ${JSON.stringify(user)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${where}`;
  }
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  let message: string;
  if (qualified === "") message = `forbidden: ${why}`;
  else if (attrs.name === "") message = `${qualified} is forbidden: ${why}`;
  else message = `${qualified} ${JSON.stringify(attrs.name)} is forbidden: ${why}`;
  const details: { group?: string; kind?: string; name?: string } = {};
  if (attrs.apiGroup) details.group = attrs.apiGroup;
  if (attrs.resource) details.kind = attrs.resource;
  if (attrs.name) details.name = attrs.name;
  return new ApiError(403, "Forbidden", message, details);
}
