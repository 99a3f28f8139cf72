import { Connectivity } from "../../src/controller/connectivity.js";
import { classifyError } from "../../src/controller/errors.js";
import { createLogger } from "../../src/log.js";
import { LogSink } from "./e2e-helpers.js";
import { FakeScheduler } from "./fakes.js";

function setup() {
  const clock = new FakeScheduler(0);
  const logs = new LogSink();
  const c = new Connectivity({ server: "https://10.0.0.1:6443", logger: createLogger({ level: "debug", destination: logs }), scheduler: clock });
  return { clock, logs, c };
}

const refused = classifyError(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:6443"), { code: "ECONNREFUSED" }));

describe("Connectivity", () => {
  it("tells an outage once at warn after the first failures, at most once a minute, and its end once at info", () => {
    const { clock, logs, c } = setup();
    c.failed("/api/v1/pods", "watch", refused, 800);
    c.failed("/api/v1/events", "watch", refused, 800);
    expect(logs.lines.filter((l) => l.level === "warn")).toHaveLength(0); // a blip is not an outage
    for (let i = 0; i < 30; i++) {
      clock.advance(5_000);
      c.failed("/api/v1/pods", "watch", refused, 5_000);
      c.failed("/api/v1/events", "list", refused, 5_000);
    }
    const warns = logs.lines.filter((l) => l.level === "warn");
    // 150 s of failures from two reflectors: a warn at 10 s, then one a minute.
    expect(warns).toHaveLength(3);
    expect(warns[0]).toMatchObject({ server: "https://10.0.0.1:6443", error: expect.stringContaining("ECONNREFUSED") });
    expect(String(warns[0].msg)).toContain("cannot reach the API server at https://10.0.0.1:6443");
    c.recovered("/api/v1/pods", "watch");
    expect(logs.lines.filter((l) => l.level === "info")).toHaveLength(0); // events still failing
    c.recovered("/api/v1/events", "watch");
    c.recovered("/api/v1/events", "list");
    const infos = logs.lines.filter((l) => l.level === "info");
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ msg: "connected to the API server at https://10.0.0.1:6443 again", outageMs: 150_000 });
  });

  it("says what to do about a forbidden request or a missing CRD, once, and again only after it was fixed", () => {
    const { clock, logs, c } = setup();
    const forbidden = classifyError(Object.assign(new Error("events is forbidden"), { code: 403 }));
    const missing = classifyError(Object.assign(new Error("the server could not find the requested resource"), { code: 404 }));
    for (let i = 0; i < 10; i++) {
      clock.advance(30_000);
      c.failed("/api/v1/events", "list", forbidden, 30_000);
      c.failed("/apis/podhealth.io/v1alpha1/podhealthreports", "list", missing, 30_000);
    }
    const errors = logs.lines.filter((l) => l.level === "error");
    expect(errors.map((l) => l.msg)).toEqual([
      expect.stringContaining("apply the RBAC of deploy/base/rbac.yaml (kubectl apply -k deploy/)"),
      expect.stringContaining("the PodHealthReport CRD is not installed: kubectl apply -f crds/"),
    ]);
    c.recovered("/api/v1/events", "list");
    c.failed("/api/v1/events", "list", forbidden, 30_000);
    expect(logs.lines.filter((l) => l.level === "error")).toHaveLength(3);
  });
});
