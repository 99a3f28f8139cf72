// Server-side printing, table-driven: a named object and the row the real server would send for it.
import { builtinResources, resourceFromCrd } from "../../src/sim/resources.js";
import { toTable } from "../../src/sim/table.js";
import type { KubeObject } from "../../src/sim/types.js";

const NOW = Date.parse("2025-01-06T10:00:00Z");
const info = (key: string) => builtinResources().find((r) => r.key === key)!;

const crashing: KubeObject = {
  metadata: { name: "api-7d9", namespace: "default", creationTimestamp: "2025-01-06T09:00:00Z" },
  spec: { nodeName: "node-1", readinessGates: [{ conditionType: "example.com/lb" }], containers: [{ name: "app" }, { name: "side" }] },
  status: {
    phase: "Running",
    podIPs: [{ ip: "10.0.0.7" }],
    conditions: [{ type: "example.com/lb", status: "True" }],
    containerStatuses: [
      { name: "app", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2025-01-06T09:58:00Z" } } },
      { name: "side", ready: true, restartCount: 0, state: { running: { startedAt: "2025-01-06T09:00:05Z" } } },
    ],
  },
};

const POD_ROWS: Array<[string, KubeObject, unknown[]]> = [
  ["crash-looping, with a readiness gate", crashing, ["api-7d9", "1/2", "CrashLoopBackOff", "4 (2m ago)", "60m", "10.0.0.7", "node-1", "<none>", "1/1"]],
  [
    "pending, unscheduled",
    { metadata: { name: "new", creationTimestamp: "2025-01-06T09:59:30Z" }, spec: { containers: [{ name: "a" }] }, status: { phase: "Pending" } },
    ["new", "0/1", "Pending", "0", "30s", "<none>", "<none>", "<none>", "<none>"],
  ],
];

describe("pod tables", () => {
  test("columns as the real server defines them, wide ones at priority 1", () => {
    const table = toTable(info("pods"), "v1", [], { resourceVersion: "5" }, { now: NOW, includeObject: "Metadata" });
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0],
      ["Ready", 0],
      ["Status", 0],
      ["Restarts", 0],
      ["Age", 0],
      ["IP", 1],
      ["Node", 1],
      ["Nominated Node", 1],
      ["Readiness Gates", 1],
    ]);
    expect(table.columnDefinitions[0].format).toBe("name");
  });

  test.each(POD_ROWS)("%s", (_name, pod, cells) => {
    const table = toTable(info("pods"), "v1", [pod], {}, { now: NOW, includeObject: "Metadata" });
    expect(table.rows[0].cells).toEqual(cells);
    expect(table.rows[0].object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: pod.metadata });
  });

  test("includeObject None and Object; finished pods carry a Completed condition", () => {
    const done: KubeObject = { metadata: { name: "job" }, spec: { containers: [{ name: "a" }] }, status: { phase: "Succeeded" } };
    expect(toTable(info("pods"), "v1", [done], {}, { now: NOW, includeObject: "None" }).rows[0]).toEqual({
      cells: expect.any(Array),
      conditions: [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }],
    });
    expect(toTable(info("pods"), "v1", [done], {}, { now: NOW, includeObject: "Object" }).rows[0].object).toBe(done);
  });
});

describe("custom resource tables", () => {
  const crd: KubeObject = {
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
            { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: "Healthy", type: "boolean", jsonPath: ".status.healthy" },
            { name: "Ratio", type: "number", jsonPath: ".status.ratio" },
            { name: "Seen", type: "date", jsonPath: ".status.seen", priority: 1 },
          ],
        },
      ],
    },
  };

  test("additionalPrinterColumns: typed cells, null when absent, dates as ages", () => {
    const widget: KubeObject = {
      metadata: { name: "w", creationTimestamp: "2025-01-06T09:00:00Z" },
      spec: { replicas: 3 },
      status: { conditions: [{ type: "Other", status: "False" }, { type: "Ready", status: "True" }], healthy: true, seen: "2025-01-06T09:55:00Z" },
    };
    const table = toTable(resourceFromCrd(crd), "v1", [widget], {}, { now: NOW, includeObject: "None" });
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.type}:${c.priority}`)).toEqual(["Name:string:0", "Replicas:integer:0", "Ready:string:0", "Healthy:boolean:0", "Ratio:number:0", "Seen:date:1"]);
    expect(table.rows[0].cells).toEqual(["w", 3, "True", true, null, "5m"]);
  });

  // apiextensions-apiserver tableconvertor.go: a missing field is no result, a nil cell, which kubectl prints
  // empty; a stored null is a result, and client-go's JSONPath printer writes it as <no value>.
  test("a stored null in a string column prints <no value>; a missing field is a null cell", () => {
    const noted = structuredClone(crd);
    const versions = (noted.spec as { versions: Array<{ additionalPrinterColumns: unknown[] }> }).versions;
    versions[0].additionalPrinterColumns = [
      { name: "Note", type: "string", jsonPath: ".status.note" },
      { name: "Count", type: "integer", jsonPath: ".status.count" },
    ];
    const info = resourceFromCrd(noted);
    const at = (status: Record<string, unknown>): unknown[] =>
      toTable(info, "v1", [{ metadata: { name: "w", creationTimestamp: "2025-01-06T09:00:00Z" }, status }], {}, { now: NOW, includeObject: "None" }).rows[0].cells;
    expect(at({ note: null, count: null })).toEqual(["w", "<no value>", null]);
    expect(at({})).toEqual(["w", null, null]);
    expect(at({ note: "hi", count: 2 })).toEqual(["w", "hi", 2]);
  });

  test.each([
    ["a number", 1.5, "1.5"],
    ["a whole number", 7, "7"],
    ["a large float, as Go's %v prints it", 1234567.5, "1.2345675e+06"],
    ["a boolean", true, "true"],
    ["an object, as Go's json.Marshal writes it (sorted keys, HTML escaped)", { b: 1, a: "<x>" }, '{"a":"\\u003cx\\u003e","b":1}'],
    ["a list", [1, "two"], '[1,"two"]'],
  ])("a string column prints %s as text", (_what, value, text) => {
    const noted = structuredClone(crd);
    (noted.spec as { versions: Array<{ additionalPrinterColumns: unknown[] }> }).versions[0].additionalPrinterColumns = [{ name: "V", type: "string", jsonPath: ".status.v" }];
    const table = toTable(resourceFromCrd(noted), "v1", [{ metadata: { name: "w" }, status: { v: value } }], {}, { now: NOW, includeObject: "None" });
    expect(table.rows[0].cells[1]).toBe(text);
  });

  test("a date column: an age, <invalid> for text that is no RFC3339 time, <unknown> for an empty one", () => {
    const dated = structuredClone(crd);
    (dated.spec as { versions: Array<{ additionalPrinterColumns: unknown[] }> }).versions[0].additionalPrinterColumns = [{ name: "Seen", type: "date", jsonPath: ".status.seen" }];
    const cell = (seen: unknown): unknown => toTable(resourceFromCrd(dated), "v1", [{ metadata: { name: "w" }, status: { seen } }], {}, { now: NOW, includeObject: "None" }).rows[0].cells[1];
    expect([cell("2025-01-06T09:55:00Z"), cell("yesterday"), cell(""), cell(5)]).toEqual(["5m", "<invalid>", "<unknown>", null]);
  });

  test("a column whose JSONPath client-go cannot parse, and every column after it, are not served", () => {
    const broken = structuredClone(crd);
    (broken.spec as { versions: Array<{ additionalPrinterColumns: unknown[] }> }).versions[0].additionalPrinterColumns = [
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      { name: "Bad", type: "string", jsonPath: ".status.conditions[" },
      { name: "After", type: "string", jsonPath: ".status.phase" },
    ];
    const table = toTable(resourceFromCrd(broken), "v1", [{ metadata: { name: "w" }, spec: { replicas: 2 } }], {}, { now: NOW, includeObject: "None" });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Replicas"]);
    expect(table.rows[0].cells).toEqual(["w", 2]);
  });

  test("a column without a description is described by its JSONPath, as the server does", () => {
    const table = toTable(resourceFromCrd(crd), "v1", [], {}, { now: NOW, includeObject: "None" });
    expect(table.columnDefinitions[1].description).toBe("Custom resource definition column (in JSONPath format): .spec.replicas");
  });

  test("a version without columns gets the default Age column", () => {
    const bare = structuredClone(crd);
    delete (bare.spec as { versions: Array<Record<string, unknown>> }).versions[0].additionalPrinterColumns;
    const table = toTable(resourceFromCrd(bare), "v1", [{ metadata: { name: "w", creationTimestamp: "2025-01-06T07:00:00Z" } }], {}, { now: NOW, includeObject: "None" });
    expect(table.rows[0].cells).toEqual(["w", "3h"]);
  });
});

describe("other built-in tables", () => {
  test("namespaces, events, leases", () => {
    expect(toTable(info("namespaces"), "v1", [{ metadata: { name: "prod", creationTimestamp: "2025-01-05T10:00:00Z" }, status: { phase: "Active" } }], {}, { now: NOW, includeObject: "None" }).rows[0].cells).toEqual([
      "prod",
      "Active",
      "24h",
    ]);
    const event: KubeObject = {
      metadata: { name: "api.1" },
      involvedObject: { kind: "Pod", name: "api", fieldPath: "spec.containers{app}" },
      reason: "BackOff",
      message: "Back-off restarting failed container",
      type: "Warning",
      count: 5,
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: "2025-01-06T09:00:00Z",
      lastTimestamp: "2025-01-06T09:59:00Z",
    };
    expect(toTable(info("events"), "v1", [event], {}, { now: NOW, includeObject: "None" }).rows[0].cells).toEqual([
      "60s",
      "Warning",
      "BackOff",
      "pod/api",
      "spec.containers{app}",
      "kubelet, node-1",
      "Back-off restarting failed container",
      "60m",
      5,
      "api.1",
    ]);
    expect(toTable(info("leases.coordination.k8s.io"), "v1", [{ metadata: { name: "l", creationTimestamp: "2025-01-06T09:59:50Z" }, spec: { holderIdentity: "me" } }], {}, { now: NOW, includeObject: "None" }).rows[0].cells).toEqual(["l", "me", "10s"]);
  });
});
