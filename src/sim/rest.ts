// The REST operations of the API server, independent of HTTP: request bodies in, stored objects out, every
// failure an ApiError with the code and reason the real server would give.
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest, expired, notFound, successStatus, type StatusObject } from "./errors.js";
import { decodeCrd } from "./crd-decode.js";
import { apiVersionOf } from "./objects.js";
import { applyPatch, jsonPatch, mergePatch, PATCH_TYPES, strategicMergePatch, type PatchType } from "./patch.js";
import { present, toStorage } from "./present.js";
import { CRD_KEY, type ResourceInfo } from "./resources.js";
import type { Predicate } from "./selectors.js";
import type { DeleteOptions, MemoryStore } from "./store.js";
import { prepareForCreate, prepareForUpdate, validate } from "./strategy.js";
import type { KubeObject } from "./types.js";

export interface Target {
  info: ResourceInfo;
  version: string;
  /** The namespace from the URL; undefined for cluster-scoped resources and all-namespace lists. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** How a write treats fields its type does not have, and where the warnings go. */
export interface DecodeOptions {
  /** The request's fieldValidation: Strict refuses unknown fields, Ignore drops them; Warn (the default) warns. */
  fieldValidation?: string | null;
  /** Collects the warnings the response carries in Warning headers. */
  warnings?: string[];
}

export interface ListOptions {
  labels: Predicate | undefined;
  fields: Predicate | undefined;
  limit: number | undefined;
  continueToken: string | undefined;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken: string | undefined;
  remainingItemCount: number | undefined;
}

interface ContinueToken {
  rv: number;
  ns: string;
  name: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as ContinueToken;
    if (typeof token.rv === "number" && typeof token.ns === "string" && typeof token.name === "string") return token;
  } catch {
    // fall through to the server's message
  }
  throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
}

export class RestApi {
  constructor(private readonly store: MemoryStore) {}

  get(t: Target): KubeObject {
    const obj = this.store.get(t.info.storage, t.namespace ?? "", t.name ?? "");
    if (!obj) throw notFound(t.info.key, t.name ?? "");
    return obj;
  }

  list(t: Target, opts: ListOptions): ListResult {
    let after: { namespace: string; name: string } | undefined;
    let rv = Number(this.store.currentResourceVersion());
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      if (token.rv < this.store.compactedAt) {
        throw expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
      }
      after = { namespace: token.ns, name: token.name };
      rv = token.rv;
    }
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let more = false;
    for (const obj of this.store.scan(t.info.storage, t.namespace, after)) {
      if (opts.labels && !opts.labels(obj)) continue;
      if (opts.fields && !opts.fields(obj)) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(obj);
    }
    let continueToken: string | undefined;
    let remainingItemCount: number | undefined;
    if (more) {
      const last = items[items.length - 1].metadata ?? {};
      continueToken = encodeContinue({ rv, ns: last.namespace ?? "", name: last.name ?? "" });
      // Only countable cheaply without selectors; the real server leaves it out with selectors too.
      if (!opts.labels && !opts.fields && !opts.continueToken) remainingItemCount = this.store.count(t.info.storage, t.namespace) - items.length;
    }
    return { items, resourceVersion: String(rv), continueToken, remainingItemCount };
  }

  create(t: Target, body: unknown, dryRun: boolean, decoding: DecodeOptions = {}): KubeObject {
    const obj = this.checkBody(t, body, false);
    decodeTyped(t, obj, decoding);
    prepareForCreate(t.info, obj, this.store.clock.now());
    const stored = toStorage(t.info, obj);
    validate(t.info, t.version, stored);
    if (dryRun) return stored;
    return this.store.create(t.info.storage, stored, { owned: true });
  }

  update(t: Target, body: unknown, dryRun: boolean, decoding: DecodeOptions = {}): KubeObject {
    const obj = this.checkBody(t, body, true);
    decodeTyped(t, obj, decoding);
    const existing = this.get(t);
    const next = prepareForUpdate(t.info, existing, toStorage(t.info, obj), t.subresource, this.store.clock.now());
    validate(t.info, t.version, next, existing);
    if (dryRun) return next;
    return this.store.update(t.info.storage, next, { owned: true });
  }

  /** Returns the patched object and whether an apply created it. */
  patch(t: Target, type: PatchType, text: string, opts: { fieldManager?: string; dryRun: boolean } & DecodeOptions): { object: KubeObject; created: boolean } {
    if (type === "strategic" && t.info.custom) {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}`,
      );
    }
    if (type === "apply" && !opts.fieldManager) {
      throw invalid422("PatchOptions.meta.k8s.io", "fieldManager", "Required value: is required for apply patch");
    }
    let patch: unknown;
    if (type === "apply") {
      try {
        patch = parseYaml(text);
      } catch (err) {
        throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else patch = parseJsonBody(text);

    const existing = this.store.get(t.info.storage, t.namespace ?? "", t.name ?? "");
    if (!existing) {
      if (type !== "apply" || t.subresource) throw notFound(t.info.key, t.name ?? "");
      const body = isObject(patch) ? { ...patch, metadata: { ...(isObject(patch.metadata) ? patch.metadata : {}) } } : patch;
      if (isObject(body)) {
        const meta = body.metadata as Record<string, unknown>;
        meta.name ??= t.name;
        if (t.namespace) meta.namespace ??= t.namespace;
      }
      return { object: this.create({ ...t, name: undefined }, body, opts.dryRun, opts), created: true };
    }
    if (type === "apply") this.checkBody(t, patch, true);

    const base = present(t.info, t.version, existing);
    let patched: unknown;
    if (type === "json") patched = jsonPatch(base, patch);
    else if (type === "merge") patched = mergePatch(base, patch);
    else if (type === "strategic") patched = strategicMergePatch(base, patch);
    else patched = applyPatch(base, patch, t.info.custom);
    if (!isObject(patched)) throw new ApiError(422, "Invalid", "the patched object is not a JSON object");
    const copy = structuredClone(patched) as KubeObject;
    decodeTyped(t, copy, opts);
    const meta = (copy.metadata ??= {});
    // The URL names the object; a patch cannot move it.
    meta.name = t.name;
    if (t.namespace) meta.namespace = t.namespace;
    const next = prepareForUpdate(t.info, existing, toStorage(t.info, copy), t.subresource, this.store.clock.now());
    validate(t.info, t.version, next, existing);
    if (opts.dryRun) return { object: next, created: false };
    return { object: this.store.update(t.info.storage, next, { owned: true }), created: false };
  }

  delete(t: Target, opts: DeleteOptions, dryRun: boolean): KubeObject {
    if (dryRun) return this.get(t);
    const result = this.store.delete(t.info.storage, t.namespace ?? "", t.name ?? "", opts);
    if (!result) throw notFound(t.info.key, t.name ?? "");
    return result;
  }

  deleteCollection(t: Target, list: ListOptions, opts: DeleteOptions, dryRun: boolean): StatusObject {
    const { items } = this.list(t, { ...list, limit: undefined, continueToken: undefined });
    if (!dryRun) {
      for (const obj of items) this.store.delete(t.info.storage, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "", opts);
    }
    return successStatus();
  }

  /** Checks a body's kind, apiVersion, name and namespace against the URL and returns it as a private object. */
  private checkBody(t: Target, body: unknown, forUpdate: boolean): KubeObject {
    if (!isObject(body)) throw badRequest("the request body must be a JSON object");
    const obj = body as KubeObject;
    const expectedVersion = apiVersionOf(t.info.group, t.version);
    if (obj.kind !== undefined && obj.kind !== t.info.kind) {
      throw badRequest(`the object provided is unrecognized (must be of type ${t.info.kind}): kind "${String(obj.kind)}"`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== expectedVersion) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectedVersion})`);
    }
    obj.kind = t.info.kind;
    obj.apiVersion = expectedVersion;
    const meta = (obj.metadata ??= {});
    if (!isObject(meta)) throw badRequest("metadata must be an object");
    if (t.info.namespaced) {
      if (meta.namespace && meta.namespace !== t.namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = t.namespace;
    }
    if (forUpdate && meta.name !== t.name) {
      if (!meta.name) meta.name = t.name;
      else throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${t.name ?? ""})`);
    }
    return obj;
  }
}

/**
 * Decodes a body of a typed kind the sim models field by field (CustomResourceDefinitions): a value of the wrong
 * type is a 400, unknown fields are dropped and, as fieldValidation asks, refused or warned about.
 */
function decodeTyped(t: Target, obj: KubeObject, decoding: DecodeOptions): void {
  if (t.info.key !== CRD_KEY) return;
  const decoded = decodeCrd(obj);
  const prefix = `${t.info.kind} in version "${t.version}" cannot be handled as a ${t.info.kind}: `;
  if (decoded.typeError) throw badRequest(prefix + decoded.typeError);
  if (decoded.unknown.length === 0) return;
  const unknown = decoded.unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (decoding.fieldValidation === "Strict") throw badRequest(`${prefix}strict decoding error: ${unknown.join(", ")}`);
  if (decoding.fieldValidation !== "Ignore") decoding.warnings?.push(...unknown);
}

function invalid422(kind: string, field: string, message: string): ApiError {
  return new ApiError(422, "Invalid", `${kind} "" is invalid: ${field}: ${message}`, { kind, causes: [{ reason: "FieldValueRequired", message, field }] });
}
