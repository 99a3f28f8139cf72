// A minimal OpenAPI v3 surface: the /openapi/v3 index and, per group version, a document listing each kind's
// PATCH operation with the `fieldValidation` parameter. That is what kubectl 1.32 looks for to decide that the
// server validates fields itself; without it `kubectl apply` fails ("failed to download openapi") unless run
// with --validate=false. Schemas are left out, so `kubectl explain` has nothing to show.
import { createHash } from "node:crypto";
import { apiVersionOf } from "./objects.js";
import type { ResourceInfo, ResourceRegistry } from "./resources.js";

function groupVersions(registry: ResourceRegistry): Array<{ group: string; version: string; resources: ResourceInfo[] }> {
  const out = new Map<string, { group: string; version: string; resources: ResourceInfo[] }>();
  for (const info of registry.all()) {
    for (const version of info.versions) {
      const key = apiVersionOf(info.group, version);
      const entry = out.get(key) ?? { group: info.group, version, resources: [] };
      entry.resources.push(info);
      out.set(key, entry);
    }
  }
  return [...out.values()];
}

function gvPath(group: string, version: string): string {
  return group === "" ? `api/${version}` : `apis/${group}/${version}`;
}

const PATCH_PARAMETERS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));

/** The OpenAPI v3 document of one group version; undefined when nothing is served there. */
export function openApiDocument(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const gv = groupVersions(registry).find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const paths: Record<string, object> = {};
  for (const info of gv.resources) {
    const base = `/${gvPath(group, version)}${info.namespaced ? "/namespaces/{namespace}" : ""}/${info.plural}/{name}`;
    const patch = {
      operationId: `patch${info.kind}`,
      "x-kubernetes-action": "patch",
      "x-kubernetes-group-version-kind": { group, version, kind: info.kind },
      parameters: PATCH_PARAMETERS,
      // Strategic merge patch is left out on purpose: kubectl then computes it from its built-in types.
      requestBody: { content: { "application/json-patch+json": {}, "application/merge-patch+json": {}, "application/apply-patch+yaml": {} }, required: true },
      responses: { "200": { description: "OK" } },
    };
    paths[base] = { patch };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0-sim" }, paths, components: { schemas: {} } };
}

/** The /openapi/v3 index: one entry per group version with a content hash, as kube-apiserver serves it. */
export function openApiIndex(registry: ResourceRegistry): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(registry)) {
    const doc = openApiDocument(registry, gv.group, gv.version);
    const hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 128).toUpperCase();
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
