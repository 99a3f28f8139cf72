// Structural schemas: every field typed, value validations (allOf, anyOf, oneOf, not) that only restrict what
// the structure declares, metadata at the root limited to name and generateName, no additionalProperties at
// the root, and the x-kubernetes-* extensions where they make sense. Mirrors apiextensions-apiserver v0.32
// pkg/apiserver/schema: NewStructural (convert.go), ValidateStructural (validation.go) and
// validateStructuralCompleteness (complete.go).
import { errorText, forbidden, invalidValue, required, type FieldError, type FieldPath } from "./field-errors.js";
import { additionalSchema, child, flag, has, isNode, itemsSchema, list, properties, property, strings, text, type SchemaNode } from "./crd-schema-node.js";
import { regexpError } from "./go-regexp.js";

type Level = "root" | "item" | "field";

const EMPTY_TYPE_DETAIL: Record<Level, string> = {
  root: "must not be empty at the root",
  item: "must not be empty for specified array items",
  field: "must not be empty for specified object fields",
};

/** Keywords a structural schema keeps apart from value validation (Structural's Generic and Extensions). */
const GENERIC_AND_EXTENSION_KEYS = [
  "description",
  "title",
  "nullable",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
];

/** Value validation keywords (Structural's ValueValidation). */
const VALUE_VALIDATION_KEYS = [
  "format",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "maxProperties",
  "minProperties",
  "required",
  "enum",
  "not",
  "allOf",
  "anyOf",
  "oneOf",
];

/**
 * NewStructural's refusal of a schema it cannot represent, or undefined. The server shows it only when no other
 * rule found anything, since most of these are reported by the OpenAPI rules too.
 */
export function structuralConversionError(node: SchemaNode): string | undefined {
  if (text(node, "id") !== "") return "OpenAPIV3Schema 'id' is not supported";
  if (text(node, "$schema") !== "") return "OpenAPIV3Schema 'schema' is not supported";
  if (text(node, "$ref") !== "") return "OpenAPIV3Schema '$ref' is not supported";
  if (Object.keys(child(node, "patternProperties") ?? {}).length > 0) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (Object.keys(child(node, "dependencies") ?? {}).length > 0) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (has(node, "additionalItems")) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (Object.keys(child(node, "definitions") ?? {}).length > 0) return "OpenAPIV3Schema 'definitions' is not supported";
  if (node["x-kubernetes-preserve-unknown-fields"] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  if (Array.isArray(node.items) && node.items.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const nested = [
    ...(child(node, "not") ? [child(node, "not") as SchemaNode] : []),
    ...list(node, "allOf"),
    ...list(node, "anyOf"),
    ...list(node, "oneOf"),
    ...(itemsSchema(node) ? [itemsSchema(node) as SchemaNode] : []),
    ...properties(node).map(([, p]) => p),
    ...(additionalSchema(node) ? [additionalSchema(node) as SchemaNode] : []),
  ];
  for (const n of nested) {
    const error = structuralConversionError(n);
    if (error) return error;
  }
  return undefined;
}

/** ValidateStructural: the invariants and completeness errors, sorted by their text as upstream sorts them. */
export function structuralErrors(schema: SchemaNode, path: FieldPath): FieldError[] {
  const errors = [...invariantErrors(schema, "root", path), ...completenessErrors(schema, path)];
  return errors.sort((a, b) => compareText(errorText(a), errorText(b)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invariantErrors(s: SchemaNode, level: Level, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const type = text(s, "type");
  const items = itemsSchema(s);
  if (type === "array" && !items) errors.push(required(path.child("items"), "must be specified"));
  if (items) errors.push(...invariantErrors(items, "item", path.child("items")));
  for (const [key, prop] of properties(s)) errors.push(...invariantErrors(prop, "field", path.child("properties").key(key)));

  if (has(s, "additionalProperties")) {
    if (level === "root") errors.push(forbidden(path.child("additionalProperties"), "must not be used at the root"));
    const additional = additionalSchema(s);
    if (additional) errors.push(...invariantErrors(additional, "field", path.child("additionalProperties")));
  }

  const intOrString = flag(s, "x-kubernetes-int-or-string");
  const preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
  const embedded = flag(s, "x-kubernetes-embedded-resource");
  if (intOrString && preserve) errors.push(invalidValue(path.child("x-kubernetes-preserve-unknown-fields"), true, "must be false if x-kubernetes-int-or-string is true"));
  if (intOrString && embedded) errors.push(invalidValue(path.child("x-kubernetes-embedded-resource"), true, "must be false if x-kubernetes-int-or-string is true"));

  errors.push(...valueValidationErrors(s, isIntOrStringAnyOf(s), isIntOrStringAllOf(s), level, path));

  if (embedded && type !== "object") {
    const detail = "must be object if x-kubernetes-embedded-resource is true";
    errors.push(type === "" ? required(path.child("type"), detail) : invalidValue(path.child("type"), type, detail));
  } else if (type === "" && !intOrString && !preserve) {
    errors.push(required(path.child("type"), EMPTY_TYPE_DETAIL[level]));
  }
  if (embedded && has(s, "additionalProperties")) errors.push(forbidden(path.child("additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
  if (level === "root" && type !== "" && type !== "object") errors.push(invalidValue(path.child("type"), type, "must be object at the root"));

  const checkMetadata = level === "root" || embedded;
  for (const key of ["kind", "apiVersion"]) {
    const prop = property(s, key);
    if (prop && checkMetadata && text(prop, "type") !== "string") {
      errors.push(invalidValue(path.child("properties").key(key).child("type"), text(prop, "type"), "must be string"));
    }
  }
  const metadata = property(s, "metadata");
  if (metadata) errors.push(...metadataErrors(metadata, checkMetadata, level, path.child("properties").key("metadata")));

  if (embedded && !preserve && properties(s).length === 0) {
    errors.push(required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
  }
  return errors;
}

/**
 * The server owns ObjectMeta's schema: at the root a CRD may only restrict name and generateName, and says
 * nothing else about metadata, not even a description; `type: object` is all it may carry besides.
 */
function metadataErrors(s: SchemaNode, checkMetadata: boolean, level: Level, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (checkMetadata && text(s, "type") !== "object") errors.push(invalidValue(path.child("type"), text(s, "type"), "must be object"));
  if (level !== "root") return errors;
  const propertyNames = properties(s).map(([k]) => k);
  const onlyNameRestrictions = propertyNames.length > 0 && propertyNames.every((k) => k === "name" || k === "generateName");
  const specified =
    (propertyNames.length > 0 && !onlyNameRestrictions) ||
    has(s, "items") ||
    has(s, "additionalProperties") ||
    GENERIC_AND_EXTENSION_KEYS.some((k) => specifiedKeyword(s, k)) ||
    VALUE_VALIDATION_KEYS.some((k) => specifiedKeyword(s, k));
  if (specified) errors.push(forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
  return errors;
}

/** Whether a keyword survives into the structural schema: set, and not its zero value. */
function specifiedKeyword(s: SchemaNode, key: string): boolean {
  const v = s[key];
  if (v === undefined || v === null || v === false || v === "") return false;
  if (key === "enum" || key === "allOf" || key === "anyOf" || key === "oneOf" || key === "x-kubernetes-validations" || key === "x-kubernetes-list-map-keys") {
    return Array.isArray(v) && v.length > 0;
  }
  return true;
}

/** `anyOf: [{type: integer}, {type: string}]` and nothing else in either: the int-or-string pattern. */
function isIntOrStringPattern(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const only = (v: unknown, type: string): boolean => isNode(v) && Object.keys(v).length === 1 && v.type === type;
  return only(anyOf[0], "integer") && only(anyOf[1], "string");
}

function isIntOrStringAnyOf(s: SchemaNode): boolean {
  return isIntOrStringPattern(s.anyOf);
}

function isIntOrStringAllOf(s: SchemaNode): boolean {
  const first = list(s, "allOf")[0];
  return first !== undefined && isIntOrStringPattern(first.anyOf);
}

/** The junctors under a node and a valid pattern. */
function valueValidationErrors(v: SchemaNode, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, level: Level, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!skipAnyOf) list(v, "anyOf").forEach((n, i) => errors.push(...nestedErrors(n, false, level, path.child("anyOf").index(i))));
  list(v, "allOf").forEach((n, i) => errors.push(...nestedErrors(n, skipFirstAllOfAnyOf && i === 0, level, path.child("allOf").index(i))));
  list(v, "oneOf").forEach((n, i) => errors.push(...nestedErrors(n, false, level, path.child("oneOf").index(i))));
  const not = child(v, "not");
  if (not) errors.push(...nestedErrors(not, false, level, path.child("not")));
  const pattern = text(v, "pattern");
  if (pattern !== "") {
    const problem = regexpError(pattern);
    if (problem) errors.push(invalidValue(path.child("pattern"), pattern, `must be a valid regular expression, but isn't: ${problem}`));
  }
  return errors;
}

/** Inside allOf, anyOf, oneOf and not: only value validation, never structure, metadata or extensions. */
function nestedErrors(v: SchemaNode, skipAnyOf: boolean, level: Level, path: FieldPath): FieldError[] {
  const errors = valueValidationErrors(v, skipAnyOf, false, level, path);
  const items = itemsSchema(v);
  if (items) errors.push(...nestedErrors(items, false, level, path.child("items")));
  for (const [key, prop] of properties(v)) errors.push(...nestedErrors(prop, false, "field", path.child("properties").key(key)));

  const mustBe = (key: string, detail: string): void => {
    if (specifiedKeyword(v, key)) errors.push(forbidden(path.child(key), detail));
  };
  mustBe("type", "must be empty to be structural");
  // additionalProperties: false leaves nothing behind in a nested value validation; a schema or true does.
  if (v.additionalProperties === true || isNode(v.additionalProperties)) errors.push(forbidden(path.child("additionalProperties"), "must be undefined to be structural"));
  if (has(v, "default")) errors.push(forbidden(path.child("default"), "must be undefined to be structural"));
  mustBe("title", "must be empty to be structural");
  mustBe("description", "must be empty to be structural");
  mustBe("nullable", "must be false to be structural");
  mustBe("x-kubernetes-preserve-unknown-fields", "must be false to be structural");
  mustBe("x-kubernetes-embedded-resource", "must be false to be structural");
  mustBe("x-kubernetes-int-or-string", "must be false to be structural");
  if (strings(v, "x-kubernetes-list-map-keys").length > 0) errors.push(forbidden(path.child("x-kubernetes-list-map-keys"), "must be empty to be structural"));
  if (typeof v["x-kubernetes-list-type"] === "string") errors.push(forbidden(path.child("x-kubernetes-list-type"), "must be undefined to be structural"));
  if (typeof v["x-kubernetes-map-type"] === "string") errors.push(forbidden(path.child("x-kubernetes-map-type"), "must be undefined to be structural"));
  mustBe("x-kubernetes-validations", "must be empty to be structural");
  if (property(v, "metadata")) errors.push(forbidden(path.child("properties").key("metadata"), "must not be specified in a nested context"));
  return errors;
}

/**
 * Every field a value validation speaks of must be declared by the structure too. Upstream starts only from the
 * root's own junctors, and so does this.
 */
function completenessErrors(s: SchemaNode, path: FieldPath): FieldError[] {
  return junctorCompleteness(s, s, path, path);
}

function junctorCompleteness(v: SchemaNode, s: SchemaNode | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const not = child(v, "not");
  if (not) errors.push(...nestedCompleteness(not, s, sPath, vPath.child("not")));
  for (const junctor of ["allOf", "anyOf", "oneOf"]) list(v, junctor).forEach((n, i) => errors.push(...nestedCompleteness(n, s, sPath, vPath.child(junctor).index(i))));
  return errors;
}

function nestedCompleteness(v: SchemaNode, s: SchemaNode | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  if (s === undefined) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errors = junctorCompleteness(v, s, sPath, vPath);
  const items = itemsSchema(v);
  if (items) errors.push(...nestedCompleteness(items, itemsSchema(s), sPath.child("items"), vPath.child("items")));
  for (const [key, prop] of properties(v)) {
    const declared = property(s, key);
    if (declared === undefined) errors.push(required(sPath.child("properties").key(key), `because it is defined in ${vPath.child("properties").key(key).toString()}`));
    else errors.push(...nestedCompleteness(prop, declared, sPath.child("properties").key(key), vPath.child("properties").key(key)));
  }
  return errors;
}
