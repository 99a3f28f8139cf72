// The OpenAPI rules a CRD's openAPIV3Schema must follow at every node, before structurality: supported keywords
// and types, no additionalProperties beside properties, where defaults may be, and where the x-kubernetes-*
// extensions are allowed and with what values. Mirrors apiextensions-apiserver v0.32
// pkg/apis/apiextensions/validation/validation.go: ValidateCustomResourceDefinitionOpenAPISchema,
// specStandardValidatorV3.validate and validateMapListKeysMapSet. x-kubernetes-validations are checked for
// shape only: their CEL rules are not compiled here.
import { forbidden, invalidValue, notSupported, required, type FieldError, type FieldPath } from "./field-errors.js";
import { META_FIELDS } from "./schema.js";
import { additionalSchema, child, flag, has, isNode, itemsArray, itemsSchema, list, properties, strings, text, type SchemaNode } from "./crd-schema-node.js";

const OPENAPI_V3_TYPES = ["array", "boolean", "integer", "number", "object", "string"];
const VALIDATION_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"];

interface Context {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

const ROOT_CONTEXT: Context = { allowDefaults: true, disallowDefaultsReason: "", insideResourceMeta: false };

export function openApiSchemaErrors(schema: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  walk(schema, path, ROOT_CONTEXT, true, errors);
  return errors;
}

function forbidDefaults(ctx: Context, reason: string): Context {
  return { ...ctx, allowDefaults: false, disallowDefaultsReason: reason };
}

/** specStandardValidatorV3.validate: keywords the server does not support, and placement of defaults. */
function keywordErrors(node: SchemaNode, path: FieldPath, ctx: Context): FieldError[] {
  const errors: FieldError[] = [];
  const type = text(node, "type");
  if (type !== "" && !OPENAPI_V3_TYPES.includes(type)) errors.push(notSupported(path.child("type"), type, OPENAPI_V3_TYPES));
  if (has(node, "default") && !ctx.allowDefaults) {
    errors.push(forbidden(path.child("default"), ctx.disallowDefaultsReason === "" ? "must not be set" : `must not be set ${ctx.disallowDefaultsReason}`));
  }
  if (text(node, "id") !== "") errors.push(forbidden(path.child("id"), "id is not supported"));
  if (has(node, "additionalItems")) errors.push(forbidden(path.child("additionalItems"), "additionalItems is not supported"));
  if (nonEmptyMap(node, "patternProperties")) errors.push(forbidden(path.child("patternProperties"), "patternProperties is not supported"));
  if (nonEmptyMap(node, "definitions")) errors.push(forbidden(path.child("definitions"), "definitions is not supported"));
  if (has(node, "dependencies")) errors.push(forbidden(path.child("dependencies"), "dependencies is not supported"));
  if (has(node, "$ref")) errors.push(forbidden(path.child("$ref"), "$ref is not supported"));
  if (type === "null") errors.push(forbidden(path.child("type"), "type cannot be set to null, use nullable as an alternative"));
  if (Array.isArray(node.items) && node.items.length > 0) errors.push(forbidden(path.child("items"), "items must be a schema object and not an array"));
  if (ctx.insideResourceMeta && flag(node, "x-kubernetes-embedded-resource")) {
    errors.push(forbidden(path.child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
  }
  return errors;
}

function nonEmptyMap(node: SchemaNode, key: string): boolean {
  const v = child(node, key);
  return v !== undefined && Object.keys(v).length > 0;
}

function walk(node: SchemaNode, path: FieldPath, ctx: Context, isRoot: boolean, errors: FieldError[]): void {
  errors.push(...keywordErrors(node, path, ctx));
  if (flag(node, "uniqueItems")) errors.push(forbidden(path.child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));

  const props = properties(node);
  if (has(node, "additionalProperties")) {
    // properties are for structs, additionalProperties for maps: together they contradict each other, except
    // for `additionalProperties: true`, which says nothing.
    if (props.length > 0 && (node.additionalProperties === false || isNode(node.additionalProperties))) {
      errors.push(forbidden(path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
    }
    const additional = additionalSchema(node);
    if (additional) {
      const sub = ctx.insideResourceMeta ? forbidDefaults(ctx, "inside additionalProperties applying to object metadata") : ctx;
      walk(additional, path.child("additionalProperties"), sub, false, errors);
    }
  }

  for (const [key, prop] of props) {
    let sub = ctx;
    if ((isRoot || flag(node, "x-kubernetes-embedded-resource")) && META_FIELDS.has(key)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = forbidDefaults(sub, `in top-level ${key}`);
    }
    walk(prop, path.child("properties").key(key), sub, false, errors);
  }

  const not = child(node, "not");
  if (not) walk(not, path.child("not"), ctx, false, errors);
  for (const junctor of ["allOf", "oneOf", "anyOf"]) list(node, junctor).forEach((s, i) => walk(s, path.child(junctor).index(i), ctx, false, errors));
  const definitions = child(node, "definitions");
  for (const key of Object.keys(definitions ?? {}).sort()) {
    const d = definitions?.[key];
    if (isNode(d)) walk(d, path.child("definitions").key(key), ctx, false, errors);
  }
  const items = itemsSchema(node);
  if (items) walk(items, path.child("items"), ctx, false, errors);
  itemsArray(node).forEach((s, i) => walk(s, path.child("items").index(i), ctx, false, errors));
  const dependencies = child(node, "dependencies");
  for (const key of Object.keys(dependencies ?? {}).sort()) {
    const d = dependencies?.[key];
    if (isNode(d)) walk(d, path.child("dependencies").key(key), ctx, false, errors);
  }

  errors.push(...extensionErrors(node, path));
  errors.push(...mapListKeysMapSetErrors(node, path));
  errors.push(...validationRuleErrors(node, path));
}

/** x-kubernetes-preserve-unknown-fields, -map-type, -list-type and -list-map-keys: values and placement. */
function extensionErrors(node: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const type = text(node, "type");
  if (node["x-kubernetes-preserve-unknown-fields"] === false) {
    errors.push(invalidValue(path.child("x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"));
  }

  const mapType = node["x-kubernetes-map-type"];
  if (typeof mapType === "string") {
    if (type !== "object") errors.push(typeMust(path, type, "must be object if x-kubernetes-map-type is specified"));
    if (mapType !== "atomic" && mapType !== "granular") errors.push(notSupported(path.child("x-kubernetes-map-type"), mapType, ["atomic", "granular"]));
  }

  const listType = node["x-kubernetes-list-type"];
  const items = itemsSchema(node);
  if (typeof listType === "string") {
    if (type !== "array") errors.push(typeMust(path, type, "must be array if x-kubernetes-list-type is specified"));
    else if (listType === "set" && items) {
      // The items of a set are compared whole: they must be atomic themselves.
      const itemType = text(items, "type");
      const itemListType = items["x-kubernetes-list-type"];
      if (itemType === "array" && typeof itemListType === "string" && itemListType !== "atomic") {
        errors.push(invalidValue(path.child("items").child("x-kubernetes-list-type"), itemListType, "must be atomic as item of a list with x-kubernetes-list-type=set"));
      }
      if (itemType === "object" && items["x-kubernetes-map-type"] !== "atomic") {
        // Upstream shows the items' list type here, which is unset for an object: null.
        errors.push(invalidValue(path.child("items").child("x-kubernetes-map-type"), itemListType ?? null, "must be atomic as item of a list with x-kubernetes-list-type=set"));
      }
    }
    if (listType !== "atomic" && listType !== "set" && listType !== "map") errors.push(notSupported(path.child("x-kubernetes-list-type"), listType, ["atomic", "set", "map"]));
  }

  const mapKeys = strings(node, "x-kubernetes-list-map-keys");
  if (mapKeys.length > 0) {
    if (typeof listType !== "string") errors.push(required(path.child("x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"));
    else if (listType !== "map") errors.push(invalidValue(path.child("x-kubernetes-list-type"), listType, "must be map if x-kubernetes-list-map-keys is non-empty"));
  }
  if (listType === "map") errors.push(...listMapErrors(node, path, mapKeys));
  return errors;
}

function typeMust(path: FieldPath, type: string, detail: string): FieldError {
  return type === "" ? required(path.child("type"), detail) : invalidValue(path.child("type"), type, detail);
}

function listMapErrors(node: SchemaNode, path: FieldPath, mapKeys: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (mapKeys.length === 0) errors.push(required(path.child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
  if (!has(node, "items")) errors.push(required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"));
  const items = itemsSchema(node);
  if (has(node, "items") && !items) errors.push(invalidValue(path.child("items"), node.items, "must only have a single schema if x-kubernetes-list-type is map"));
  if (!items) return errors;
  const itemType = text(items, "type");
  if (itemType !== "object") {
    errors.push(invalidValue(path.child("items").child("type"), itemType, "must be object if parent array's x-kubernetes-list-type is map"));
    return errors;
  }
  const seen = new Set<string>();
  for (const key of mapKeys) {
    const prop = child(child(items, "properties") ?? {}, key);
    if (prop) {
      const keyType = text(prop, "type");
      if (keyType === "array" || keyType === "object") {
        // Upstream shows the item's type ("object") as the bad value.
        errors.push(invalidValue(path.child("items").child("properties").key(key).child("type"), itemType, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
      }
    } else {
      errors.push(invalidValue(path.child("x-kubernetes-list-map-keys"), mapKeys, "entries must all be names of item properties"));
    }
    if (seen.has(key)) errors.push(invalidValue(path.child("x-kubernetes-list-map-keys"), mapKeys, "must not contain duplicate entries"));
    seen.add(key);
  }
  return errors;
}

/** Items of set and map lists are never null; map keys are never null and always there (required or defaulted). */
function mapListKeysMapSetErrors(node: SchemaNode, path: FieldPath): FieldError[] {
  const items = itemsSchema(node);
  const listType = node["x-kubernetes-list-type"];
  if (!items || (listType !== "set" && listType !== "map")) return [];
  const errors: FieldError[] = [];
  if (flag(items, "nullable")) errors.push(forbidden(path.child("items").child("nullable"), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  if (listType === "map") {
    const requiredKeys = new Set(strings(items, "required"));
    for (const key of strings(node, "x-kubernetes-list-map-keys")) {
      const prop = child(child(items, "properties") ?? {}, key);
      if (!prop) continue;
      const keyPath = path.child("items").child("properties").key(key);
      if (!requiredKeys.has(key) && !has(prop, "default")) {
        errors.push(required(keyPath.child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
      }
      if (flag(prop, "nullable")) errors.push(forbidden(keyPath.child("nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
    }
  }
  return errors;
}

/** The shape of x-kubernetes-validations entries (their CEL is not compiled). */
function validationRuleErrors(node: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  list(node, "x-kubernetes-validations").forEach((rule, i) => {
    const at = path.child("x-kubernetes-validations").index(i);
    const ruleText = text(rule, "rule").trim();
    const message = text(rule, "message");
    const messageExpression = text(rule, "messageExpression");
    const fieldPath = text(rule, "fieldPath");
    if (ruleText === "") errors.push(required(at.child("rule"), "rule is not specified"));
    else if (message !== "" && message.trim() === "") errors.push(invalidValue(at.child("message"), message, "message must be non-empty if specified"));
    else if (/[\n\r]/.test(message.trim())) errors.push(invalidValue(at.child("message"), message, "message must not contain line breaks"));
    else if (/[\n\r]/.test(ruleText) && message.trim() === "") errors.push(required(at.child("message"), "message must be specified if rule contains line breaks"));
    if (messageExpression !== "" && messageExpression.trim() === "") errors.push(required(at.child("messageExpression"), "messageExpression must be non-empty if specified"));
    const reason = rule.reason;
    if (typeof reason === "string" && !VALIDATION_REASONS.includes(reason)) errors.push(notSupported(at.child("reason"), reason, VALIDATION_REASONS));
    if (fieldPath !== "" && fieldPath.trim() === "") errors.push(invalidValue(at.child("fieldPath"), fieldPath, "fieldPath must be non-empty if specified"));
    if (/[\n\r]/.test(fieldPath)) errors.push(invalidValue(at.child("fieldPath"), fieldPath, "fieldPath must not contain line breaks"));
  });
  return errors;
}
