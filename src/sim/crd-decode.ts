// Decoding a CustomResourceDefinition body into apiextensions.k8s.io/v1 types, as the server does before any
// validation: a value of the wrong JSON type is a 400 (`json: cannot unmarshal …`), and a field the type does not
// have is dropped, reported as `unknown field "…"` (an error under fieldValidation=Strict, which kubectl 1.32
// asks for by default, a warning otherwise). A typo in a schema keyword (`nullabel: true`) stops a real install
// this way. Shapes mirror k8s.io/apiextensions-apiserver v0.32 pkg/apis/apiextensions/v1/types.go and
// types_jsonschema.go; paths are worded as sigs.k8s.io/json words strict errors. The type errors name the JSON
// field path rather than Go's struct and field names, which this does not model.

type Shape =
  | "string"
  | "bool"
  | "int"
  | "number"
  | "any"
  | { fields: () => Record<string, Shape> }
  | { list: Shape }
  | { map: Shape }
  | { schemaOr: "bool" | "array" | "strings" };

const STRING: Shape = "string";
const BOOL: Shape = "bool";
const INT: Shape = "int";
const ANY: Shape = "any";
const obj = (fields: () => Record<string, Shape>): Shape => ({ fields });
const list = (item: Shape): Shape => ({ list: item });
const map = (value: Shape): Shape => ({ map: value });

const OWNER_REFERENCE = obj(() => ({ apiVersion: STRING, kind: STRING, name: STRING, uid: STRING, controller: BOOL, blockOwnerDeletion: BOOL }));
const MANAGED_FIELDS = obj(() => ({ manager: STRING, operation: STRING, apiVersion: STRING, time: STRING, fieldsType: STRING, fieldsV1: ANY, subresource: STRING }));
const OBJECT_META = obj(() => ({
  name: STRING,
  generateName: STRING,
  namespace: STRING,
  selfLink: STRING,
  uid: STRING,
  resourceVersion: STRING,
  generation: INT,
  creationTimestamp: STRING,
  deletionTimestamp: STRING,
  deletionGracePeriodSeconds: INT,
  labels: map(STRING),
  annotations: map(STRING),
  ownerReferences: list(OWNER_REFERENCE),
  finalizers: list(STRING),
  managedFields: list(MANAGED_FIELDS),
}));

const SCHEMA: Shape = obj(() => ({
  id: STRING,
  $schema: STRING,
  $ref: STRING,
  description: STRING,
  type: STRING,
  format: STRING,
  title: STRING,
  default: ANY,
  maximum: "number",
  exclusiveMaximum: BOOL,
  minimum: "number",
  exclusiveMinimum: BOOL,
  maxLength: INT,
  minLength: INT,
  pattern: STRING,
  maxItems: INT,
  minItems: INT,
  uniqueItems: BOOL,
  multipleOf: "number",
  enum: list(ANY),
  maxProperties: INT,
  minProperties: INT,
  required: list(STRING),
  items: { schemaOr: "array" },
  allOf: list(SCHEMA),
  oneOf: list(SCHEMA),
  anyOf: list(SCHEMA),
  not: SCHEMA,
  properties: map(SCHEMA),
  additionalProperties: { schemaOr: "bool" },
  patternProperties: map(SCHEMA),
  dependencies: map({ schemaOr: "strings" }),
  additionalItems: { schemaOr: "bool" },
  definitions: map(SCHEMA),
  externalDocs: obj(() => ({ description: STRING, url: STRING })),
  example: ANY,
  nullable: BOOL,
  "x-kubernetes-preserve-unknown-fields": BOOL,
  "x-kubernetes-embedded-resource": BOOL,
  "x-kubernetes-int-or-string": BOOL,
  "x-kubernetes-list-map-keys": list(STRING),
  "x-kubernetes-list-type": STRING,
  "x-kubernetes-map-type": STRING,
  "x-kubernetes-validations": list(obj(() => ({ rule: STRING, message: STRING, messageExpression: STRING, reason: STRING, fieldPath: STRING, optionalOldSelf: BOOL }))),
}));

const VERSION = obj(() => ({
  name: STRING,
  served: BOOL,
  storage: BOOL,
  deprecated: BOOL,
  deprecationWarning: STRING,
  schema: obj(() => ({ openAPIV3Schema: SCHEMA })),
  subresources: obj(() => ({
    status: obj(() => ({})),
    scale: obj(() => ({ specReplicasPath: STRING, statusReplicasPath: STRING, labelSelectorPath: STRING })),
  })),
  additionalPrinterColumns: list(obj(() => ({ name: STRING, type: STRING, format: STRING, description: STRING, priority: INT, jsonPath: STRING }))),
  selectableFields: list(obj(() => ({ jsonPath: STRING }))),
}));

const CRD: Shape = obj(() => ({
  apiVersion: STRING,
  kind: STRING,
  metadata: OBJECT_META,
  spec: obj(() => ({
    group: STRING,
    names: obj(() => ({ plural: STRING, singular: STRING, shortNames: list(STRING), kind: STRING, listKind: STRING, categories: list(STRING) })),
    scope: STRING,
    versions: list(VERSION),
    conversion: obj(() => ({
      strategy: STRING,
      webhook: obj(() => ({
        clientConfig: obj(() => ({ url: STRING, service: obj(() => ({ namespace: STRING, name: STRING, path: STRING, port: INT })), caBundle: STRING })),
        conversionReviewVersions: list(STRING),
      })),
    })),
    preserveUnknownFields: BOOL,
  })),
  // Written by the server; whatever a client sends is replaced.
  status: ANY,
}));

export interface Decoded {
  /** The first value of the wrong JSON type, worded as Go's decoder words it; decoding stops there. */
  typeError?: string;
  /** Paths of the fields the v1 types do not have; they have been removed from the object. */
  unknown: string[];
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value === "boolean" ? "bool" : typeof value;
}

class TypeMismatch extends Error {}

function mismatch(value: unknown, path: string, goType: string): never {
  const shown = typeof value === "number" ? `number ${value}` : jsonKind(value);
  throw new TypeMismatch(`json: cannot unmarshal ${shown} into Go struct field ${path} of type ${goType}`);
}

/** Decodes `crd` in place: drops unknown fields and reports them, or reports the first value of the wrong type. */
export function decodeCrd(crd: unknown): Decoded {
  const unknown: string[] = [];
  try {
    decode(crd, CRD, "", unknown);
    return { unknown };
  } catch (err) {
    if (err instanceof TypeMismatch) return { typeError: err.message, unknown };
    throw err;
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function decode(value: unknown, shape: Shape, path: string, unknown: string[]): void {
  // JSON null decodes to the zero value of any Go type.
  if (value === null || shape === ANY) return;
  if (shape === STRING) {
    if (typeof value !== "string") mismatch(value, path, "string");
    return;
  }
  if (shape === BOOL) {
    if (typeof value !== "boolean") mismatch(value, path, "bool");
    return;
  }
  if (shape === INT) {
    if (typeof value !== "number" || !Number.isInteger(value)) mismatch(value, path, "int64");
    return;
  }
  if (shape === "number") {
    if (typeof value !== "number") mismatch(value, path, "float64");
    return;
  }
  if (typeof shape !== "object") return;
  if ("list" in shape) {
    if (!Array.isArray(value)) mismatch(value, path, "[]");
    value.forEach((item, i) => decode(item, shape.list, `${path}[${i}]`, unknown));
    return;
  }
  if ("map" in shape) {
    if (jsonKind(value) !== "object") mismatch(value, path, "map");
    const entries = value as Record<string, unknown>;
    for (const key of Object.keys(entries)) decode(entries[key], shape.map, `${path}[${key}]`, unknown);
    return;
  }
  if ("schemaOr" in shape) {
    const alternative = shape.schemaOr;
    if ((alternative === "bool" && typeof value === "boolean") || (alternative === "strings" && Array.isArray(value) && value.every((v) => typeof v === "string"))) return;
    if (alternative === "array" && Array.isArray(value)) {
      value.forEach((item, i) => decode(item, SCHEMA, `${path}[${i}]`, unknown));
      return;
    }
    if (jsonKind(value) !== "object") mismatch(value, path, "v1.JSONSchemaProps");
    decode(value, SCHEMA, path, unknown);
    return;
  }
  if (jsonKind(value) !== "object") mismatch(value, path, "struct");
  const fields = shape.fields();
  const entries = value as Record<string, unknown>;
  for (const key of Object.keys(entries)) {
    const field = fields[key];
    if (field === undefined) {
      unknown.push(join(path, key));
      delete entries[key];
    } else {
      decode(entries[key], field, join(path, key), unknown);
    }
  }
}
