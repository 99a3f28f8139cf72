// The one place that talks HTTP to the API server: plain JSON over one pooled keep-alive undici dispatcher per
// API server, built once from the kubeconfig (TLS material read once), with the kubeconfig's authenticators asked
// for the Authorization header on each request (tokens rotate: in-cluster and exec credentials are refreshed by
// them). client-node's generated APIs and its Watch build a new dispatcher, and so a new TCP/TLS connection, for
// every request and re-read CA and key files each time; they also turn timestamps into Date objects and drop
// fields their models do not know, while the status engine and the report builder read the JSON the server sends.
// managedFields, which nothing here reads, are cut out of the text before it is parsed (json-cut.ts).
// Every request has a timeout: a server that accepts connections and never answers cannot hang the controller.
import { ApiException, type KubeConfig } from "@kubernetes/client-node";
import { Agent, ProxyAgent, request, type Dispatcher } from "undici";
import { withoutManagedFields, withoutMember } from "./json-cut.js";
import { ListSplitter } from "./list-split.js";
import type { ListResult, ListWatchSource, WatchEventType, WatchHandle } from "./reflector.js";

export type Query = Record<string, string | number | boolean | undefined>;

/** What a list response says besides its items. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
}

/** The API calls the controller makes; tests substitute an in-memory fake. */
export interface KubeApi {
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  /**
   * GETs one page of a list and hands each item to `onItem` as it arrives, so the response is never held whole
   * (see list-split.ts); resolves with the list's metadata once the body has ended.
   */
  list(path: string, query: Query, onItem: (raw: unknown) => void): Promise<ListMeta>;
  post<T = unknown>(path: string, body: unknown): Promise<T>;
  /** `without`: a top-level object member of the answer not to parse (the caller knows it already). */
  put<T = unknown>(path: string, body: unknown, options?: { without?: string }): Promise<T>;
  delete<T = unknown>(path: string, body?: unknown): Promise<T>;
  /**
   * Starts a watch: resolves once the server answered 200 (events then flow to `onEvent` and the end of the
   * stream to `onDone`), rejects when it cannot be started.
   */
  watch(path: string, query: Query, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void, known?: KnownEvent): Promise<WatchHandle>;
}

/** The object a watch event line carries when the caller already has it (its own write), so the line need not be parsed. */
export type KnownEvent = (line: string) => unknown;

export interface KubeHttpOptions {
  /** Abort a request that has not completed after this long; for a watch, one whose headers have not come. */
  requestTimeoutMs?: number;
  /**
   * End a watch that has received nothing for this long. Watches ask the server to end them after
   * `timeoutSeconds` and for bookmarks (which a 1.32 API server sends about once a minute), so a longer silence
   * means a dead connection or a hung server, which TCP alone would not notice for a long time.
   */
  watchIdleTimeoutMs?: number;
}

interface Transport {
  dispatcher: Dispatcher;
  /** Headers that never change: impersonation. */
  staticHeaders: Record<string, string>;
}

type HeaderOptions = { headers?: Record<string, string> };
type KubeConfigInternals = {
  applyAuthorizationHeader?: (opts: HeaderOptions) => Promise<void>;
  createDispatcher?: (cluster: unknown, agentOptions: object) => Dispatcher | undefined;
};

/** kube-apiserver ends a request after its --request-timeout (1 minute by default); a list may take that long. */
const LIST_TIMEOUT_MS = 60_000;

export class KubeHttp implements KubeApi {
  /** The API server's address, for logs. */
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly requestTimeoutMs: number;
  private readonly watchIdleTimeoutMs: number;
  private transport: Promise<Transport> | null = null;

  constructor(kc: KubeConfig, options: KubeHttpOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig: no current cluster");
    this.kc = kc;
    this.server = cluster.server.replace(/\/+$/, "");
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.watchIdleTimeoutMs = options.watchIdleTimeoutMs ?? 3 * 60_000;
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, query, undefined);
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, undefined, body);
  }

  async list(path: string, query: Query, onItem: (raw: unknown) => void): Promise<ListMeta> {
    // A whole list from the watch cache can take longer than one object: the answer must start within the request
    // timeout and never pause longer than it, and the whole may take as long as the API server lets a request run.
    const signal = AbortSignal.timeout(Math.max(this.requestTimeoutMs, LIST_TIMEOUT_MS));
    const { statusCode, headers, body } = await this.send("GET", path, query, undefined, { signal });
    if (statusCode !== 200) throw await httpError("GET", path, statusCode, headers, body);
    const splitter = new ListSplitter((text) => onItem(JSON.parse(withoutManagedFields(text))));
    try {
      body.setEncoding("utf8");
      for await (const chunk of body) splitter.push(chunk as string);
      return (splitter.end().metadata ?? {}) as ListMeta;
    } catch (err) {
      body.destroy();
      throw new Error(`GET ${path}: reading the list: ${describe(err)}`, { cause: err });
    }
  }

  put<T = unknown>(path: string, body: unknown, options: { without?: string } = {}): Promise<T> {
    return this.request<T>("PUT", path, undefined, body, options.without);
  }

  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("DELETE", path, undefined, body);
  }

  /** Closes the pooled connections (watches included). */
  async close(): Promise<void> {
    const t = this.transport;
    this.transport = null;
    if (t) await (await t).dispatcher.destroy().catch(() => undefined);
  }

  async watch(path: string, query: Query, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void, known?: KnownEvent): Promise<WatchHandle> {
    const controller = new AbortController();
    const { statusCode, headers, body } = await this.send("GET", path, { ...query, watch: true }, undefined, {
      signal: controller.signal,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.watchIdleTimeoutMs,
    });
    if (statusCode !== 200) throw await httpError("GET", path, statusCode, headers, body);
    let done = false;
    const finish = (err: unknown): void => {
      if (done) return;
      done = true;
      body.destroy();
      onDone(err);
    };
    const onLine = (line: string): void => {
      const own = known?.(line);
      if (own !== undefined) {
        onEvent(line.startsWith('{"type":"ADDED"') ? "ADDED" : "MODIFIED", own);
        return;
      }
      let event: { type?: WatchEventType; object?: unknown };
      try {
        event = JSON.parse(withoutManagedFields(line)) as { type?: WatchEventType; object?: unknown };
      } catch (err) {
        finish(new Error(`watch ${path}: a line that is not JSON: ${line.slice(0, 100)}`, { cause: err }));
        return;
      }
      if (event.type) onEvent(event.type, event.object);
    };
    // One event per line. Split by hand: readline costs more per line than the JSON.parse of a small event.
    let rest = "";
    body.setEncoding("utf8");
    body.on("data", (chunk: string) => {
      let text = rest === "" ? chunk : rest + chunk;
      let nl: number;
      while (!done && (nl = text.indexOf("\n")) !== -1) {
        const line = text.charCodeAt(nl - 1) === 13 ? text.slice(0, nl - 1) : text.slice(0, nl);
        text = text.slice(nl + 1);
        if (line !== "") onLine(line);
      }
      rest = text;
    });
    body.on("error", (err: Error) => finish(controller.signal.aborted ? null : new Error(`watch ${path}: ${err.message}`, { cause: err })));
    body.on("end", () => {
      if (!done && rest.trim() !== "") onLine(rest.trim());
      finish(null);
    });
    body.on("close", () => finish(null));
    return {
      abort: () => {
        if (done) return;
        controller.abort();
        finish(null);
      },
    };
  }

  private async request<T>(method: string, path: string, query: Query | undefined, body: unknown, without?: string): Promise<T> {
    const signal = AbortSignal.timeout(this.requestTimeoutMs);
    const resp = await this.send(method, path, query, body, { signal });
    let text: string;
    try {
      text = await resp.body.text();
    } catch (err) {
      throw new Error(`${method} ${path}: reading the response: ${(err as Error).message}`, { cause: err });
    }
    let parsed: unknown = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(without !== undefined && resp.statusCode < 300 ? withoutMember(text, without) : text);
      } catch {
        parsed = text;
      }
    }
    if (resp.statusCode >= 400) throw apiException(method, path, resp.statusCode, resp.headers, parsed, text);
    return parsed as T;
  }

  private async send(
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    limits: { signal: AbortSignal; headersTimeout?: number; bodyTimeout?: number },
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    try {
      const t = await this.getTransport();
      const headers: Record<string, string> = { ...t.staticHeaders, ...(await this.authHeaders()), Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: t.dispatcher,
        signal: limits.signal,
        headersTimeout: limits.headersTimeout ?? this.requestTimeoutMs,
        bodyTimeout: limits.bodyTimeout ?? this.requestTimeoutMs,
      });
    } catch (err) {
      throw new Error(`${method} ${path}: ${describe(err)}`, { cause: err });
    }
  }

  private getTransport(): Promise<Transport> {
    this.transport ??= this.buildTransport().catch((err: unknown) => {
      this.transport = null;
      throw err;
    });
    return this.transport;
  }

  /** The dispatcher, once: TLS material from the kubeconfig, keep-alive, the kubeconfig's proxy if any. */
  private async buildTransport(): Promise<Transport> {
    const cluster = this.kc.getCurrentCluster();
    const opts: Record<string, unknown> & HeaderOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const tls: Record<string, unknown> = {};
    for (const k of ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"]) if (opts[k] !== undefined) tls[k] = opts[k];
    const staticHeaders: Record<string, string> = {};
    const impersonate = opts.headers?.["Impersonate-User"];
    if (impersonate) staticHeaders["Impersonate-User"] = impersonate;
    let dispatcher: Dispatcher;
    if (cluster?.proxyUrl?.startsWith("socks")) {
      const internal = (this.kc as unknown as KubeConfigInternals).createDispatcher;
      const d = internal?.call(this.kc, cluster, tls);
      if (!d) throw new Error(`kubeconfig: cannot build a dispatcher for the SOCKS proxy ${cluster.proxyUrl}`);
      dispatcher = d;
    } else if (cluster?.proxyUrl) {
      dispatcher = new ProxyAgent({ uri: cluster.proxyUrl, requestTls: tls, connect: { keepAlive: true, keepAliveInitialDelay: 30_000 } });
    } else {
      // TCP keep-alive probes after 30 s of silence, as client-go does, so a dead peer is noticed.
      dispatcher = new Agent({ connect: { ...tls, keepAlive: true, keepAliveInitialDelay: 30_000 }, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 10 * 60_000 });
    }
    return { dispatcher, staticHeaders };
  }

  /** The Authorization header for this request: a bearer token (possibly refreshed) or basic auth. */
  private async authHeaders(): Promise<Record<string, string>> {
    const user = this.kc.getCurrentUser();
    if (!user) return {};
    const opts: HeaderOptions = { headers: {} };
    const apply = (this.kc as unknown as KubeConfigInternals).applyAuthorizationHeader;
    if (typeof apply === "function") await apply.call(this.kc, opts);
    else await this.kc.applyToHTTPSOptions(opts);
    const out: Record<string, string> = {};
    if (opts.headers?.Authorization) out.Authorization = opts.headers.Authorization;
    else if (user.username) out.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
    return out;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = (err as { cause?: unknown }).cause;
  const inner = cause instanceof Error && cause.message !== err.message ? `: ${cause.message}` : "";
  return `${err.message}${typeof code === "string" && !err.message.includes(code) ? ` (${code})` : ""}${inner}`;
}

function apiException(method: string, path: string, status: number, headers: Dispatcher.ResponseData["headers"], parsed: unknown, text: string): ApiException<unknown> {
  const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
  return new ApiException(status, `${method} ${path}: ${message}`, parsed, flat);
}

async function httpError(method: string, path: string, status: number, headers: Dispatcher.ResponseData["headers"], body: Dispatcher.ResponseData["body"]): Promise<ApiException<unknown>> {
  let text = "";
  try {
    text = await body.text();
  } catch {
    // The status code says enough.
  }
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return apiException(method, path, status, headers, parsed, text);
}

export interface CollectionOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  /** Items per list page. */
  pageSize?: number;
  /** The server ends each watch after a random time in [min, 2·min) seconds, as client-go does. */
  minWatchTimeoutSeconds?: number;
  random?: () => number;
  /** Events the caller already has the object of (its own writes), which are then not parsed. */
  known?: KnownEvent;
}

/**
 * A list+watch source for one collection path (`/api/v1/pods`, `/api/v1/namespaces/ns/events`, …). Lists the way
 * client-go's reflector does (tools/cache/reflector.go, 1.32): resourceVersion "0" lets the API server answer
 * from its watch cache; a specific version is asked for with NotOlderThan and without paging (the watch cache
 * serves it only unpaged); "" is a consistent, paged read.
 */
export function collectionSource(api: KubeApi, path: string, options: CollectionOptions = {}): ListWatchSource {
  const selectors: Query = {
    labelSelector: options.labelSelector ?? undefined,
    fieldSelector: options.fieldSelector ?? undefined,
  };
  const minTimeout = options.minWatchTimeoutSeconds ?? 300;
  const random = options.random ?? Math.random;
  return {
    async list<T>(resourceVersion: string, keep: (raw: unknown) => T | null): Promise<ListResult<T>> {
      const items: T[] = [];
      const exact = resourceVersion !== "" && resourceVersion !== "0";
      const versionQuery: Query = resourceVersion === "" ? {} : exact ? { resourceVersion, resourceVersionMatch: "NotOlderThan" } : { resourceVersion };
      let cont: string | undefined;
      let listVersion = "";
      do {
        const query: Query = cont ? { ...selectors, limit: options.pageSize ?? 500, continue: cont } : { ...selectors, ...versionQuery, limit: exact ? undefined : (options.pageSize ?? 500) };
        // Each item is cut down to what the cache keeps as it arrives, so no more than one raw item is alive.
        const meta = await api.list(path, query, (raw) => {
          const item = keep(raw);
          if (item !== null) items.push(item);
        });
        // Every page of a paginated list is the same snapshot; the first page's version is the snapshot's.
        if (listVersion === "") listVersion = meta.resourceVersion ?? "";
        cont = meta.continue || undefined;
      } while (cont);
      return { items, resourceVersion: listVersion };
    },
    watch(resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      const timeoutSeconds = Math.floor(minTimeout * (1 + random()));
      return api.watch(path, { ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, onEvent, onDone, options.known);
    },
  };
}
