// Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for. Columns and cells follow the real
// server (pkg/printers/internalversion for built-in kinds, the CRD's additionalPrinterColumns for custom ones);
// the server always fills the wide (priority 1) columns and kubectl hides them unless `-o wide`.
import { ageText, derivePodStatus, humanDuration, parseTimestamp } from "../status/index.js";
import type { Pod } from "../status/index.js";
import { goJson, goNumber } from "./go-print.js";
import { evaluateJsonPath, parseJsonPath } from "./jsonpath.js";
import { printerColumnPathError } from "./jsonpath-syntax.js";
import { getPath, timeOf } from "./objects.js";
import { present } from "./present.js";
import type { PrinterColumn, ResourceInfo } from "./resources.js";
import { storedKindPrinter } from "./stored-kinds-table.js";
import type { KubeObject } from "./types.js";

export type IncludeObject = "None" | "Metadata" | "Object";

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.";

export function col(name: string, type: string, description: string, priority = 0, format = ""): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME_COLUMN = col("Name", "string", NAME_DESCRIPTION, 0, "name");
export const AGE_COLUMN = col("Age", "string", AGE_DESCRIPTION);

/** translateTimestampSince: the age of a timestamp as kubectl prints it, `<unknown>` when there is none. */
export function since(timestamp: unknown, now: number): string {
  const t = timeOf(timestamp);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

export interface Printer {
  columns: ColumnDefinition[];
  row(obj: KubeObject, now: number): Pick<TableRow, "cells" | "conditions">;
}

const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    AGE_COLUMN,
    col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
    col("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
    col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
    col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
  ],
  row(obj, now) {
    const derived = derivePodStatus(obj as Pod, new Date(now));
    const spec = (obj.spec ?? {}) as { nodeName?: string; readinessGates?: Array<{ conditionType?: string }> };
    const status = (obj.status ?? {}) as { phase?: string; podIP?: string; podIPs?: Array<{ ip?: string }>; nominatedNodeName?: string; conditions?: Array<{ type?: string; status?: string }> };
    const ip = status.podIPs?.[0]?.ip || status.podIP || "<none>";
    let gates = "<none>";
    if (spec.readinessGates?.length) {
      const satisfied = spec.readinessGates.filter((g) => status.conditions?.find((c) => c.type === g.conditionType)?.status === "True").length;
      gates = `${satisfied}/${spec.readinessGates.length}`;
    }
    const cells = [
      obj.metadata?.name ?? "",
      derived.ready,
      derived.status,
      derived.restartsText,
      since(obj.metadata?.creationTimestamp, now),
      ip,
      spec.nodeName || "<none>",
      status.nominatedNodeName || "<none>",
      gates,
    ];
    // The server marks finished pods so that clients can tell them apart without parsing the status column.
    if (status.phase === "Succeeded") return { cells, conditions: [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }] };
    if (status.phase === "Failed") return { cells, conditions: [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }] };
    return { cells };
  },
};

const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col("Status", "string", "The status of the namespace"), AGE_COLUMN],
  row: (obj, now) => ({ cells: [obj.metadata?.name ?? "", String(getPath(obj, "status.phase") ?? "Active"), since(obj.metadata?.creationTimestamp, now)] }),
};

const eventPrinter: Printer = {
  columns: [
    col("Last Seen", "string", "Time when this Event was last observed."),
    col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
    col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col("Object", "string", "The object that this event is about."),
    col("Subobject", "string", "The field of the object that this event is about.", 1),
    col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
    col("Message", "string", "A human-readable description of the status of this operation."),
    col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
    col("Count", "string", "The number of times this event has occurred.", 1),
    col("Name", "string", NAME_DESCRIPTION, 1, "name"),
  ],
  row(obj, now) {
    const e = obj as KubeObject & {
      involvedObject?: { kind?: string; name?: string; fieldPath?: string };
      source?: { component?: string; host?: string };
      reportingComponent?: string;
      series?: { count?: number; lastObservedTime?: string };
      eventTime?: string;
      firstTimestamp?: string;
      lastTimestamp?: string;
      count?: number;
      type?: string;
      reason?: string;
      message?: string;
    };
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? first;
    const source = e.source?.component ? [e.source.component, e.source.host].filter(Boolean).join(", ") : (e.reportingComponent ?? "");
    return {
      cells: [
        since(last, now),
        e.type ?? "",
        e.reason ?? "",
        `${(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}`,
        e.involvedObject?.fieldPath ?? "",
        source,
        (e.message ?? "").trim(),
        since(first, now),
        e.series?.count ?? e.count ?? 1,
        e.metadata?.name ?? "",
      ],
    };
  },
};

const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col("Holder", "string", "HolderIdentity contains the identity of the holder of a current lease."), AGE_COLUMN],
  row: (obj, now) => ({ cells: [obj.metadata?.name ?? "", String(getPath(obj, "spec.holderIdentity") ?? ""), since(obj.metadata?.creationTimestamp, now)] }),
};

const crdPrinter: Printer = {
  columns: [NAME_COLUMN, col("Created At", "date", AGE_DESCRIPTION)],
  row: (obj) => ({ cells: [obj.metadata?.name ?? "", obj.metadata?.creationTimestamp ?? null] }),
};

const genericPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  row: (obj, now) => ({ cells: [obj.metadata?.name ?? "", since(obj.metadata?.creationTimestamp, now)] }),
};

const BUILTIN_PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  namespaces: namespacePrinter,
  events: eventPrinter,
  "events.events.k8s.io": eventPrinter,
  "leases.coordination.k8s.io": leasePrinter,
  "customresourcedefinitions.apiextensions.k8s.io": crdPrinter,
};

/**
 * A cell for a CRD column, as apiextensions-apiserver v0.32 tableconvertor.go makes it. No match (a missing
 * field) is a null cell, which kubectl prints empty. A match is typed by the column: a string column prints the
 * value with client-go's JSONPath printer, which writes a stored JSON null as `<no value>` (text/template's
 * printableValue of an invalid reflect.Value) and an object or list as JSON; the other types take a value of
 * their own type and are null otherwise; a date column shows the age, `<invalid>` when the text is no RFC3339.
 */
export function customCell(type: string, values: unknown[], now: number): unknown {
  if (values.length === 0 || values[0] === undefined) return null;
  const value = values[0];
  switch (type) {
    case "string":
      if (value === null) return "<no value>";
      if (typeof value === "string") return value;
      if (typeof value === "number") return goNumber(value);
      if (typeof value === "boolean") return String(value);
      return goJson(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date": {
      if (typeof value !== "string") return null;
      // metav1.Time.UnmarshalQueryParameter: empty and "null" are the zero time, which prints <unknown>.
      if (value === "" || value === "null") return "<unknown>";
      return Number.isNaN(parseTimestamp(value)) ? "<invalid>" : ageText(value, now);
    }
    default:
      return null;
  }
}

const compiledPaths = new Map<string, ReturnType<typeof parseJsonPath> | null>();

function compiled(path: string): ReturnType<typeof parseJsonPath> | null {
  let steps = compiledPaths.get(path);
  if (steps === undefined) {
    try {
      steps = parseJsonPath(path);
    } catch {
      // A path client-go parses but this evaluator does not support prints nothing, as an evaluation error would.
      steps = null;
    }
    if (compiledPaths.size >= MAX_COMPILED_PATHS) compiledPaths.clear();
    compiledPaths.set(path, steps);
  }
  return steps;
}

/** Bounds the compiled-path cache: CRDs come and go at run time, each with its own paths. */
const MAX_COMPILED_PATHS = 1000;

/**
 * The columns the server serves: up to, not including, the first whose JSONPath its parser rejects. The CRD is
 * accepted all the same (validation only asks for a leading dot); tableconvertor.New stops at the bad column
 * and the server logs it and serves the columns it has.
 */
export function servedColumns(columns: readonly PrinterColumn[]): PrinterColumn[] {
  const bad = columns.findIndex((c) => printerColumnPathError(c.jsonPath) !== undefined);
  return bad < 0 ? [...columns] : columns.slice(0, bad);
}

function customPrinter(info: ResourceInfo, version: string): Printer {
  const columns = servedColumns(info.printerColumns?.[version] ?? []);
  return {
    columns: [
      NAME_COLUMN,
      ...columns.map((c) => col(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, c.priority ?? 0, c.format ?? "")),
    ],
    row: (obj, now) => ({
      cells: [
        obj.metadata?.name ?? "",
        ...columns.map((c) => {
          const steps = compiled(c.jsonPath);
          return steps ? customCell(c.type, evaluateJsonPath(steps, obj), now) : null;
        }),
      ],
    }),
  };
}

function printerFor(info: ResourceInfo, version: string): Printer {
  if (info.custom) return customPrinter(info, version);
  return BUILTIN_PRINTERS[info.key] ?? storedKindPrinter(info.key) ?? genericPrinter;
}

function rowObject(info: ResourceInfo, version: string, obj: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return present(info, version, obj);
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export interface TableOptions {
  now: number;
  includeObject: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first carry rows only; kubectl keeps the header). */
  noHeaders?: boolean;
}

/** A Table of the given objects, with list metadata when it stands for a list. */
export function toTable(info: ResourceInfo, version: string, objects: KubeObject[], metadata: Table["metadata"], options: TableOptions): Table {
  const printer = printerFor(info, version);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: options.noHeaders ? [] : printer.columns,
    rows: objects.map((obj) => {
      const row: TableRow = printer.row(obj, options.now);
      const object = rowObject(info, version, obj, options.includeObject);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}
