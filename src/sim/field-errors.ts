// Field errors as the real server words them, and the one 422 Invalid Status that carries them all. Mirrors
// k8s.io/apimachinery v0.32 pkg/util/validation/field (errors.go: Error.ErrorBody, ErrorList.ToAggregate) and
// pkg/api/errors (NewInvalid): each cause keeps its field and body; the message joins the distinct errors, in
// brackets when there are several.
import { ApiError } from "./errors.js";

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueForbidden"
  | "FieldValueInvalid"
  | "FieldValueTypeInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate";

export interface FieldError {
  type: FieldErrorType;
  /** The path, e.g. `spec.validation.openAPIV3Schema.properties[metadata]`. */
  field: string;
  /** What the cause carries as its message: `Forbidden: must not …`. */
  body: string;
}

/** A field path as field.Path prints it: `.child`, `[index]`, `[key]`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(...names: string[]): FieldPath {
    return new FieldPath(names.reduce((p, n) => (p === "" ? n : `${p}.${n}`), this.text));
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

/** How a bad value is shown: strings quoted as Go's %q, numbers and booleans bare, anything else as JSON. */
function showValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function withDetail(head: string, detail: string): string {
  return detail === "" ? head : `${head}: ${detail}`;
}

export function required(path: FieldPath, detail = ""): FieldError {
  return { type: "FieldValueRequired", field: path.toString(), body: withDetail("Required value", detail) };
}

export function forbidden(path: FieldPath, detail: string): FieldError {
  return { type: "FieldValueForbidden", field: path.toString(), body: withDetail("Forbidden", detail) };
}

export function invalidValue(path: FieldPath, value: unknown, detail: string): FieldError {
  return { type: "FieldValueInvalid", field: path.toString(), body: withDetail(`Invalid value: ${showValue(value)}`, detail) };
}

export function notSupported(path: FieldPath, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` : "";
  return { type: "FieldValueNotSupported", field: path.toString(), body: withDetail(`Unsupported value: ${showValue(value)}`, detail) };
}

export function duplicate(path: FieldPath, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field: path.toString(), body: `Duplicate value: ${showValue(value)}` };
}

export function errorText(e: FieldError): string {
  return `${e.field}: ${e.body}`;
}

/**
 * 422 Invalid for `group`/`kind` `name` with every error as a cause. The message names the kind qualified by
 * its group (`CustomResourceDefinition.apiextensions.k8s.io "x" is invalid: …`), as GroupKind.String() does.
 */
export function invalidObject(group: string, kind: string, name: string, errors: readonly FieldError[]): ApiError {
  const distinct = [...new Set(errors.map(errorText))];
  const aggregate = distinct.length === 1 ? distinct[0] : `[${distinct.join(", ")}]`;
  const qualified = group === "" ? kind : `${kind}.${group}`;
  return new ApiError(422, "Invalid", `${qualified} ${JSON.stringify(name)} is invalid: ${aggregate}`, {
    name,
    ...(group === "" ? {} : { group }),
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}
