// Structural schemas of CustomResourceDefinitions: pruning of undeclared fields and the basic validation the
// server applies to custom resources (types, nullable, enum, required). An operator that writes a field its CRD
// does not declare loses it here exactly as on a real cluster.

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
}

export interface Cause {
  field: string;
  message: string;
  reason: string;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(schema: Schema, value: unknown): boolean {
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

const ROOT_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Prunes and validates `value` (mutated in place: it is a private copy) against `schema`. Returns the value to
 * keep (undefined when it is pruned) and appends problems to `causes`.
 */
function walk(value: unknown, schema: Schema, path: string, causes: Cause[], root: boolean): unknown {
  if (value === null) {
    // Non-nullable nulls are dropped before validation, as the server's pruning does.
    return schema.nullable ? null : undefined;
  }
  if (!typeMatches(schema, value)) {
    causes.push({
      field: path,
      message: `Invalid value: "${typeName(value)}": ${path} in body must be of type ${schema.type}: "${typeName(value)}"`,
      reason: "FieldValueTypeInvalid",
    });
    return value;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    causes.push({
      field: path,
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`,
      reason: "FieldValueNotSupported",
    });
  }
  if (Array.isArray(value)) {
    if (!schema.items) return value;
    for (let i = 0; i < value.length; i++) {
      const kept = walk(value[i], schema.items, `${path}[${i}]`, causes, false);
      if (kept === undefined) value.splice(i--, 1);
      else value[i] = kept;
    }
    return value;
  }
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
    const embedded = schema["x-kubernetes-embedded-resource"] === true;
    for (const key of Object.keys(obj)) {
      if ((root || embedded) && ROOT_FIELDS.has(key)) continue;
      const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      const childPath = path === "" ? key : `${path}.${key}`;
      if (child) {
        const kept = walk(obj[key], child, childPath, causes, false);
        if (kept === undefined) delete obj[key];
        else obj[key] = kept;
      } else if (!preserve && schema.additionalProperties !== true && (schema.properties !== undefined || schema.type === "object")) {
        delete obj[key];
      }
    }
    for (const req of schema.required ?? []) {
      if (obj[req] === undefined) causes.push({ field: path === "" ? req : `${path}.${req}`, message: "Required value", reason: "FieldValueRequired" });
    }
  }
  return value;
}

/** Prunes `obj` in place against the version's schema and returns the validation problems found. */
export function pruneAndValidate(obj: Record<string, unknown>, schema: Schema | undefined): Cause[] {
  if (!schema) return [];
  const causes: Cause[] = [];
  walk(obj, schema, "", causes, true);
  return causes;
}
