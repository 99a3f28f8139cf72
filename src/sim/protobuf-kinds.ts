// Field tables of the protobuf messages the simulated API server decodes: field number to JSON name and type, from
// the upstream generated.proto files at 1.32 (k8s.io/api core/v1, k8s.io/apimachinery pkg/apis/meta/v1). Fields
// left out (ObjectMeta selfLink and managedFields, NamespaceStatus conditions) are skipped when they arrive: this
// server sets or ignores them on a write.

export type FieldSpec = { name: string; repeated?: boolean; /** A Go pointer: a zero value is still a value. */ presence?: boolean } & (
  | { type: "string" | "bool" | "int64" | "int32" | "time" | "raw" }
  /** bytes, shown in JSON as base64 ([]byte in Go). */
  | { type: "bytes" }
  | { type: "map"; value: "string" | "bytes" }
  | { type: "message"; message: MessageSpec }
);

export type MessageSpec = Record<number, FieldSpec>;

const str = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, type: "string", ...extra }) as FieldSpec;

/** meta/v1 OwnerReference. */
const OWNER_REFERENCE: MessageSpec = {
  1: str("kind"),
  3: str("name"),
  4: str("uid"),
  5: str("apiVersion"),
  6: { name: "controller", type: "bool", presence: true },
  7: { name: "blockOwnerDeletion", type: "bool", presence: true },
};

/** meta/v1 ObjectMeta. */
const OBJECT_META: MessageSpec = {
  1: str("name"),
  2: str("generateName"),
  3: str("namespace"),
  5: str("uid"),
  6: str("resourceVersion"),
  7: { name: "generation", type: "int64" },
  8: { name: "creationTimestamp", type: "time" },
  9: { name: "deletionTimestamp", type: "time" },
  10: { name: "deletionGracePeriodSeconds", type: "int64", presence: true },
  11: { name: "labels", type: "map", value: "string" },
  12: { name: "annotations", type: "map", value: "string" },
  13: { name: "ownerReferences", type: "message", message: OWNER_REFERENCE, repeated: true },
  14: str("finalizers", { repeated: true }),
};

const metadata: FieldSpec = { name: "metadata", type: "message", message: OBJECT_META };

/** core/v1 Namespace: spec.finalizers, status.phase. */
const NAMESPACE: MessageSpec = {
  1: metadata,
  2: { name: "spec", type: "message", message: { 1: str("finalizers", { repeated: true }) } },
  3: { name: "status", type: "message", message: { 1: str("phase") } },
};

/** core/v1 ConfigMap. */
const CONFIG_MAP: MessageSpec = {
  1: metadata,
  2: { name: "data", type: "map", value: "string" },
  3: { name: "binaryData", type: "map", value: "bytes" },
  4: { name: "immutable", type: "bool", presence: true },
};

/** core/v1 Secret: data is bytes (base64 in JSON), stringData plain. */
const SECRET: MessageSpec = {
  1: metadata,
  2: { name: "data", type: "map", value: "bytes" },
  3: str("type"),
  4: { name: "stringData", type: "map", value: "string" },
  5: { name: "immutable", type: "bool", presence: true },
};

/** core/v1 ObjectReference. */
const OBJECT_REFERENCE: MessageSpec = {
  1: str("kind"),
  2: str("namespace"),
  3: str("name"),
  4: str("uid"),
  5: str("apiVersion"),
  6: str("resourceVersion"),
  7: str("fieldPath"),
};

/** core/v1 ServiceAccount. */
const SERVICE_ACCOUNT: MessageSpec = {
  1: metadata,
  2: { name: "secrets", type: "message", message: OBJECT_REFERENCE, repeated: true },
  3: { name: "imagePullSecrets", type: "message", message: { 1: str("name") }, repeated: true },
  4: { name: "automountServiceAccountToken", type: "bool", presence: true },
};

/** meta/v1 DeleteOptions, which typed clients send with DELETE in any group version. */
const DELETE_OPTIONS: MessageSpec = {
  1: { name: "gracePeriodSeconds", type: "int64", presence: true },
  2: { name: "preconditions", type: "message", message: { 1: str("uid", { presence: true }), 2: str("resourceVersion", { presence: true }) } },
  3: { name: "orphanDependents", type: "bool", presence: true },
  4: str("propagationPolicy", { presence: true }),
  5: str("dryRun", { repeated: true }),
};

const CORE_V1: Record<string, MessageSpec> = {
  Namespace: NAMESPACE,
  ConfigMap: CONFIG_MAP,
  Secret: SECRET,
  ServiceAccount: SERVICE_ACCOUNT,
};

/** What a 415 names as decodable. */
export const PROTOBUF_KINDS = "v1 Namespace, ConfigMap, Secret, ServiceAccount (and DeleteOptions)";

/** The message table of a kind at an apiVersion; undefined when this server cannot decode it. */
export function messageFor(apiVersion: string, kind: string): MessageSpec | undefined {
  if (kind === "DeleteOptions") return DELETE_OPTIONS;
  return apiVersion === "v1" ? CORE_V1[kind] : undefined;
}
