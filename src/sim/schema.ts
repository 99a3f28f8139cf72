// Structural schemas of CustomResourceDefinitions applied to custom resources: pruning of undeclared fields,
// dropping of nulls a field does not allow, and the basic validation the server applies (types, nullable,
// enum, required). An operator that writes a field its CRD does not declare loses it here exactly as on a real
// cluster. Mirrors apiextensions-apiserver v0.32 pkg/apiserver/schema/pruning/algorithm.go and
// defaulting/prunenulls.go; the validation is the part of kube-openapi's validator those checks cover.

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
}

export interface Cause {
  field: string;
  message: string;
  reason: string;
}

/** The fields of a resource (the root, or an embedded resource) that the server owns the schema of. */
export const META_FIELDS: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function asSchema(value: unknown): Schema | undefined {
  return isObject(value) ? (value as Schema) : undefined;
}

/** The schema for `key` of an object: its property, else additionalProperties (undefined for `true`/`false`). */
function fieldSchema(schema: Schema | undefined, key: string): Schema | undefined {
  return schema?.properties?.[key] ?? asSchema(schema?.additionalProperties);
}

/** Whether an undeclared field is kept: there is a property or an additionalProperties (of any value). */
function declares(schema: Schema, key: string): boolean {
  return schema.properties?.[key] !== undefined || schema.additionalProperties !== undefined;
}

/**
 * Removes, in place, the object fields `schema` does not declare; a resource root (and an embedded resource)
 * keeps apiVersion, kind and metadata. Below `x-kubernetes-preserve-unknown-fields` nothing is removed except
 * where declared properties switch pruning back on.
 */
export function prune(value: unknown, schema: Schema | undefined, isResourceRoot: boolean): void {
  const root = schema === undefined ? {} : schema;
  pruneNode(value, isResourceRoot ? { ...root, "x-kubernetes-embedded-resource": true } : root);
}

function pruneNode(value: unknown, schema: Schema | undefined): void {
  if (schema?.["x-kubernetes-preserve-unknown-fields"] === true) {
    pruneBelowPreserved(value, schema);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) pruneNode(item, schema?.items);
    return;
  }
  if (!isObject(value)) return;
  const embedded = schema?.["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    if (embedded && META_FIELDS.has(key)) continue;
    if (schema !== undefined && declares(schema, key)) pruneNode(value[key], fieldSchema(schema, key));
    else delete value[key];
  }
}

function pruneBelowPreserved(value: unknown, schema: Schema | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) pruneBelowPreserved(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    if (embedded && META_FIELDS.has(key)) continue;
    if (declares(schema, key)) pruneNode(value[key], fieldSchema(schema, key));
  }
}

/** Removes object fields whose value is null where the field is neither nullable nor defaulted. */
export function pruneNonNullableNulls(value: unknown, schema: Schema | undefined): void {
  if (Array.isArray(value)) {
    for (const item of value) pruneNonNullableNulls(item, schema?.items);
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const child = fieldSchema(schema, key);
    if (value[key] === null && child !== undefined && child.nullable !== true && child.default === undefined) delete value[key];
    else pruneNonNullableNulls(value[key], child);
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(schema: Schema, value: unknown): boolean {
  if (value === null) return schema.nullable === true || (schema.type === undefined && !schema["x-kubernetes-int-or-string"]);
  if (schema["x-kubernetes-int-or-string"]) return typeof value === "string" || (typeof value === "number" && Number.isInteger(value));
  const actual = typeName(value);
  switch (schema.type) {
    case undefined:
      return true;
    case "number":
      return actual === "number" || actual === "integer";
    default:
      return actual === schema.type;
  }
}

/** Type, nullable, enum and required problems of `value` against `schema`, with fields under `path`. */
export function validateValue(value: unknown, schema: Schema | undefined, path = ""): Cause[] {
  const causes: Cause[] = [];
  validateNode(value, schema, path, causes, true);
  return causes;
}

function validateNode(value: unknown, schema: Schema | undefined, path: string, causes: Cause[], root: boolean): void {
  if (schema === undefined) return;
  if (!typeMatches(schema, value)) {
    const expected = schema["x-kubernetes-int-or-string"] ? "integer,string" : schema.type;
    causes.push({
      field: path,
      message: `Invalid value: "${typeName(value)}": ${path} in body must be of type ${expected}: "${typeName(value)}"`,
      reason: "FieldValueTypeInvalid",
    });
    return;
  }
  if (value === null) return;
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    causes.push({
      field: path,
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`,
      reason: "FieldValueNotSupported",
    });
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => validateNode(item, schema.items, `${path}[${i}]`, causes, false));
    return;
  }
  if (!isObject(value)) return;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    if ((root || embedded) && META_FIELDS.has(key)) continue;
    validateNode(value[key], fieldSchema(schema, key), path === "" ? key : `${path}.${key}`, causes, false);
  }
  for (const req of schema.required ?? []) {
    if (value[req] === undefined) causes.push({ field: path === "" ? req : `${path}.${req}`, message: "Required value", reason: "FieldValueRequired" });
  }
}

/** Prunes `obj` in place against the version's schema and returns the validation problems found. */
export function pruneAndValidate(obj: Record<string, unknown>, schema: Schema | undefined): Cause[] {
  if (!schema) return [];
  prune(obj, schema, true);
  pruneNonNullableNulls(obj, schema);
  return validateValue(obj, schema);
}
