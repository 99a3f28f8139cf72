import { parseTimestamp, registryHost } from "../../src/status/index.js";
import { oneLine } from "../../src/status/text.js";

describe("parseTimestamp", () => {
  it.each([
    "2025-03-01T12:00:00Z",
    "2024-02-29T23:59:59Z",
    "1999-12-31T00:00:00.5Z",
    "2025-03-01T12:00:00.123456789+02:00",
    "2025-03-01T12:00:00-07:30",
    "1970-01-01T00:00:00Z",
  ])("agrees with Date.parse on %s", (ts) => {
    expect(parseTimestamp(ts)).toBe(Date.parse(ts));
  });

  it.each(["", "2025-03-01", "2025-03-01 12:00:00Z", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-03-01T24:00:00Z",
    "2025-03-01T12:00:00", "2025-03-01T12:00:00.Z", "2025-03-01T12:00:00+0100", "2025-03-01T12:00:00Zjunk", "yesterday"])(
    "rejects %p",
    (ts) => {
      expect(parseTimestamp(ts)).toBeNaN();
    },
  );

  it("takes a Date as it is, and nothing else that is not a string", () => {
    expect(parseTimestamp(new Date(1234))).toBe(1234);
    expect(parseTimestamp(1234)).toBeNaN();
    expect(parseTimestamp(null)).toBeNaN();
  });
});

describe("registryHost", () => {
  it.each([
    ["nginx", "docker.io"],
    ["nginx:1.27", "docker.io"],
    ["library/nginx:1.27", "docker.io"],
    ["bitnami/redis@sha256:abc", "docker.io"],
    ["ghcr.io/acme/api:v2", "ghcr.io"],
    ["localhost/app", "localhost"],
    ["localhost:5000/team/app:1", "localhost:5000"],
    ["registry.example.com:5000/team/app@sha256:abc", "registry.example.com:5000"],
    ["Registry/app", "Registry"],
    ["", "docker.io"],
  ])("%s is pulled from %s", (image, host) => {
    expect(registryHost(image)).toBe(host);
  });
});

describe("oneLine", () => {
  it("keeps a clean line as it is", () => {
    expect(oneLine("back-off 5m0s restarting")).toBe("back-off 5m0s restarting");
  });

  it("collapses line breaks, tabs and runs of spaces, and trims", () => {
    expect(oneLine("  first\r\nsecond\t\tthird  \u2028fourth ")).toBe("first second third fourth");
  });

  it("cuts long text to the bound, ending in an ellipsis", () => {
    const cut = oneLine("x".repeat(600));
    expect(cut).toHaveLength(512);
    expect(cut.endsWith("…")).toBe(true);
    expect(oneLine("abcdef", 4)).toBe("abc…");
  });
});
