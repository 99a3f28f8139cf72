// The four PATCH flavours the API server accepts, as pure functions from (current object, patch) to the new
// object. None mutates its inputs: stored objects are frozen and unchanged parts are shared with the result.
import { ApiError, badRequest } from "./errors.js";
import { jsonEqual } from "./objects.js";

type Json = unknown;
type JsonObject = Record<string, unknown>;

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export type PatchType = keyof typeof PATCH_TYPES;

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * The merge key of lists the strategic merge patch merges item by item, by field name. Kubernetes takes these
 * from the Go struct tags (`patchMergeKey`); the names below cover the pod, event and lease fields that
 * clients patch. Any other list is replaced whole.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  ports: "containerPort",
  imagePullSecrets: "name",
  conditions: "type",
  containerStatuses: "name",
  initContainerStatuses: "name",
  ephemeralContainerStatuses: "name",
  ownerReferences: "uid",
  readinessGates: "conditionType",
  hostAliases: "ip",
  podIPs: "ip",
  hostIPs: "ip",
  resourceClaims: "name",
  resourceClaimStatuses: "name",
  topologySpreadConstraints: "topologyKey",
  schedulingGates: "name",
};

/** Lists of scalars whose strategy is "merge": the patch's items are added to the current ones. */
const MERGED_SCALAR_LISTS = new Set(["finalizers"]);

const DIRECTIVE = "$patch";
const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";
const RETAIN_KEYS = "$retainKeys";

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.filter((v) => !(isObject(v) && v[DIRECTIVE] !== undefined && Object.keys(v).length === 1)).map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM)) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

/**
 * Strategic merge patch: merge patch semantics, plus lists of named items merged by their key, `finalizers`
 * merged as a set, and the directives kubectl sends (`$patch: replace|delete`, `$retainKeys`,
 * `$deleteFromPrimitiveList/…`; `$setElementOrder/…` is accepted and ignored). Returns undefined when the patch
 * deletes the value.
 */
export function strategicMergePatch(target: Json, patch: Json, path = ""): Json {
  if (!isObject(patch)) return patch;
  const directive = patch[DIRECTIVE];
  if (directive === "replace") return stripDirectives(patch);
  if (directive === "delete") return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((x) => !value.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(key, path === "" ? key : `${path}.${key}`, result[key], value);
    } else if (isObject(value)) {
      const merged = strategicMergePatch(result[key], value, path === "" ? key : `${path}.${key}`);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

/**
 * The merge key of a list at a dotted path (list items add no segment). `ports` is the one name with two keys: a
 * Service's spec.ports merge by `port`, a container's by `containerPort` (core/v1 types.go patchMergeKey tags);
 * other `ports` lists (a NetworkPolicy's) have no strategy and are replaced.
 */
function mergeKeyOf(field: string, path: string): string | undefined {
  if (path === "spec.ports") return "port";
  if (field === "ports" && !/(^|\.)(initContainers|containers|ephemeralContainers)\.ports$/.test(path)) return undefined;
  return MERGE_KEYS[field];
}

function mergeList(field: string, path: string, current: Json, patch: Json[]): Json[] {
  if (patch.some((item) => isObject(item) && item[DIRECTIVE] === "replace")) return stripDirectives(patch) as Json[];
  if (MERGED_SCALAR_LISTS.has(field)) {
    const base = Array.isArray(current) ? current : [];
    return [...base, ...patch.filter((item) => !base.some((b) => jsonEqual(b, item)))];
  }
  const key = mergeKeyOf(field, path);
  if (!key || !Array.isArray(current)) return stripDirectives(patch.filter((item) => !(isObject(item) && item[DIRECTIVE] === "delete"))) as Json[];
  const result = current.slice();
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item[DIRECTIVE] === "delete") {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item, path);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`JSON pointer must start with "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function patchFailed(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

function arrayIndex(token: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw patchFailed(`invalid array index ${JSON.stringify(token)} in ${path}`);
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) throw patchFailed(`array index out of bounds at ${path}`);
  return i;
}

/** Finds the parent container of a pointer's last token; the document is a private mutable copy. */
function parentOf(doc: Json, tokens: string[], path: string): Json {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw patchFailed(`doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function getAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, path)];
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw patchFailed(`doc is missing path: "${path}": missing value`);
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, path), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw patchFailed(`doc is missing path: "${path}": missing value`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw patchFailed("cannot remove the whole document");
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw patchFailed(`Unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 JSON patch, `test` included. Fails with 422 like the server when an operation does not apply. */
export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw badRequest("json patch must be an array of operations");
  let doc = structuredClone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") throw badRequest(`invalid json patch operation: ${JSON.stringify(raw)}`);
    const op = raw as unknown as JsonPatchOperation;
    switch (op.op) {
      case "add":
        doc = addAt(doc, op.path, structuredClone(op.value));
        break;
      case "remove":
        doc = removeAt(doc, op.path);
        break;
      case "replace":
        getAt(doc, op.path);
        doc = parsePointer(op.path).length === 0 ? structuredClone(op.value) : addAt(removeAt(doc, op.path), op.path, structuredClone(op.value));
        break;
      case "move": {
        const value = getAt(doc, op.from ?? "");
        doc = addAt(removeAt(doc, op.from ?? ""), op.path, value);
        break;
      }
      case "copy":
        doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from ?? "")));
        break;
      case "test":
        if (!jsonEqual(getAt(doc, op.path), op.value)) throw patchFailed(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/**
 * Server-side apply, simplified to merge semantics: the applied configuration is merged onto the live object
 * (named lists by key for built-in kinds). Field ownership is not tracked, so nothing is removed and no
 * conflicts arise; `force` makes no difference.
 */
export function applyPatch(live: Json, applied: Json, custom: boolean): Json {
  return custom ? mergePatch(live, applied) : strategicMergePatch(live, applied);
}
