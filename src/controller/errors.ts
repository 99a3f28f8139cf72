// Classifies errors from the API (client-node's ApiException, Watch errors, watch Status objects, fetch
// failures) once, so every caller decides the same way whether to back off, refetch or give up.

export type ErrorClass =
  | "conflict" // 409: refetch and retry
  | "notFound" // 404
  | "gone" // 410: the resourceVersion is too old, relist
  | "throttled" // 429: honour Retry-After
  | "server" // 5xx
  | "network" // connection refused/reset, DNS, TLS
  | "timeout" // aborted by a timeout
  | "invalid" // 400, 422: our request is wrong, retrying it will not help
  | "forbidden" // 401, 403
  | "unknown";

export interface ClassifiedError {
  class: ErrorClass;
  status: number | null;
  /** Whether retrying with back-off may succeed. */
  retryable: boolean;
  /** The server's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs: number | null;
  message: string;
}

interface MaybeHttpError {
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  headers?: unknown;
  body?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The HTTP status an error carries (ApiException.code, Watch's statusCode, a Status object's code), or null. */
export function statusOf(err: unknown): number | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as MaybeHttpError;
  for (const v of [e.code, e.statusCode, e.status]) if (typeof v === "number" && v >= 100 && v < 600) return v;
  if (e.cause !== undefined && e.cause !== err) return statusOf(e.cause);
  return null;
}

/** Retry-After as milliseconds: the header (seconds or an HTTP date) or a Status body's details.retryAfterSeconds. */
export function retryAfterOf(err: unknown, now: number = Date.now()): number | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as MaybeHttpError;
  if (typeof e.headers === "object" && e.headers !== null) {
    const h = e.headers as Record<string, unknown>;
    const raw = h["retry-after"] ?? h["Retry-After"];
    if (typeof raw === "string" && raw.trim() !== "") {
      if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
      const at = Date.parse(raw);
      if (!Number.isNaN(at)) return Math.max(0, at - now);
    }
  }
  let body: unknown = e.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const secs = (body as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details?.retryAfterSeconds;
  if (typeof secs === "number" && secs >= 0) return secs * 1000;
  if (e.cause !== undefined && e.cause !== err) return retryAfterOf(e.cause, now);
  return null;
}

/** The error and its causes, outermost first (KubeHttp wraps transport errors with context). */
function causes(err: unknown): MaybeHttpError[] {
  const out: MaybeHttpError[] = [];
  for (let e = err; typeof e === "object" && e !== null && out.length < 5; e = (e as MaybeHttpError).cause) out.push(e as MaybeHttpError);
  return out;
}

function networkCode(err: unknown, depth = 0): string | null {
  if (typeof err !== "object" || err === null || depth > 4) return null;
  const e = err as MaybeHttpError;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return e.code;
  return networkCode(e.cause, depth + 1);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    // ApiException's message embeds headers and the whole body: keep the code and the message line.
    const api = /^HTTP-Code: (\d+)\nMessage: (.*)$/m.exec(err.message);
    return api ? `HTTP ${api[1]}: ${api[2]}` : err.message.split("\n")[0];
  }
  return String(err);
}

export function classifyError(err: unknown, now?: number): ClassifiedError {
  const status = statusOf(err);
  const retryAfterMs = retryAfterOf(err, now);
  const message = messageOf(err);
  const make = (cls: ErrorClass, retryable: boolean): ClassifiedError => ({ class: cls, status, retryable, retryAfterMs, message });
  if (status !== null) {
    if (status === 409) return make("conflict", true);
    if (status === 404) return make("notFound", false);
    if (status === 410) return make("gone", true);
    if (status === 429) return make("throttled", true);
    if (status >= 500) return make("server", true);
    if (status === 401 || status === 403) return make("forbidden", false);
    if (status === 408) return make("timeout", true);
    if (status >= 400) return make("invalid", false);
  }
  if (causes(err).some((e) => e.name === "TimeoutError" || e.name === "AbortError")) return make("timeout", true);
  if (networkCode(err) !== null || (err instanceof TypeError && /fetch failed|terminated|socket/i.test(err.message))) {
    return make("network", true);
  }
  return make("unknown", true);
}
