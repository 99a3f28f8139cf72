// Legacy (unaggregated) discovery documents: /api, /apis, /api/v1, /apis/<group>[/<version>], /version.
// kubectl 1.32 first asks for aggregated discovery (apidiscovery.k8s.io/v2); answering with these plain
// documents and a plain application/json content type makes it fall back to walking the group versions.
import { VERBS, type ResourceInfo, type ResourceRegistry } from "./resources.js";

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDocument(name: string, versions: string[]): object {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: ResourceRegistry): object {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map((g) => groupDocument(g.name, g.versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, group: string): object | undefined {
  const g = registry.groups().find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupDocument(g.name, g.versions) } : undefined;
}

function resourceEntries(info: ResourceInfo): object[] {
  const main: Record<string, unknown> = {
    name: info.plural,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: VERBS,
  };
  if (info.shortNames.length > 0) main.shortNames = info.shortNames;
  if (info.categories.length > 0) main.categories = info.categories;
  const entries: object[] = [main];
  if (info.statusSubresource) {
    entries.push({ name: `${info.plural}/status`, singularName: "", namespaced: info.namespaced, kind: info.kind, verbs: ["get", "patch", "update"] });
  }
  return entries;
}

/** The APIResourceList of a group version; undefined when nothing is served there. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const resources = registry.inGroupVersion(group, version);
  if (resources.length === 0 && !(group === "" && version === "v1")) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group === "" ? version : `${group}/${version}`,
    resources: resources.flatMap(resourceEntries),
  };
}
