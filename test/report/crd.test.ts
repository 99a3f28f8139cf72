// The CRD: a real API server accepts it (the sim validates CRDs as upstream does), its schema is described, its
// columns point at real fields, and every field a built report puts in status is declared (a structural schema
// prunes the rest, silently), with no nulls: optional fields without a value are absent.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { API_VERSION, buildReport, GROUP, KIND, PLURAL, SHORT_NAME, SINGULAR, VERSION, type PodHealthReport } from "../../src/report/index.js";
import { applyCrdDefaults, validateCrd } from "../../src/sim/crd-validation.js";
import { errorText } from "../../src/sim/field-errors.js";
import { printerColumnPathError } from "../../src/sim/jsonpath-syntax.js";
import type { Pod } from "../../src/status/types.js";
import { at, event, fixtureEvents, liveness, OPTIONS, pod, roundTrip, T0, troubledPod } from "./fixtures.js";

interface Schema {
  type?: string;
  description?: string;
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  [key: string]: unknown;
}

const crd = parse(readFileSync(new URL("../../crds/podhealthreports.yaml", import.meta.url), "utf8"));
const version = crd.spec.versions[0];
const schema: Schema = version.schema.openAPIV3Schema;

/** For humans: a field without a description, an object without fields. metadata must say nothing but its type. */
function undescribed(node: Schema, path: string): string[] {
  if (path === ".metadata") return [];
  const errors: string[] = [];
  if (!node.description) errors.push(`${path}: no description`);
  if (node.type === "array" && node.items) errors.push(...undescribed(node.items, `${path}[]`));
  if (node.type === "object") {
    if (!node.properties) errors.push(`${path}: object without properties`);
    for (const [key, child] of Object.entries(node.properties ?? {})) errors.push(...undescribed(child, `${path}.${key}`));
  }
  return errors;
}

/** What the API server would prune or reject in `value`: undeclared fields, wrong types, and any null at all. */
function schemaErrors(value: unknown, node: Schema, path: string): string[] {
  if (value === null) return [`${path}: null (an optional field without a value is left out)`];
  if (node.enum && !node.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} not in enum`];
  switch (node.type) {
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${path}: not an object`];
      if (path === ".metadata") return [];
      return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
        node.properties?.[key] ? schemaErrors(child, node.properties[key], `${path}.${key}`) : [`${path}.${key}: not in the schema (would be pruned)`],
      );
    }
    case "array":
      return Array.isArray(value) ? value.flatMap((item, i) => schemaErrors(item, node.items ?? {}, `${path}[${i}]`)) : [`${path}: not an array`];
    case "string":
      if (typeof value !== "string") return [`${path}: not a string`];
      return node.format === "date-time" && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? [`${path}: not RFC3339`] : [];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: not an integer`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    default:
      return [`${path}: unknown type ${String(node.type)}`];
  }
}

/** Every leaf and container path a report holds, so tests can tell that a fixture exercised the whole schema. */
function paths(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((v) => paths(v, `${path}[]`))];
  if (value !== null && typeof value === "object") return [path, ...Object.entries(value).flatMap(([k, v]) => paths(v, `${path}.${k}`))];
  return [path];
}

function schemaPaths(node: Schema, path = ""): string[] {
  if (node.type === "array") return [path, ...schemaPaths(node.items ?? {}, `${path}[]`)];
  if (node.type === "object" && node.properties) return [path, ...Object.entries(node.properties).flatMap(([k, v]) => schemaPaths(v, `${path}.${k}`))];
  return [path];
}

/** troubledPod with a third container, killed by a signal and with a startup probe: every container field filled. */
function richPod(): Pod {
  const subject = troubledPod();
  subject.spec?.containers?.push({ name: "worker", image: "shop/worker:1", startupProbe: { exec: { command: ["true"] } } });
  subject.status?.containerStatuses?.push({
    name: "worker",
    image: "shop/worker:1",
    ready: false,
    started: false,
    restartCount: 0,
    state: { terminated: { reason: "Error", exitCode: 137, signal: 9, startedAt: at(-60), finishedAt: at(-1) } },
  });
  return subject;
}

/** A report that fills every field: probes, conditions, history of every kind, crash loops, resize, tracking. */
function richReport(): PodHealthReport {
  const events = [
    ...fixtureEvents,
    event({ uid: "w", reason: "ProbeWarning", message: "Readiness probe warning: redirect", last: 20 }),
    event({ uid: "h", reason: "FailedPostStartHook", message: "PostStartHook failed", last: 21 }),
    event({ uid: "s", reason: "Unhealthy", message: "Startup probe failed: timeout", last: 22 }),
    event({ uid: "g", reason: "Unhealthy", message: "(combined from similar events): Readiness probe failed: timeout", last: 23 }),
  ];
  const options = { ...OPTIONS, eventCursorLimit: 3 };
  return buildReport({ pod: richPod(), events, now: new Date(T0), options });
}

describe("crds/podhealthreports.yaml", () => {
  test("names the resource as the code does", () => {
    expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
    expect(crd.metadata.name).toBe(`${PLURAL}.${GROUP}`);
    expect(crd.spec).toMatchObject({ group: GROUP, scope: "Namespaced", names: { kind: KIND, plural: PLURAL, singular: SINGULAR, shortNames: [SHORT_NAME] } });
    expect(API_VERSION).toBe(`${GROUP}/${VERSION}`);
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: VERSION, served: true, storage: true, subresources: { status: {} } });
  });

  test("a real API server accepts it: the sim's CRD validation (upstream's rules) finds nothing", () => {
    const defaulted = structuredClone(crd);
    applyCrdDefaults(defaulted);
    defaulted.status = { storedVersions: [VERSION] };
    expect(validateCrd(defaulted).map(errorText)).toEqual([]);
  });

  test("metadata says nothing but its type; every other field is described", () => {
    expect(schema.properties?.metadata).toEqual({ type: "object" });
    expect(undescribed(schema, "")).toEqual([]);
  });

  test("nothing is nullable: a report never stores a null", () => {
    expect(JSON.stringify(schema)).not.toContain('"nullable"');
  });

  // A server accepts a column whose path its JSONPath parser refuses, and then serves neither that column nor
  // any after it (tableconvertor.New): a mistake no install would show.
  test("every printer column's JSONPath parses as the server parses it", () => {
    const columns: Array<{ jsonPath: string }> = version.additionalPrinterColumns;
    expect(columns.map((c) => [c.jsonPath, printerColumnPathError(c.jsonPath) ?? "ok"])).toEqual(columns.map((c) => [c.jsonPath, "ok"]));
  });

  // The server does not require it, but without a status property every status write would be pruned away.
  test("the status subresource has a status property to hold what it writes", () => {
    expect(schema.properties?.status?.type).toBe("object");
  });

  test("kubectl get phr shows STATUS, READY, RESTARTS, HEALTH, CRASHLOOPS, PROBE-FAILURES, REASON, AGE", () => {
    const columns: Array<{ name: string; type: string; jsonPath: string }> = version.additionalPrinterColumns;
    expect(columns.map((c) => c.name.toUpperCase())).toEqual(["STATUS", "READY", "RESTARTS", "HEALTH", "CRASHLOOPS", "PROBE-FAILURES", "REASON", "AGE"]);
    expect(columns.at(-1)).toEqual({ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" });
    const declared = schemaPaths(schema);
    for (const c of columns.slice(0, -1)) {
      expect(declared).toContain(c.jsonPath);
      const field = c.jsonPath.split(".").slice(1).reduce<Schema>((s, k) => s.properties?.[k] ?? {}, schema);
      expect([c.jsonPath, field.type]).toEqual([c.jsonPath, c.type]);
    }
  });

  test.each([
    { name: "a rich report (every field filled)", report: richReport },
    { name: "a quiet report (absent fields and empty lists)", report: () => buildReport({ pod: pod(), events: [], now: new Date(T0), options: OPTIONS }) },
    { name: "a report rebuilt from a stored one", report: () => buildReport({ pod: pod(), events: [liveness("e", 2)], previous: roundTrip(richReport()), now: new Date(T0), options: OPTIONS }) },
  ])("$name holds only what the schema declares", ({ report }) => {
    const r = report();
    expect(schemaErrors(roundTrip(r), schema, "")).toEqual([]);
  });

  test("the rich report exercises every status field the schema declares", () => {
    const seen = new Set(paths(roundTrip(richReport()).status, ".status"));
    // A cursor's uid is only read, from reports written before cursors were kept by event name.
    const readOnly = new Set([".status.tracking.events[].uid"]);
    const missing = schemaPaths(schema.properties?.status ?? {}, ".status").filter((p) => !seen.has(p) && !readOnly.has(p));
    expect(missing).toEqual([]);
  });
});
