// Label and field selectors, table-driven: each case a selector, an object's labels/fields, and whether it matches.
import { ApiError } from "../../src/sim/errors.js";
import { builtinResources } from "../../src/sim/resources.js";
import { parseFieldSelector, parseLabelSelector } from "../../src/sim/selectors.js";
import type { KubeObject } from "../../src/sim/types.js";

const labelled = (labels: Record<string, string>): KubeObject => ({ metadata: { name: "x", labels } });

const LABEL_CASES: Array<[string, Record<string, string>, boolean]> = [
  ["app=web", { app: "web" }, true],
  ["app==web", { app: "web" }, true],
  ["app=web", { app: "db" }, false],
  ["app!=web", { app: "db" }, true],
  ["app!=web", {}, true],
  ["app in (web, db)", { app: "db" }, true],
  ["app in (web,db)", { app: "cache" }, false],
  ["app notin (web)", {}, true],
  ["app notin (web)", { app: "web" }, false],
  ["app", { app: "" }, true],
  ["!app", { app: "web" }, false],
  ["!app", {}, true],
  ["app=web,tier in (front),!canary", { app: "web", tier: "front" }, true],
  ["app=web,tier in (front),!canary", { app: "web", tier: "front", canary: "1" }, false],
  ["app.kubernetes.io/name=x", { "app.kubernetes.io/name": "x" }, true],
  ["replicas>2", { replicas: "3" }, true],
  ["app=", { app: "" }, true],
];

describe("label selectors", () => {
  test.each(LABEL_CASES)("%s on %j → %s", (selector, labels, expected) => {
    expect(parseLabelSelector(selector)?.(labelled(labels))).toBe(expected);
  });

  test("empty selects everything; malformed is a 400", () => {
    expect(parseLabelSelector("")).toBeUndefined();
    for (const bad of ["app in (a", "a=b=c", "=x", "app=#"]) {
      expect(() => parseLabelSelector(bad)).toThrow(ApiError);
    }
  });
});

const pods = builtinResources().find((r) => r.key === "pods")!;
const events = builtinResources().find((r) => r.key === "events")!;
const podObj: KubeObject = { metadata: { name: "web", namespace: "prod" }, spec: { nodeName: "n1" }, status: { phase: "Running" } };
const eventObj: KubeObject = { metadata: { name: "e", namespace: "prod" }, involvedObject: { kind: "Pod", name: "web", namespace: "prod", uid: "u1", fieldPath: "spec.containers{app}" }, reason: "BackOff", type: "Warning" };

describe("field selectors", () => {
  test.each([
    ["metadata.name=web", true],
    ["metadata.name==web", true],
    ["metadata.name!=web", false],
    ["metadata.namespace=prod,status.phase=Running", true],
    ["spec.nodeName=n2", false],
    ["spec.nodeName=", false],
    ["status.phase!=Failed", true],
  ])("pods: %s → %s", (selector, expected) => {
    expect(parseFieldSelector(selector, pods)?.(podObj)).toBe(expected);
  });

  test.each([
    ["involvedObject.kind=Pod,involvedObject.name=web,involvedObject.namespace=prod,involvedObject.uid=u1", true],
    ["involvedObject.fieldPath=spec.containers{app}", true],
    ["regarding.name=web", true],
    ["reason=Killing", false],
    ["type=Warning", true],
  ])("events: %s → %s", (selector, expected) => {
    expect(parseFieldSelector(selector, events)?.(eventObj)).toBe(expected);
  });

  test("an unsupported field is a 400 naming it", () => {
    expect(() => parseFieldSelector("spec.containers=x", pods)).toThrow("field label not supported: spec.containers");
  });
});
