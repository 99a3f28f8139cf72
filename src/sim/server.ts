// The HTTP face of the simulated API server: routes Kubernetes REST paths to the REST operations, negotiates
// Tables for kubectl, hands watches to the watch hub, applies injected faults, and serves the /sim/faults admin
// API. Everything is JSON; errors are metav1.Status objects with the real server's codes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from "./discovery.js";
import { ApiError, badRequest } from "./errors.js";
import { faultAdmin } from "./fault-api.js";
import type { Faults } from "./faults.js";
import { resetWhenFlushed } from "./listener.js";
import { apiVersionOf } from "./objects.js";
import { openApiDocument, openApiIndex } from "./openapi.js";
import { PATCH_TYPES, type PatchType } from "./patch.js";
import { decodeProtobufBody, PROTOBUF_CONTENT_TYPE } from "./protobuf.js";
import { present, presentJson } from "./present.js";
import { forbidden, requestAttributes, type RequestAttributes, type RequestAuthorizer } from "./rbac.js";
import type { ResourceRegistry } from "./resources.js";
import { parseJsonBody, type ListOptions, type RestApi, type Target } from "./rest.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { DeleteOptions, MemoryStore } from "./store.js";
import { toTable, type IncludeObject } from "./table.js";
import type { KubeObject } from "./types.js";
import type { WatchHub } from "./watch.js";

export interface ServerContext {
  store: MemoryStore;
  registry: ResourceRegistry;
  rest: RestApi;
  hub: WatchHub;
  faults: Faults;
  /** host:port the server answers on, for /api's serverAddressByClientCIDRs. */
  address(): string;
  /** Decides every resource request (not discovery, /version, health or /sim); absent: all are allowed. */
  authorizer?: RequestAuthorizer;
  /** Told of every resource request and whether it was allowed. */
  onRequest?: (attrs: RequestAttributes, allowed: boolean) => void;
}

/** The largest request body the server reads, as kube-apiserver's 3 MiB limit. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

type Representation = { kind: "object" } | { kind: "table"; includeObject: IncludeObject } | { kind: "metadata" };

/**
 * Responses the reset fault cuts short, with the number of body bytes to send first (undefined: half). The
 * cut happens where every JSON response is written, so a list, a get or an error are cut alike.
 */
const cuts = new WeakMap<ServerResponse, number | undefined>();

function sendJson(res: ServerResponse, status: number, body: string | object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(bytes), ...headers });
  if (!cuts.has(res)) {
    res.end(text);
    return;
  }
  // The headers promise the whole body; part of it goes out, then the connection is reset.
  const sent = Math.max(0, Math.min(cuts.get(res) ?? Math.floor(bytes / 2), bytes - 1));
  cuts.delete(res);
  res.write(Buffer.from(text).subarray(0, sent));
  resetWhenFlushed(res);
}

function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  const apiError =
    err instanceof ApiError ? err : new ApiError(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, apiError.code, apiError.toStatus(), headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return readRawBody(req).then((raw) => raw.toString("utf8"));
}

function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, "RequestEntityTooLarge", "the request body is too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function mediaParams(entry: string): { type: string; params: Record<string, string> } {
  const [type, ...rest] = entry.split(";").map((s) => s.trim());
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return { type: type.toLowerCase(), params };
}

/** Picks the first representation in the Accept list that the server offers; JSON objects otherwise. */
function negotiate(accept: string | undefined, query: URLSearchParams): Representation {
  for (const entry of (accept ?? "").split(",")) {
    const { type, params } = mediaParams(entry);
    if (type !== "application/json" && type !== "*/*") continue;
    if (params.g === "meta.k8s.io" && (params.v === "v1" || params.v === "v1beta1")) {
      if (params.as === "Table") {
        const include = query.get("includeObject");
        return { kind: "table", includeObject: include === "None" || include === "Object" ? include : "Metadata" };
      }
      if (params.as === "PartialObjectMetadata" || params.as === "PartialObjectMetadataList") return { kind: "metadata" };
      continue;
    }
    if (!params.as) return { kind: "object" };
  }
  return { kind: "object" };
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get("watch");
  return w === "true" || w === "1";
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

function partialMetadata(obj: KubeObject): object {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

function notFoundPath(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource");
}

/** Resolves a resource path to its target; undefined when the path is not a resource path. */
function resolveTarget(registry: ResourceRegistry, segments: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api" && segments.length >= 3) {
    group = "";
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else return undefined;

  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && registry.lookup(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const info = registry.lookup(group, version, plural);
  if (!info || extra.length > 0) throw notFoundPath();
  if (namespace !== undefined && !info.namespaced) throw notFoundPath();
  if (subresource !== undefined && !(subresource === "status" && info.statusSubresource)) throw notFoundPath();
  return { info, version, namespace, name, subresource };
}

export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => sendError(res, err));
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sim.invalid");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = (req.method ?? "GET").toUpperCase();
  if (path === "/sim" || path.startsWith("/sim/")) {
    const reply = faultAdmin(ctx.faults, method, path, await readBody(req));
    sendJson(res, 200, reply.body);
    if (reply.after) res.once("finish", () => void reply.after?.().catch((err: unknown) => process.emitWarning(`sim fault: ${err instanceof Error ? err.message : String(err)}`)));
    return;
  }
  // A black hole holds the request before anything looks at it: a hung server neither authorizes nor answers.
  await ctx.faults.whenReachable(res);
  if (res.destroyed || req.socket.destroyed) return;
  // As in kube-apiserver, authorization comes before the handler, so a denied request meets no fault either.
  if (ctx.authorizer || ctx.onRequest) {
    const attrs = requestAttributes(method, path, url.searchParams);
    if (attrs.resourceRequest) {
      const allowed = ctx.authorizer?.allows(attrs) ?? true;
      ctx.onRequest?.(attrs, allowed);
      if (!allowed) {
        await readBody(req).catch(() => "");
        throw forbidden(attrs, ctx.authorizer?.user ?? "");
      }
    }
  }

  // Faults are decided on arrival so that their order is the order requests reach the server.
  const gate = ctx.faults.gate({ method, path, watch: isWatch(url.searchParams) });
  await ctx.faults.whenResumed();
  if (gate.delayMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, gate.delayMs).unref());
  // A black hole that began while this request waited holds it too.
  await ctx.faults.whenReachable(res);
  if (res.destroyed || req.socket.destroyed) return;
  if (gate.reset && !isWatch(url.searchParams)) cuts.set(res, gate.reset.afterBytes);
  if (gate.error) {
    await readBody(req).catch(() => "");
    sendError(res, gate.error, gate.retryAfterSeconds !== undefined ? { "Retry-After": String(gate.retryAfterSeconds) } : {});
    return;
  }

  if (method === "GET" && serveStatic(ctx, path, res)) return;
  const target = resolveTarget(ctx.registry, path.split("/").filter(Boolean));
  if (!target) throw notFoundPath();
  await serveResource(ctx, target, method, url.searchParams, req, res, gate.reset?.afterEvents);
}

/** Discovery, version and health endpoints. */
function serveStatic(ctx: ServerContext, path: string, res: ServerResponse): boolean {
  const segments = path.split("/").filter(Boolean);
  let body: object | undefined;
  if (path === "/version") body = VERSION_INFO;
  else if (path === "/healthz" || path === "/livez" || path === "/readyz") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("ok");
    return true;
  } else if (path === "/api") body = apiVersions(ctx.address());
  else if (path === "/apis") body = apiGroupList(ctx.registry);
  else if (segments[0] === "api" && segments.length === 2) body = apiResourceList(ctx.registry, "", segments[1]);
  else if (segments[0] === "apis" && segments.length === 2) body = apiGroup(ctx.registry, segments[1]);
  else if (segments[0] === "apis" && segments.length === 3) body = apiResourceList(ctx.registry, segments[1], segments[2]);
  else if (path === "/openapi/v3") body = openApiIndex(ctx.registry);
  else if (segments[0] === "openapi" && segments[1] === "v3" && segments[2] === "api" && segments.length === 4) body = openApiDocument(ctx.registry, "", segments[3]);
  else if (segments[0] === "openapi" && segments[1] === "v3" && segments[2] === "apis" && segments.length === 5) body = openApiDocument(ctx.registry, segments[3], segments[4]);
  else return false;
  if (!body) throw notFoundPath();
  sendJson(res, 200, body);
  return true;
}

function listOptions(target: Target, query: URLSearchParams): ListOptions {
  let fields = parseFieldSelector(query.get("fieldSelector"), target.info);
  if (target.name !== undefined) {
    // A watch or list on an object path (deprecated form) is a name-pinned selector.
    const pinned = parseFieldSelector(`metadata.name=${target.name}`, target.info);
    const rest = fields;
    fields = rest && pinned ? (obj) => pinned(obj) && rest(obj) : pinned;
  }
  const continueToken = query.get("continue") || undefined;
  // A list at resourceVersion "0" is answered from the watch cache, which has no pages: the limit is ignored and
  // every item comes in one response (apiserver 1.32 storage/cacher/cacher.go: shouldDelegateList sends only a
  // limit with another version, or a continue token, to etcd; GetList returns whatever the cache holds).
  const fromWatchCache = query.get("resourceVersion") === "0" && continueToken === undefined;
  return {
    labels: parseLabelSelector(query.get("labelSelector")),
    fields,
    limit: fromWatchCache ? undefined : intParam(query, "limit"),
    continueToken,
  };
}

function deleteOptions(query: URLSearchParams, bodyText: string): DeleteOptions {
  const opts: DeleteOptions = {};
  if (bodyText.trim() !== "") {
    const body = parseJsonBody(bodyText) as { gracePeriodSeconds?: number; propagationPolicy?: string; preconditions?: DeleteOptions["preconditions"]; orphanDependents?: boolean };
    if (typeof body.gracePeriodSeconds === "number") opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === "string") opts.propagationPolicy = body.propagationPolicy as DeleteOptions["propagationPolicy"];
    if (body.orphanDependents === true) opts.propagationPolicy = "Orphan";
    if (body.preconditions) opts.preconditions = body.preconditions;
  }
  const grace = intParam(query, "gracePeriodSeconds");
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = query.get("propagationPolicy");
  if (policy) opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  if (query.get("orphanDependents") === "true") opts.propagationPolicy = "Orphan";
  return opts;
}

function patchType(contentType: string | undefined): PatchType {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  for (const [name, mime] of Object.entries(PATCH_TYPES)) if (mime === type) return name as PatchType;
  throw new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(", ")}`,
  );
}

function respondObject(ctx: ServerContext, target: Target, obj: KubeObject, rep: Representation, status: number, res: ServerResponse): void {
  if (rep.kind === "table") {
    const table = toTable(target.info, target.version, [obj], { resourceVersion: obj.metadata?.resourceVersion }, { now: ctx.store.clock.now(), includeObject: rep.includeObject });
    sendJson(res, status, table);
  } else if (rep.kind === "metadata") sendJson(res, status, partialMetadata(obj));
  else if (Object.isFrozen(obj)) sendJson(res, status, presentJson(target.info, target.version, obj));
  else sendJson(res, status, present(target.info, target.version, obj));
}

async function serveResource(
  ctx: ServerContext,
  target: Target,
  method: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  resetAfterEvents: number | undefined,
): Promise<void> {
  const { info } = target;
  const rep = negotiate(req.headers.accept, query);
  const dryRun = query.getAll("dryRun").includes("All");
  const collection = target.name === undefined;

  if (method === "GET" && isWatch(query)) {
    if (target.subresource) throw new ApiError(405, "MethodNotAllowed", "watch is not supported on subresources");
    const opts = listOptions(target, query);
    const swe = query.get("sendInitialEvents");
    ctx.hub.start(
      {
        info,
        version: target.version,
        namespace: target.namespace,
        labels: opts.labels,
        fields: opts.fields,
        resourceVersion: query.get("resourceVersion") ?? "",
        allowBookmarks: query.get("allowWatchBookmarks") === "true",
        sendInitialEvents: swe === null ? undefined : swe === "true",
        timeoutSeconds: intParam(query, "timeoutSeconds"),
        table: rep.kind === "table" ? { includeObject: rep.includeObject } : undefined,
        resetAfterEvents,
      },
      res,
    );
    return;
  }

  if (method === "GET") {
    if (!collection) {
      respondObject(ctx, target, ctx.rest.get(target), rep, 200, res);
      return;
    }
    const result = ctx.rest.list(target, listOptions(target, query));
    const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continueToken) metadata.continue = result.continueToken;
    if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
    if (rep.kind === "table") {
      sendJson(res, 200, toTable(info, target.version, result.items, metadata, { now: ctx.store.clock.now(), includeObject: rep.includeObject }));
    } else if (rep.kind === "metadata") {
      sendJson(res, 200, { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata, items: result.items.map(partialMetadata) });
    } else {
      const items = result.items.map((obj) => presentJson(info, target.version, obj)).join(",");
      sendJson(res, 200, `{"kind":"${info.listKind}","apiVersion":"${apiVersionOf(info.group, target.version)}","metadata":${JSON.stringify(metadata)},"items":[${items}]}`);
    }
    return;
  }

  const raw = await readRawBody(req);
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  // Fields a typed kind does not have are warned about (kubectl prints "Warning: unknown field …") unless the
  // request asked for Strict (an error) or Ignore.
  const warnings: string[] = [];
  const decoding = { fieldValidation: query.get("fieldValidation"), warnings };
  const warn = (): void => {
    if (warnings.length > 0) res.setHeader("Warning", warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  };
  if (contentType.startsWith("application/cbor")) {
    throw new ApiError(415, "UnsupportedMediaType", `the simulated API server accepts JSON request bodies only, not ${contentType}: use kubectl apply or kubectl create -f`);
  }
  // kubectl's typed clients (`kubectl create namespace|configmap|secret|serviceaccount`) send protobuf; the reply is
  // JSON, which they accept too (they ask for `application/vnd.kubernetes.protobuf,application/json`).
  const body = contentType.startsWith(PROTOBUF_CONTENT_TYPE) && method !== "PATCH" && raw.length > 0 ? JSON.stringify(decodeProtobufBody(raw)) : raw.toString("utf8");
  switch (method) {
    case "POST": {
      if (!collection || target.subresource) throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
      if (info.namespaced && target.namespace === undefined) throw notFoundPath();
      const created = ctx.rest.create(target, parseJsonBody(body), dryRun, decoding);
      warn();
      respondObject(ctx, target, created, rep, 201, res);
      return;
    }
    case "PUT": {
      if (collection) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      const updated = ctx.rest.update(target, parseJsonBody(body), dryRun, decoding);
      warn();
      respondObject(ctx, target, updated, rep, 200, res);
      return;
    }
    case "PATCH": {
      if (collection) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      const force = query.get("force");
      if (force !== null && patchType(req.headers["content-type"]) !== "apply") throw badRequest("force: Forbidden: may not be specified for non-apply patch");
      const result = ctx.rest.patch(target, patchType(req.headers["content-type"]), body, { fieldManager: query.get("fieldManager") ?? undefined, dryRun, ...decoding });
      warn();
      respondObject(ctx, target, result.object, rep, result.created ? 201 : 200, res);
      return;
    }
    case "DELETE":
      if (target.subresource) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      if (collection) {
        sendJson(res, 200, ctx.rest.deleteCollection(target, listOptions(target, query), deleteOptions(query, body), dryRun));
        return;
      }
      respondObject(ctx, target, ctx.rest.delete(target, deleteOptions(query, body), dryRun), rep, 200, res);
      return;
    default:
      throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
  }
}
