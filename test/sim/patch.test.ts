// The four patch types on plain objects, including kubectl's strategic merge directives and RFC 6902 `test`.
import { ApiError } from "../../src/sim/errors.js";
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from "../../src/sim/patch.js";
import { deepFreeze } from "../../src/sim/objects.js";

const podBase = deepFreeze({
  metadata: { name: "p", labels: { a: "1", b: "2" }, finalizers: ["x"] },
  spec: {
    containers: [
      { name: "app", image: "app:1", env: [{ name: "A", value: "1" }] },
      { name: "side", image: "side:1" },
    ],
    tolerations: [{ key: "k" }],
  },
  status: { conditions: [{ type: "Ready", status: "False" }, { type: "PodScheduled", status: "True" }] },
});

describe("merge patch (RFC 7386)", () => {
  test("merges objects, deletes with null, replaces lists", () => {
    const out = mergePatch(podBase, { metadata: { labels: { a: null, c: "3" } }, spec: { containers: [{ name: "only", image: "x" }] } }) as typeof podBase;
    expect(out.metadata.labels).toEqual({ b: "2", c: "3" });
    expect(out.spec.containers).toEqual([{ name: "only", image: "x" }]);
    expect(podBase.metadata.labels).toEqual({ a: "1", b: "2" });
  });
});

describe("strategic merge patch", () => {
  // core/v1 types.go: ServiceSpec.ports has patchMergeKey "port", Container.ports "containerPort"; a NetworkPolicy
  // rule's ports have no patch strategy. kubectl apply of a Service that renumbers one port relies on the first.
  test("ports merge by port in a Service, by containerPort in a container, and are replaced elsewhere", () => {
    const svc = deepFreeze({ spec: { ports: [{ name: "http", port: 80 }, { name: "metrics", port: 9090 }] } });
    const out = strategicMergePatch(svc, { spec: { ports: [{ port: 9091, name: "metrics" }, { $patch: "delete", port: 9090 }] } }) as typeof svc;
    expect(out.spec.ports).toEqual([{ name: "http", port: 80 }, { name: "metrics", port: 9091 }]);

    const deploy = deepFreeze({ spec: { template: { spec: { containers: [{ name: "app", ports: [{ containerPort: 80, name: "a" }, { containerPort: 81 }] }] } } } });
    const patched = strategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: "app", ports: [{ containerPort: 80, name: "b" }] }] } } } }) as typeof deploy;
    expect(patched.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, name: "b" }, { containerPort: 81 }]);

    const netpol = deepFreeze({ spec: { ingress: [{ ports: [{ port: 80 }, { port: 81 }] }] } });
    const replaced = strategicMergePatch(netpol, { spec: { ingress: [{ ports: [{ port: 82 }] }] } }) as typeof netpol;
    expect(replaced.spec.ingress[0].ports).toEqual([{ port: 82 }]);
  });

  test("merges containers by name and conditions by type", () => {
    const out = strategicMergePatch(podBase, {
      spec: { containers: [{ name: "side", image: "side:2" }, { name: "new", image: "n" }] },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    }) as typeof podBase;
    expect(out.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["app=app:1", "side=side:2", "new=n"]);
    expect(out.spec.containers[0].env).toEqual([{ name: "A", value: "1" }]);
    expect(out.status.conditions).toEqual([{ type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }]);
  });

  test("directives: $patch delete and replace, finalizers as a set, $deleteFromPrimitiveList, $setElementOrder", () => {
    const out = strategicMergePatch(podBase, {
      metadata: { finalizers: ["y", "x"], "$deleteFromPrimitiveList/finalizers": ["x"] },
      spec: {
        "$setElementOrder/containers": [{ name: "app" }],
        containers: [{ name: "side", $patch: "delete" }],
        tolerations: [{ key: "other" }],
      },
      status: { $patch: "replace", phase: "Running" },
    }) as Record<string, Record<string, unknown>>;
    expect(out.metadata.finalizers).toEqual(["y"]);
    expect((out.spec.containers as Array<{ name: string }>).map((c) => c.name)).toEqual(["app"]);
    expect(out.spec.tolerations).toEqual([{ key: "other" }]);
    expect(out.status).toEqual({ phase: "Running" });
  });
});

describe("JSON patch (RFC 6902)", () => {
  test("add, remove, replace, move, copy and test", () => {
    const out = jsonPatch(podBase, [
      { op: "test", path: "/metadata/labels/a", value: "1" },
      { op: "add", path: "/metadata/labels/team~1x", value: "t" },
      { op: "remove", path: "/metadata/labels/b" },
      { op: "replace", path: "/spec/containers/0/image", value: "app:2" },
      { op: "add", path: "/spec/containers/-", value: { name: "last", image: "l" } },
      { op: "copy", from: "/metadata/labels/a", path: "/metadata/labels/copied" },
      { op: "move", from: "/spec/tolerations", path: "/spec/moved" },
    ]) as Record<string, Record<string, unknown>>;
    expect(out.metadata.labels).toEqual({ a: "1", "team/x": "t", copied: "1" });
    expect((out.spec.containers as Array<{ image: string }>).map((c) => c.image)).toEqual(["app:2", "side:1", "l"]);
    expect(out.spec.moved).toEqual([{ key: "k" }]);
    expect(out.spec.tolerations).toBeUndefined();
  });

  test("a failed test or a missing path is a 422 and changes nothing", () => {
    for (const ops of [[{ op: "test", path: "/metadata/labels/a", value: "2" }], [{ op: "remove", path: "/nope" }], [{ op: "replace", path: "/spec/containers/5", value: 1 }]]) {
      let caught: unknown;
      try {
        jsonPatch(podBase, ops);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect((caught as ApiError).code).toBe(422);
    }
  });
});

describe("apply", () => {
  test("merges the applied configuration (named lists for built-in kinds)", () => {
    const out = applyPatch(podBase, { spec: { containers: [{ name: "app", image: "app:3" }] } }, false) as typeof podBase;
    expect(out.spec.containers.map((c) => c.image)).toEqual(["app:3", "side:1"]);
    const custom = applyPatch({ spec: { list: [1, 2], keep: true } }, { spec: { list: [3] } }, true);
    expect(custom).toEqual({ spec: { list: [3], keep: true } });
  });
});
