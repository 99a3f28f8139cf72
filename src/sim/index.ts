// The simulated cluster in one call: an in-memory store behind a Kubernetes-compatible HTTP API on 127.0.0.1,
// with the project's CRDs loaded, a kubeconfig for kubectl and client-node, and a handle to inject faults.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { systemClock, wallClock, type SimClock } from "./clock.js";
import { startCrdController } from "./crd-controller.js";
import { ApiError } from "./errors.js";
import { Faults } from "./faults.js";
import { kubeConfigFor, writeKubeConfig, type KubeConfigDocument } from "./kubeconfig.js";
import { Listener } from "./listener.js";
import type { RequestAttributes, RequestAuthorizer } from "./rbac.js";
import { CRD_KEY, ResourceRegistry } from "./resources.js";
import { RestApi } from "./rest.js";
import { createRequestHandler } from "./server.js";
import { MemoryStore } from "./store.js";
import type { KubeObject } from "./types.js";
import { WatchHub } from "./watch.js";

export type { SimClock } from "./clock.js";
export type { FailureSpec, FaultState, RequestMatch, ResetSpec } from "./faults.js";
export type { BlackHoleOptions, DownOptions, RestartOptions } from "./outage.js";
export type { DeleteOptions } from "./store.js";
export type { KubeConfigDocument } from "./kubeconfig.js";
export type { RequestAttributes, RequestAuthorizer } from "./rbac.js";
export type * from "./types.js";
export { Faults } from "./faults.js";
export { MemoryStore } from "./store.js";
export { ApiError, StoreError } from "./errors.js";

export interface SimClusterOptions {
  /** Port to listen on; 0 or absent lets the OS choose. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Folders whose *.yaml / *.yml / *.json CRDs are created at start. Default: the package's crds/ folder. */
  crdDirs?: string[];
  /** Events the watch history keeps (global). Default 10,000. */
  watchHistorySize?: number;
  /** The cluster's clock: creation and deletion timestamps, ages in tables, pod grace periods. */
  clock?: SimClock;
  /**
   * The clock fault durations run on (`faults.down({ forMs })`, restart, black hole). Default: the wall clock,
   * not `clock`, since a person who says "down for 20 s" means 20 real seconds whatever the time scale. A test
   * passes a manual clock and advances it instead of waiting.
   */
  faultClock?: SimClock;
  /**
   * Pods deleted with a grace period are removed once it has passed on the clock, as if a kubelet confirmed.
   * Default true; turn it off when a kubelet driver deletes pods itself.
   */
  podGraceAuto?: boolean;
  /** Interval of BOOKMARK events on watches that allow them. Default 5,000 ms. */
  bookmarkIntervalMs?: number;
  /**
   * How long (real time) a watch-list from a resourceVersion the store has not reached waits before it fails with
   * "Too large resource version", as the watch cache's 3 s blockTimeout. Default 3,000 ms.
   */
  watchFreshnessTimeoutMs?: number;
  /**
   * kube-apiserver's --event-ttl in seconds (default 3600; 0 keeps events): an Event is deleted between this and
   * this + 60 s after its last write, on the cluster's clock (see event-ttl.ts).
   */
  eventTtlSeconds?: number;
  /** Namespaces to create at start besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
  /**
   * Authorizes every resource request as `authorizer.user` (the sim does no authentication); a denied one gets
   * 403 Forbidden as kube-apiserver words it. Discovery, /version, /openapi, health and /sim are not checked.
   * Default: everything is allowed (see rbac.ts for an RBAC authorizer built from manifests).
   */
  authorizer?: RequestAuthorizer;
  /** Told of every resource request with its attributes (verb, group, resource, …) and whether it was allowed. */
  onRequest?: (attrs: RequestAttributes, allowed: boolean) => void;
}

export interface SimCluster {
  /** http://host:port */
  url: string;
  store: MemoryStore;
  faults: Faults;
  registry: ResourceRegistry;
  /** A kubeconfig (as a plain object) that points at this cluster, for KubeConfig.loadFromString(JSON.stringify(...)). */
  kubeConfig(): KubeConfigDocument;
  /** Writes the kubeconfig as YAML (mode 0600). */
  writeKubeconfig(file: string): Promise<void>;
  /** Ends watches, stops listening, cancels timers. Idempotent. */
  close(): Promise<void>;
}

/** The package root: src/sim/index.ts and dist/sim/index.js are both two levels below it. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
}

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Reads the CRDs in the given folders; folders that do not exist are skipped. */
export async function readCrds(dirs: string[]): Promise<KubeObject[]> {
  const crds: KubeObject[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new Error(`sim: cannot read CRD folder ${dir}`, { cause: err });
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const docs = parseAllDocuments(await readFile(file, "utf8"));
      for (const doc of docs) {
        if (doc.errors.length > 0) throw new Error(`sim: ${file}: ${doc.errors[0].message}`);
        const obj = doc.toJS() as KubeObject | null;
        if (obj?.kind === "CustomResourceDefinition") crds.push(obj);
      }
    }
  }
  return crds;
}

export async function startSimCluster(options: SimClusterOptions = {}): Promise<SimCluster> {
  const host = options.host ?? "127.0.0.1";
  const registry = new ResourceRegistry();
  const store = new MemoryStore({
    registry,
    clock: options.clock ?? systemClock,
    watchHistorySize: options.watchHistorySize,
    podGraceAuto: options.podGraceAuto,
    eventTtlSeconds: options.eventTtlSeconds,
  });
  const hub = new WatchHub(store, { bookmarkIntervalMs: options.bookmarkIntervalMs, freshnessTimeoutMs: options.watchFreshnessTimeoutMs });
  const stopCrds = startCrdController(store, registry, hub);
  const rest = new RestApi(store);
  const listener = new Listener();
  const faults = new Faults(store, hub, { listener, clock: options.faultClock ?? wallClock });

  for (const ns of [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])]) {
    if (!store.get("namespaces", "", ns)) rest.create({ info: registry.get("namespaces")!, version: "v1", namespace: undefined, name: undefined, subresource: undefined }, { metadata: { name: ns } }, false);
  }
  const crdInfo = registry.get(CRD_KEY)!;
  for (const crd of await readCrds(options.crdDirs ?? [path.join(packageRoot(), "crds")])) {
    try {
      // Strict, as `kubectl apply -f crds/` decodes: a misspelt field stops the install.
      rest.create({ info: crdInfo, version: "v1", namespace: undefined, name: undefined, subresource: undefined }, crd, false, { fieldValidation: "Strict" });
    } catch (err) {
      throw new Error(`sim: cannot create CRD ${crd.metadata?.name ?? "?"}: ${err instanceof ApiError ? err.message : String(err)}`, { cause: err });
    }
  }

  let address = `${host}:${options.port ?? 0}`;
  const handler = createRequestHandler({ store, registry, rest, hub, faults, address: () => address, authorizer: options.authorizer, onRequest: options.onRequest });
  const port = await listener.listen(handler, options.port ?? 0, host);
  address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const url = `http://${address}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    faults,
    registry,
    kubeConfig: () => kubeConfigFor(url),
    writeKubeconfig: (file) => writeKubeConfig(file, url),
    close: () => {
      closing ??= (async () => {
        faults.close();
        hub.close();
        stopCrds();
        store.close();
        await listener.close();
      })();
      return closing;
    },
  };
}
