// API errors as the real server reports them: an HTTP code plus a metav1.Status body. The store throws these so
// that the HTTP layer and in-process callers see the same reason for the same mistake.

export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "BadRequest"
  | "MethodNotAllowed"
  | "Forbidden"
  | "Expired"
  | "Gone"
  | "InternalError"
  | "ServiceUnavailable"
  | "TooManyRequests"
  | "UnsupportedMediaType"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "Timeout";

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): StatusObject {
    const status: StatusObject = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** The name the store contract (types.ts) gives its errors. */
export { ApiError as StoreError };

/** `pods "x"`, `podhealthreports.podhealth.io "x"`: how the server names an object in messages. */
function qualified(resource: string, name: string): string {
  return `${resource} "${name}"`;
}

/** Splits a store key `plural.group` into the parts Status details carry. */
function groupKind(resource: string): { group: string; kind: string } {
  const dot = resource.indexOf(".");
  return dot < 0 ? { group: "", kind: resource } : { group: resource.slice(dot + 1), kind: resource.slice(0, dot) };
}

export function notFound(resource: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualified(resource, name)} not found`, { name, ...groupKind(resource) });
}

export function alreadyExists(resource: string, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualified(resource, name)} already exists`, { name, ...groupKind(resource) });
}

export function conflict(resource: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(resource, name)}: ${why}`, { name, ...groupKind(resource) });
}

export function invalid(kind: string, name: string, causes: Array<{ field: string; message: string; reason?: string }>): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${text}`, {
    name,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? "FieldValueInvalid", message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/**
 * storage.NewTooLargeResourceVersionError (k8s.io/apiserver 1.32 pkg/storage/errors.go): a 504 Timeout whose
 * cause says the requested resourceVersion is newer than the server has, and when to retry.
 */
export function tooLargeResourceVersion(requested: number, current: number, retryAfterSeconds: number): ApiError {
  const details: StatusDetails = { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }] };
  if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
  return new ApiError(504, "Timeout", `Timeout: Too large resource version: ${requested}, current: ${current}`, details);
}

export function successStatus(details?: StatusDetails): StatusObject {
  const status: StatusObject = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 };
  if (details) status.details = details;
  return status;
}
