// The one place that talks HTTP to the API server. It sends plain JSON through client-node's own transport
// (RequestContext + its fetch library, so auth, TLS and exec plugins all apply) instead of the generated typed
// APIs, because those turn timestamps into Date objects and drop fields their models do not know; the status
// engine and the report builder read the JSON the API server sends.
import {
  ApiException,
  createConfiguration,
  HttpMethod,
  RequestContext,
  ServerConfiguration,
  Watch,
  type Configuration,
  type KubeConfig,
} from "@kubernetes/client-node";
import type { ListResult, ListWatchSource, WatchEventType, WatchHandle } from "./reflector.js";

export type Query = Record<string, string | number | boolean | undefined>;

/** The API calls the controller makes; tests substitute an in-memory fake. */
export interface KubeApi {
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  post<T = unknown>(path: string, body: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
  delete<T = unknown>(path: string, body?: unknown): Promise<T>;
  watch(path: string, query: Query, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

export interface KubeHttpOptions {
  /** Abort a non-watch request after this long. */
  requestTimeoutMs?: number;
  /**
   * client-node's Watch aborts a watch that has received nothing for 30 s (its private requestTimeoutMs), which
   * on a quiet collection means a reconnect every 30 s. Watches ask the server to end them after
   * `timeoutSeconds` and get bookmarks, so the idle limit here only has to catch dead connections.
   */
  watchIdleTimeoutMs?: number;
}

export class KubeHttp implements KubeApi {
  private readonly kc: KubeConfig;
  private readonly server: string;
  private readonly configuration: Configuration;
  private readonly watcher: Watch;
  private readonly requestTimeoutMs: number;

  constructor(kc: KubeConfig, options: KubeHttpOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig: no current cluster");
    this.kc = kc;
    this.server = cluster.server.replace(/\/+$/, "");
    this.configuration = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: kc } });
    this.watcher = new Watch(kc);
    Object.assign(this.watcher, { requestTimeoutMs: options.watchIdleTimeoutMs ?? 10 * 60_000 });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>(HttpMethod.GET, path, query, undefined);
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>(HttpMethod.POST, path, undefined, body);
  }

  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>(HttpMethod.PUT, path, undefined, body);
  }

  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(HttpMethod.DELETE, path, undefined, body);
  }

  async watch(path: string, query: Query, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void): Promise<WatchHandle> {
    const controller = await this.watcher.watch(path, query, (type: string, obj: unknown) => onEvent(type as WatchEventType, obj), onDone);
    return { abort: () => controller.abort() };
  }

  private async request<T>(method: HttpMethod, path: string, query: Query | undefined, body: unknown): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), method);
    ctx.setHeaderParam("Accept", "application/json");
    if (body !== undefined) {
      ctx.setHeaderParam("Content-Type", "application/json");
      ctx.setBody(JSON.stringify(body));
    }
    ctx.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    await this.kc.applySecurityAuthentication(ctx);
    let resp;
    try {
      resp = await this.configuration.httpApi.send(ctx).toPromise();
    } catch (err) {
      throw new Error(`${method} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = await resp.body.text();
    let parsed: unknown = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (resp.httpStatusCode >= 400) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
      throw new ApiException(resp.httpStatusCode, `${method} ${path}: ${message}`, parsed, resp.headers);
    }
    return parsed as T;
  }
}

export interface CollectionOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  /** Items per list page. */
  pageSize?: number;
  /** The server ends each watch after a random time in [min, 2·min) seconds, as client-go does. */
  minWatchTimeoutSeconds?: number;
  random?: () => number;
}

interface ListBody {
  items?: unknown[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** A list+watch source for one collection path (`/api/v1/pods`, `/api/v1/namespaces/ns/events`, …). */
export function collectionSource(api: KubeApi, path: string, options: CollectionOptions = {}): ListWatchSource<unknown> {
  const selectors: Query = {
    labelSelector: options.labelSelector ?? undefined,
    fieldSelector: options.fieldSelector ?? undefined,
  };
  const minTimeout = options.minWatchTimeoutSeconds ?? 300;
  const random = options.random ?? Math.random;
  return {
    async list(): Promise<ListResult<unknown>> {
      const items: unknown[] = [];
      let cont: string | undefined;
      let resourceVersion = "";
      do {
        const page = await api.get<ListBody>(path, { ...selectors, limit: options.pageSize ?? 500, continue: cont });
        items.push(...(page.items ?? []));
        // Every page of a paginated list is the same snapshot; the first page's version is the snapshot's.
        if (resourceVersion === "") resourceVersion = page.metadata?.resourceVersion ?? "";
        cont = page.metadata?.continue || undefined;
      } while (cont);
      return { items, resourceVersion };
    },
    watch(resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      const timeoutSeconds = Math.floor(minTimeout * (1 + random()));
      return api.watch(path, { ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, onEvent, onDone);
    },
  };
}
