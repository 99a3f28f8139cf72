// What the real server checks before it stores a CustomResourceDefinition: names, group, scope, versions,
// schemas, subresources and printer columns, every error collected into one 422. Mirrors apiextensions-apiserver
// v0.32 pkg/apis/apiextensions/validation/validation.go (ValidateCustomResourceDefinition and
// ValidateCustomResourceDefinitionUpdate), on the CRD after v1 defaulting (defaults.go) and as the server sees it
// after conversion to its internal version (v1/conversion.go): a schema, subresources or columns that all
// versions share are validated once, at spec.validation, spec.subresources and spec.additionalPrinterColumns,
// which is why a real server's messages name those paths for a one-version CRD.
import { dns1035LabelErrors, dns1123SubdomainErrors } from "./dns-names.js";
import { FieldPath, forbidden, invalidValue, notSupported, required, type FieldError } from "./field-errors.js";
import { child, flag, has, isNode, list, strings, text, type SchemaNode } from "./crd-schema-node.js";
import { defaultErrors } from "./crd-defaults.js";
import { openApiSchemaErrors } from "./crd-schema-rules.js";
import { structuralConversionError, structuralErrors } from "./crd-structural.js";
import type { KubeObject } from "./types.js";

const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];
const COLUMN_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];
const APPROVAL_ANNOTATION = "api-approved.kubernetes.io";

/** The fields of the internal JSONSchemaProps in declaration order, by JSON name, and their Go names. */
const SCHEMA_FIELDS: Array<[string, string]> = [
  ["id", "ID"],
  ["$schema", "Schema"],
  ["$ref", "Ref"],
  ["description", "Description"],
  ["type", "Type"],
  ["format", "Format"],
  ["title", "Title"],
  ["default", "Default"],
  ["maximum", "Maximum"],
  ["exclusiveMaximum", "ExclusiveMaximum"],
  ["minimum", "Minimum"],
  ["exclusiveMinimum", "ExclusiveMinimum"],
  ["maxLength", "MaxLength"],
  ["minLength", "MinLength"],
  ["pattern", "Pattern"],
  ["maxItems", "MaxItems"],
  ["minItems", "MinItems"],
  ["uniqueItems", "UniqueItems"],
  ["multipleOf", "MultipleOf"],
  ["enum", "Enum"],
  ["maxProperties", "MaxProperties"],
  ["minProperties", "MinProperties"],
  ["required", "Required"],
  ["items", "Items"],
  ["allOf", "AllOf"],
  ["oneOf", "OneOf"],
  ["anyOf", "AnyOf"],
  ["not", "Not"],
  ["properties", "Properties"],
  ["additionalProperties", "AdditionalProperties"],
  ["patternProperties", "PatternProperties"],
  ["dependencies", "Dependencies"],
  ["additionalItems", "AdditionalItems"],
  ["definitions", "Definitions"],
  ["externalDocs", "ExternalDocs"],
  ["example", "Example"],
  ["nullable", "Nullable"],
  ["x-kubernetes-preserve-unknown-fields", "XPreserveUnknownFields"],
  ["x-kubernetes-embedded-resource", "XEmbeddedResource"],
  ["x-kubernetes-int-or-string", "XIntOrString"],
  ["x-kubernetes-list-map-keys", "XListMapKeys"],
  ["x-kubernetes-list-type", "XListType"],
  ["x-kubernetes-map-type", "XMapType"],
  ["x-kubernetes-validations", "XValidations"],
];

/** What the root of a schema may hold when the status subresource is on, so that status keeps its validation. */
const ROOT_FIELDS_WITH_STATUS = [
  "Description",
  "Type",
  "Format",
  "Title",
  "Maximum",
  "ExclusiveMaximum",
  "Minimum",
  "ExclusiveMinimum",
  "MaxLength",
  "MinLength",
  "Pattern",
  "MaxItems",
  "MinItems",
  "UniqueItems",
  "MultipleOf",
  "Required",
  "Items",
  "Properties",
  "ExternalDocs",
  "Example",
  "XPreserveUnknownFields",
  "XValidations",
];

/** v1 defaulting, which runs when the server decodes a CRD: singular, listKind, and the None conversion. */
export function applyCrdDefaults(crd: KubeObject): void {
  if (!isNode(crd.spec)) return;
  const spec = crd.spec;
  if (isNode(spec.names)) {
    const names = spec.names;
    const kind = typeof names.kind === "string" ? names.kind : "";
    if (!names.singular) names.singular = kind.toLowerCase();
    if (!names.listKind && kind !== "") names.listKind = `${kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
}

/** Every error a real server reports for `crd` (already defaulted); `old` is the stored CRD on an update. */
export function validateCrd(crd: KubeObject, old?: KubeObject): FieldError[] {
  const spec = isNode(crd.spec) ? crd.spec : {};
  const names = child(spec, "names") ?? {};
  const errors = [...nameErrors(crd, spec, names), ...specErrors(spec, names)];
  if (old) errors.push(...immutableErrors(spec, isNode(old.spec) ? old.spec : {}));
  errors.push(...storedVersionErrors(crd, spec));
  // An approval state that did not change never fails an update.
  const annotation = (o: KubeObject | undefined): string | undefined => o?.metadata?.annotations?.[APPROVAL_ANNOTATION];
  if (!old || annotation(old) !== annotation(crd)) errors.push(...approvalErrors(crd, spec));
  if (spec.preserveUnknownFields === true) {
    errors.push(invalidValue(FieldPath.root("spec").child("preserveUnknownFields"), true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"));
  }
  return errors;
}

function nameErrors(crd: KubeObject, spec: SchemaNode, names: SchemaNode): FieldError[] {
  const name = crd.metadata?.name ?? "";
  const path = FieldPath.root("metadata").child("name");
  if (name === "" && !crd.metadata?.generateName) return [required(path, "name or generateName is required")];
  const messages = dns1123SubdomainErrors(name);
  if (name !== `${text(names, "plural")}.${text(spec, "group")}`) messages.push('must be spec.names.plural+"."+spec.group');
  return messages.map((m) => invalidValue(path, name, m));
}

/** Where the server validates a per-version field: once at the top when every version has the same. */
interface Layout {
  shared: boolean;
  path(i: number): FieldPath;
}

function layout(versions: SchemaNode[], key: string, topLevel: string): Layout {
  const first = canonical(versions[0]?.[key]);
  const shared = versions.length > 0 && versions.every((v) => canonical(v[key]) === first);
  return {
    shared,
    path: (i) => (shared ? FieldPath.root("spec").child(topLevel) : FieldPath.root("spec").child("versions").index(i).child(key)),
  };
}

function canonical(value: unknown): string {
  if (value === undefined) return "undefined";
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : isNode(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
  return JSON.stringify(sorted(value));
}

function specErrors(spec: SchemaNode, names: SchemaNode): FieldError[] {
  const errors: FieldError[] = [];
  const path = FieldPath.root("spec");
  errors.push(...groupErrors(text(spec, "group"), path.child("group")));

  const scope = text(spec, "scope");
  if (scope === "") errors.push(required(path.child("scope")));
  else if (scope !== "Cluster" && scope !== "Namespaced") errors.push(notSupported(path.child("scope"), scope, ["Cluster", "Namespaced"]));

  const versions = list(spec, "versions");
  versions.forEach((v, i) => {
    if (!isNode(child(v, "schema")?.openAPIV3Schema)) {
      errors.push(required(path.child("versions").index(i).child("schema").child("openAPIV3Schema"), "schemas are required"));
    }
  });
  if (spec.preserveUnknownFields === true && versions.some((v) => hasDefaults(child(child(v, "schema") ?? {}, "openAPIV3Schema")))) {
    errors.push(invalidValue(path.child("preserveUnknownFields"), true, "must be false in order to use defaults in the schema"));
  }

  const schemas = layout(versions, "schema", "validation");
  const subresources = layout(versions, "subresources", "subresources");
  const columns = layout(versions, "additionalPrinterColumns", "additionalPrinterColumns");
  const statusEnabled = (v: SchemaNode): boolean => isNode(child(v, "subresources")?.status);
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const at = path.child("versions").index(i);
    const name = text(v, "name");
    if (seen.has(name)) unique = false;
    seen.add(name);
    const nameProblems = dns1035LabelErrors(name);
    if (nameProblems.length > 0) errors.push(invalidValue(at.child("name"), name, nameProblems.join(",")));
    errors.push(...deprecationErrors(v, at));
    if (!schemas.shared) errors.push(...validationErrors(child(v, "schema"), statusEnabled(v), schemas.path(i)));
    if (!subresources.shared) errors.push(...subresourceErrors(child(v, "subresources"), subresources.path(i)));
    if (!columns.shared) list(v, "additionalPrinterColumns").forEach((c, j) => errors.push(...columnErrors(c, columns.path(i).index(j))));
  });

  if (!unique) errors.push(invalidValue(path.child("versions"), versions, "must contain unique version names"));
  if (versions.filter((v) => flag(v, "storage")).length !== 1) errors.push(invalidValue(path.child("versions"), versions, "must have exactly one version marked as storage version"));
  if (versions.length > 0) {
    // The internal CRD keeps the first version's name as spec.version and checks it again.
    const problems = dns1035LabelErrors(text(versions[0], "name"));
    if (problems.length > 0) errors.push(invalidValue(path.child("version"), text(versions[0], "name"), problems.join(",")));
  }

  for (const key of ["plural", "singular", "kind", "listKind"]) {
    if (text(names, key) === "") errors.push(required(path.child("names", key)));
  }
  errors.push(...namesErrors(names, path.child("names")));

  const first = versions[0] ?? {};
  if (schemas.shared) errors.push(...validationErrors(child(first, "schema"), versions.some(statusEnabled), schemas.path(0)));
  if (subresources.shared) errors.push(...subresourceErrors(child(first, "subresources"), subresources.path(0)));
  if (columns.shared) list(first, "additionalPrinterColumns").forEach((c, j) => errors.push(...columnErrors(c, columns.path(0).index(j))));

  errors.push(...conversionErrors(spec, path.child("conversion")));
  return errors;
}

function groupErrors(group: string, path: FieldPath): FieldError[] {
  if (group === "") return [required(path)];
  const problems = dns1123SubdomainErrors(group);
  if (problems.length > 0) return [invalidValue(path, group, problems.join(","))];
  if (group.split(".").length < 2) return [invalidValue(path, group, "should be a domain with at least one dot")];
  return [];
}

function deprecationErrors(version: SchemaNode, path: FieldPath): FieldError[] {
  const warning = version.deprecationWarning;
  if (typeof warning !== "string") return [];
  const at = path.child("deprecationWarning");
  if (!flag(version, "deprecated")) return [invalidValue(at, warning, "can only be set for deprecated versions")];
  const errors: FieldError[] = [];
  if (Buffer.byteLength(warning, "utf8") > 256) errors.push(invalidValue(at, warning, "must be <= 256 characters long"));
  if (warning === "") errors.push(invalidValue(at, warning, "must not be an empty string"));
  const control = [...warning].findIndex((c) => /\p{Cc}/u.test(c));
  if (control >= 0) errors.push(invalidValue(at, warning, `must only contain printable UTF-8 characters; non-printable character found at index ${control}`));
  return errors;
}

function namesErrors(names: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ["plural", "singular"]) {
    const value = text(names, key);
    const problems = dns1035LabelErrors(value);
    if (value !== "" && problems.length > 0) errors.push(invalidValue(path.child(key), value, problems.join(",")));
  }
  for (const key of ["kind", "listKind"]) {
    const value = text(names, key);
    const problems = dns1035LabelErrors(value.toLowerCase());
    if (value !== "" && problems.length > 0) errors.push(invalidValue(path.child(key), value, `may have mixed case, but should otherwise match: ${problems.join(",")}`));
  }
  strings(names, "shortNames").forEach((s, i) => {
    const problems = dns1035LabelErrors(s);
    if (problems.length > 0) errors.push(invalidValue(path.child("shortNames").index(i), s, problems.join(",")));
  });
  const kind = text(names, "kind");
  if (kind !== "" && kind === text(names, "listKind")) errors.push(invalidValue(path.child("listKind"), kind, "kind and listKind may not be the same"));
  strings(names, "categories").forEach((s, i) => {
    const problems = dns1035LabelErrors(s);
    if (problems.length > 0) errors.push(invalidValue(path.child("categories").index(i), s, problems.join(",")));
  });
  return errors;
}

/** A version's (or the shared) openAPIV3Schema, in the order validateCustomResourceDefinitionValidation checks. */
function validationErrors(validation: SchemaNode | undefined, statusEnabled: boolean, path: FieldPath): FieldError[] {
  const schema = validation ? child(validation, "openAPIV3Schema") : undefined;
  if (!schema) return [];
  const at = path.child("openAPIV3Schema");
  const errors: FieldError[] = [];
  if (statusEnabled) errors.push(...rootWithStatusErrors(schema, path));
  if (flag(schema, "nullable")) errors.push(forbidden(path.child("openAPIV3Schema.nullable"), "nullable cannot be true at the root"));

  const conversionError = structuralConversionError(schema);
  if (conversionError === undefined) {
    const structural = structuralErrors(schema, at);
    errors.push(...(structural.length > 0 ? structural : defaultErrors(schema, at)));
  }
  errors.push(...openApiSchemaErrors(schema, at));
  // NewStructural's own refusal repeats what the rules above say; the server shows it only when they said nothing.
  if (errors.length === 0 && conversionError !== undefined) errors.push(invalidValue(at, "", conversionError));
  return errors;
}

function rootWithStatusErrors(schema: SchemaNode, path: FieldPath): FieldError[] {
  for (const [key, goName] of SCHEMA_FIELDS) {
    if (!nonZero(schema[key])) continue;
    if (goName === "Type") {
      if (schema.type !== "object") {
        return [invalidValue(path.child("openAPIV3Schema.type"), schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      }
      continue;
    }
    if (!ROOT_FIELDS_WITH_STATUS.includes(goName)) {
      return [invalidValue(path.child("openAPIV3Schema"), schema, `only [${ROOT_FIELDS_WITH_STATUS.join(" ")}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

/** Not Go's zero value: false, "" and null are; an empty list or map decoded from JSON is not. */
function nonZero(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== "";
}

function hasDefaults(schema: SchemaNode | undefined): boolean {
  if (!schema) return false;
  if (has(schema, "default")) return true;
  return Object.values(schema).some((v) => (Array.isArray(v) ? v.some((x) => isNode(x) && hasDefaults(x)) : isNode(v) && hasDefaults(v)));
}

function subresourceErrors(subresources: SchemaNode | undefined, path: FieldPath): FieldError[] {
  const scale = subresources ? child(subresources, "scale") : undefined;
  if (!scale) return [];
  const errors: FieldError[] = [];
  const jsonPath = (key: string, prefixes: string[], detail: string, requiredPath: boolean): void => {
    const value = text(scale, key);
    const at = path.child(`scale.${key}`);
    if (value === "") {
      if (requiredPath) errors.push(required(at));
      return;
    }
    const simple = simpleJsonPathErrors(value, at);
    if (simple.length > 0) errors.push(...simple);
    else if (!prefixes.some((p) => value.startsWith(p))) errors.push(invalidValue(at, value, detail));
  };
  jsonPath("specReplicasPath", [".spec."], "should be a json path under .spec", true);
  jsonPath("statusReplicasPath", [".status."], "should be a json path under .status", true);
  jsonPath("labelSelectorPath", [".spec.", ".status."], "should be a json path under either .spec or .status", false);
  return errors;
}

function simpleJsonPathErrors(value: string, path: FieldPath): FieldError[] {
  if (value === "") return [invalidValue(path, value, "must not be empty")];
  if (!value.startsWith(".")) return [invalidValue(path, value, "must be a simple json path starting with .")];
  return [];
}

/** ValidateCustomResourceColumnDefinition. Note `JSONPath`: the internal field's name, as upstream spells it. */
function columnErrors(column: SchemaNode, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (text(column, "name") === "") errors.push(required(path.child("name")));
  const type = text(column, "type");
  const types = `must be one of ${COLUMN_TYPES.join(",")}`;
  if (type === "") errors.push(required(path.child("type"), types));
  else if (!COLUMN_TYPES.includes(type)) errors.push(invalidValue(path.child("type"), type, types));
  const format = text(column, "format");
  if (format !== "" && !COLUMN_FORMATS.includes(format)) errors.push(invalidValue(path.child("format"), format, `must be one of ${COLUMN_FORMATS.join(",")}`));
  const jsonPath = text(column, "jsonPath");
  if (jsonPath === "") errors.push(required(path.child("JSONPath")));
  else errors.push(...simpleJsonPathErrors(jsonPath, path.child("JSONPath")));
  return errors;
}

function conversionErrors(spec: SchemaNode, path: FieldPath): FieldError[] {
  const conversion = child(spec, "conversion");
  if (!conversion) return [];
  const errors: FieldError[] = [];
  const strategy = text(conversion, "strategy");
  if (strategy !== "None" && spec.preserveUnknownFields === true) {
    errors.push(invalidValue(path.child("strategy"), strategy, "must be None if spec.preserveUnknownFields is true"));
  }
  if (strategy === "") errors.push(required(path.child("strategy")));
  else if (strategy !== "None" && strategy !== "Webhook") errors.push(notSupported(path.child("strategy"), strategy, ["None", "Webhook"]));
  const webhook = child(conversion, "webhook");
  if (strategy === "Webhook") {
    const clientConfig = webhook ? child(webhook, "clientConfig") : undefined;
    if (!clientConfig) errors.push(required(path.child("webhookClientConfig"), "required when strategy is set to Webhook"));
    else if (has(clientConfig, "url") === has(clientConfig, "service")) errors.push(required(path.child("webhookClientConfig"), "exactly one of url or service is required"));
    const reviewVersions = webhook ? strings(webhook, "conversionReviewVersions") : [];
    if (reviewVersions.length === 0) errors.push(required(path.child("conversionReviewVersions")));
    else if (!reviewVersions.some((v) => v === "v1" || v === "v1beta1")) {
      errors.push(invalidValue(path.child("conversionReviewVersions"), reviewVersions, "must include at least one of v1, v1beta1"));
    }
  } else if (webhook) {
    if (has(webhook, "clientConfig")) errors.push(forbidden(path.child("webhookClientConfig"), "should not be set when strategy is not set to Webhook"));
    if (strings(webhook, "conversionReviewVersions").length > 0) errors.push(forbidden(path.child("conversionReviewVersions"), "should not be set when strategy is not set to Webhook"));
  }
  return errors;
}

/** The group and plural name the stored objects' keys; kind and scope are fixed once the CRD is established. */
function immutableErrors(spec: SchemaNode, oldSpec: SchemaNode): FieldError[] {
  const errors: FieldError[] = [];
  const path = FieldPath.root("spec");
  const names = child(spec, "names") ?? {};
  const oldNames = child(oldSpec, "names") ?? {};
  const check = (value: string, before: string, at: FieldPath): void => {
    if (value !== before) errors.push(invalidValue(at, value, "field is immutable"));
  };
  // Every stored CRD is established in the sim, so kind and scope are immutable as on an established CRD.
  check(text(spec, "scope"), text(oldSpec, "scope"), path.child("scope"));
  check(text(names, "kind"), text(oldNames, "kind"), path.child("names", "kind"));
  check(text(spec, "group"), text(oldSpec, "group"), path.child("group"));
  check(text(names, "plural"), text(oldNames, "plural"), path.child("names", "plural"));
  return errors;
}

/** Versions with objects stored in them cannot leave spec.versions (storedVersions must be trimmed first). */
function storedVersionErrors(crd: KubeObject, spec: SchemaNode): FieldError[] {
  const status = isNode(crd.status) ? crd.status : {};
  const stored = strings(status, "storedVersions");
  const path = FieldPath.root("status").child("storedVersions");
  if (stored.length === 0) return [invalidValue(path, stored, "must have at least one stored version")];
  const versions = list(spec, "versions");
  const errors: FieldError[] = [];
  for (const v of versions) {
    if (flag(v, "storage") && !stored.includes(text(v, "name"))) errors.push(invalidValue(path, stored, `must have the storage version ${text(v, "name")}`));
  }
  stored.forEach((name, i) => {
    if (!versions.some((v) => text(v, "name") === name)) errors.push(invalidValue(path.index(i), name, "must appear in spec.versions"));
  });
  return errors;
}

/** Groups under k8s.io and kubernetes.io belong to the Kubernetes project and need an approval annotation. */
function approvalErrors(crd: KubeObject, spec: SchemaNode): FieldError[] {
  const group = text(spec, "group");
  const protectedGroup = group === "k8s.io" || group.endsWith(".k8s.io") || group === "kubernetes.io" || group.endsWith(".kubernetes.io");
  if (!protectedGroup) return [];
  const annotation = crd.metadata?.annotations?.[APPROVAL_ANNOTATION] ?? "";
  const path = FieldPath.root("metadata").child("annotations").key(APPROVAL_ANNOTATION);
  if (annotation === "") return [required(path, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  if (annotation.startsWith("unapproved") || /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(annotation)) return [];
  return [
    invalidValue(
      path,
      annotation,
      `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
    ),
  ];
}
