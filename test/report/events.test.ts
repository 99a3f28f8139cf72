// Which events the report reads, and what each one means.
import { belongsToPod, eventCount, eventMeaning, readEvent, type EventMeaning } from "../../src/report/events.js";
import type { CoreEvent } from "../../src/report/index.js";
import { at, event, pod } from "./fixtures.js";

describe("event meaning", () => {
  test.each<{ name: string; reason: string; message: string; want: EventMeaning | null }>([
    { name: "liveness failed", reason: "Unhealthy", message: "Liveness probe failed: HTTP probe failed with statuscode: 500", want: { kind: "probe-failure", probe: "liveness", reason: "Unhealthy" } },
    { name: "liveness errored", reason: "Unhealthy", message: "Liveness probe errored: rpc error", want: { kind: "probe-failure", probe: "liveness", reason: "Unhealthy" } },
    { name: "readiness failed", reason: "Unhealthy", message: "Readiness probe failed: dial tcp 10.0.0.1:80: connect: connection refused", want: { kind: "probe-failure", probe: "readiness", reason: "Unhealthy" } },
    { name: "startup failed", reason: "Unhealthy", message: "Startup probe failed: ", want: { kind: "probe-failure", probe: "startup", reason: "Unhealthy" } },
    { name: "unhealthy about something else", reason: "Unhealthy", message: "something odd", want: null },
    { name: "probe warning", reason: "ProbeWarning", message: "Readiness probe warning: Probe terminated redirects", want: { kind: "probe-warning", probe: "readiness", reason: "ProbeWarning" } },
    { name: "killing after liveness", reason: "Killing", message: "Container app failed liveness probe, will be restarted", want: { kind: "probe-kill", probe: "liveness", reason: "Killing" } },
    { name: "killing after startup", reason: "Killing", message: "Container app failed startup probe, will be restarted", want: { kind: "probe-kill", probe: "startup", reason: "Killing" } },
    { name: "plain stop", reason: "Killing", message: "Stopping container app", want: null },
    { name: "postStart hook", reason: "FailedPostStartHook", message: "PostStartHook failed", want: { kind: "hook-failure", probe: "hook", reason: "FailedPostStartHook" } },
    { name: "preStop hook", reason: "FailedPreStopHook", message: "PreStopHook failed", want: { kind: "hook-failure", probe: "hook", reason: "FailedPreStopHook" } },
    { name: "restart back-off", reason: "BackOff", message: "Back-off restarting failed container app in pod web-0_shop(uid)", want: { kind: "back-off" } },
    { name: "image pull back-off", reason: "BackOff", message: 'Back-off pulling image "shop/web:1.2"', want: null },
    { name: "unrelated", reason: "Pulled", message: "Successfully pulled image", want: null },
  ])("$name", ({ reason, message, want }) => {
    expect(eventMeaning({ reason, message })).toEqual(want);
  });
});

describe("reading an event", () => {
  test("count is the larger of count and series.count, at least 1", () => {
    expect([{}, { count: 4 }, { series: { count: 7 }, count: 1 }].map((e: CoreEvent) => eventCount(e))).toEqual([1, 4, 7]);
  });

  test("time is the newest observation, cut to the second", () => {
    const e: CoreEvent = {
      ...event({ uid: "e", reason: "Unhealthy", message: "Liveness probe failed: x" }),
      lastTimestamp: null,
      eventTime: "2025-03-01T10:00:01.123456Z",
      series: { count: 3, lastObservedTime: "2025-03-01T10:00:09.999999Z" },
    };
    expect(readEvent(e)).toMatchObject({ name: "web-0.e", uid: "e", aggregated: false, count: 3, time: Date.parse(at(9)), container: "app" });
  });

  test("a back-off event without fieldPath names its container from the message", () => {
    const e = { ...event({ uid: "b", reason: "BackOff", message: "Back-off restarting failed container worker in pod x" }), involvedObject: { kind: "Pod", name: "web-0", namespace: "shop" } };
    expect(readEvent(e)?.container).toBe("worker");
  });
});

describe("which events belong to the pod", () => {
  const base = event({ uid: "e", reason: "Unhealthy", message: "Liveness probe failed: x" });
  test.each<{ name: string; event: CoreEvent; want: boolean }>([
    { name: "same uid", event: base, want: true },
    { name: "an older pod of the same name", event: { ...base, involvedObject: { ...base.involvedObject, uid: "other" } }, want: false },
    { name: "another pod", event: { ...base, involvedObject: { ...base.involvedObject, name: "web-1" } }, want: false },
    { name: "another namespace", event: { ...base, involvedObject: { ...base.involvedObject, namespace: "other" } }, want: false },
    { name: "another kind", event: { ...base, involvedObject: { ...base.involvedObject, kind: "Node" } }, want: false },
    { name: "no uid, newer than the pod", event: { ...base, involvedObject: { kind: "Pod", name: "web-0", namespace: "shop" } }, want: true },
    {
      name: "no uid, older than the pod",
      event: { ...base, involvedObject: { kind: "Pod", name: "web-0", namespace: "shop" }, firstTimestamp: at(-7200), lastTimestamp: at(-7200) },
      want: false,
    },
  ])("$name", ({ event: e, want }) => {
    expect(belongsToPod(pod(), e)).toBe(want);
  });
});
