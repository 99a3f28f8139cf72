import { ApiException } from "@kubernetes/client-node";
import { classifyError, retryAfterOf } from "../../src/controller/errors.js";

describe("classifyError", () => {
  it.each([
    [new ApiException(409, "conflict", {}, {}), "conflict", true],
    [new ApiException(404, "nf", {}, {}), "notFound", false],
    [new ApiException(410, "gone", {}, {}), "gone", true],
    [new ApiException(429, "slow down", {}, { "retry-after": "3" }), "throttled", true],
    [new ApiException(503, "unavailable", {}, {}), "server", true],
    [new ApiException(422, "invalid", {}, {}), "invalid", false],
    [new ApiException(403, "forbidden", {}, {}), "forbidden", false],
    [Object.assign(new Error("Gone"), { statusCode: 410 }), "gone", true],
    [{ kind: "Status", code: 410, message: "too old resource version" }, "gone", true],
    [Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }), "network", true],
    [new DOMException("timeout", "TimeoutError"), "timeout", true],
    [new Error("GET /api/v1/pods: The operation was aborted due to timeout", { cause: new DOMException("timeout", "TimeoutError") }), "timeout", true],
    [new Error("wrapped", { cause: new ApiException(500, "x", {}, {}) }), "server", true],
    [new Error("something else"), "unknown", true],
  ])("%#: %s", (err, cls, retryable) => {
    const c = classifyError(err);
    expect(c.class).toBe(cls);
    expect(c.retryable).toBe(retryable);
  });

  it("keeps the code and message of an ApiException, not its body and headers", () => {
    expect(classifyError(new ApiException(500, "boom", { big: true }, { a: "b" })).message).toBe("HTTP 500: boom");
  });

  it("reads Retry-After in seconds, as a date, or from a Status body", () => {
    expect(retryAfterOf(new ApiException(429, "", {}, { "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterOf(new ApiException(429, "", {}, { "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterOf(new ApiException(429, "", { details: { retryAfterSeconds: 7 } }, {}))).toBe(7000);
    expect(retryAfterOf(new ApiException(500, "", {}, {}))).toBeNull();
  });
});
