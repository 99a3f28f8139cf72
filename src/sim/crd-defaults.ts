// A `default` in a CRD schema must survive pruning unchanged and validate against its own schema: the server
// writes it into objects as is, so a default it would prune or reject is refused with the CRD. Mirrors
// apiextensions-apiserver v0.32 pkg/apiserver/schema/defaulting/validation.go (ValidateDefaults). Not mirrored:
// defaults inside the metadata of an embedded resource, which the server coerces into ObjectMeta first (at the
// root they are forbidden outright, see crd-schema-rules.ts), and CEL rules, which are not run here.
import { invalidValue, type FieldError, type FieldErrorType, type FieldPath } from "./field-errors.js";
import { flag, has, itemsSchema, properties, type SchemaNode } from "./crd-schema-node.js";
import { META_FIELDS, prune, validateValue, type Schema } from "./schema.js";

export function defaultErrors(schema: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  // The schema root is a resource root: it keeps apiVersion, kind and metadata as an embedded resource does.
  walk({ ...schema, "x-kubernetes-embedded-resource": true }, path, false, errors);
  return errors;
}

function walk(s: SchemaNode, path: FieldPath, insideMeta: boolean, errors: FieldError[]): void {
  const embedded = flag(s, "x-kubernetes-embedded-resource");
  if (embedded) insideMeta = false;
  if (has(s, "default") && !insideMeta) errors.push(...defaultValueErrors(s, path.child("default")));
  // additionalProperties are not followed: defaults are forbidden there.
  const items = itemsSchema(s);
  if (items) walk(items, path.child("items"), insideMeta, errors);
  for (const [key, prop] of properties(s)) walk(prop, path.child("properties").key(key), insideMeta || (embedded && META_FIELDS.has(key)), errors);
}

function defaultValueErrors(s: SchemaNode, path: FieldPath): FieldError[] {
  const value = s.default;
  const schema = s as Schema;
  const pruned = structuredClone(value);
  prune(pruned, schema, flag(s, "x-kubernetes-embedded-resource"));
  const errors: FieldError[] = [];
  if (JSON.stringify(pruned) !== JSON.stringify(value)) errors.push(invalidValue(path, value, "must not have unknown fields"));
  for (const cause of validateValue(value, schema)) {
    const field = cause.field === "" ? path.toString() : `${path.toString()}.${cause.field}`;
    errors.push({ type: cause.reason as FieldErrorType, field, body: cause.message });
  }
  return errors;
}
