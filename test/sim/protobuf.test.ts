// Protobuf request bodies: the `k8s\0` + runtime.Unknown envelope (apimachinery 1.32 protobuf.go), the kinds with a
// field table (core/v1 generated.proto), the 400s for malformed input and the 415 for kinds without a table; then
// the same bodies over HTTP, answered in JSON.
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { SimCluster } from "../../src/sim/index.js";
import { decodeProtobufBody } from "../../src/sim/protobuf.js";
import { apiErrorOf, startTestCluster } from "./helpers.js";

/** Bodies kubectl 1.32 sent for `create namespace demo`, `create configmap cm1 --from-literal=a=b --from-literal=c=d`
 * and `create secret generic s1 --from-literal=pw=hunter2`, captured on the wire. */
const KUBECTL_NAMESPACE = "6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a0032003800420012001a020a001a002200";
const KUBECTL_CONFIGMAP =
  "6b3873000a0f0a0276311209436f6e6669674d617012250a130a03636d3112001a0022002a0032003800420012060a016112016212060a01631201641a002200";
const KUBECTL_SECRET = "6b3873000a0c0a027631120653656372657412250a120a02733112001a0022002a00320038004200120d0a027077120768756e746572321a001a002200";

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));

type Build = (w: BinaryWriter) => void;

function message(build: Build): Uint8Array {
  const w = new BinaryWriter();
  build(w);
  return w.finish();
}

function field(w: BinaryWriter, no: number, bytes: Uint8Array): void {
  w.tag(no, WireType.LengthDelimited).bytes(bytes);
}

function mapEntry(w: BinaryWriter, no: number, key: string, value: string | Uint8Array): void {
  field(
    w,
    no,
    message((e) => {
      e.tag(1, WireType.LengthDelimited).string(key);
      if (typeof value === "string") e.tag(2, WireType.LengthDelimited).string(value);
      else e.tag(2, WireType.LengthDelimited).bytes(value);
    }),
  );
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = message((w) => {
    field(
      w,
      1,
      message((t) => {
        t.tag(1, WireType.LengthDelimited).string(apiVersion);
        t.tag(2, WireType.LengthDelimited).string(kind);
      }),
    );
    field(w, 2, raw);
  });
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}


describe("decodeProtobufBody", () => {
  test("kubectl's own bodies for a Namespace, a ConfigMap and a Secret decode to the JSON a real server stores", () => {
    expect(decodeProtobufBody(hex(KUBECTL_NAMESPACE))).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" }, spec: {}, status: {} });
    expect(decodeProtobufBody(hex(KUBECTL_CONFIGMAP))).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm1" }, data: { a: "b", c: "d" } });
    // Secret data is bytes on the wire and base64 in JSON; the empty type is left for the server's default.
    expect(decodeProtobufBody(hex(KUBECTL_SECRET))).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "s1" }, data: { pw: Buffer.from("hunter2").toString("base64") } });
  });

  test("ObjectMeta maps, owner references, pointer fields and a ServiceAccount; unknown fields of every wire type are skipped", () => {
    const meta = message((m) => {
      m.tag(1, WireType.LengthDelimited).string("builder");
      m.tag(3, WireType.LengthDelimited).string("ci");
      mapEntry(m, 11, "app", "ci");
      mapEntry(m, 12, "note", "");
      field(
        m,
        13,
        message((o) => {
          o.tag(1, WireType.LengthDelimited).string("Deployment");
          o.tag(3, WireType.LengthDelimited).string("d");
          o.tag(4, WireType.LengthDelimited).string("u-1");
          o.tag(5, WireType.LengthDelimited).string("apps/v1");
          o.tag(6, WireType.Varint).bool(true);
        }),
      );
      m.tag(14, WireType.LengthDelimited).string("example.com/keep");
      m.tag(99, WireType.Varint).int32(7);
      m.tag(98, WireType.Bit32).fixed32(1);
      m.tag(97, WireType.Bit64).fixed64(2);
      m.tag(96, WireType.LengthDelimited).string("ignored");
    });
    const sa = message((w) => {
      field(w, 1, meta);
      field(w, 3, message((r) => r.tag(1, WireType.LengthDelimited).string("registry")));
      w.tag(4, WireType.Varint).bool(false);
    });
    expect(decodeProtobufBody(envelope("v1", "ServiceAccount", sa))).toEqual({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "builder",
        namespace: "ci",
        labels: { app: "ci" },
        annotations: { note: "" },
        ownerReferences: [{ kind: "Deployment", name: "d", uid: "u-1", apiVersion: "apps/v1", controller: true }],
        finalizers: ["example.com/keep"],
      },
      imagePullSecrets: [{ name: "registry" }],
      // *bool in Go: an explicit false is kept.
      automountServiceAccountToken: false,
    });
  });

  test("binaryData and stringData; DeleteOptions under any group version", () => {
    const cm = message((w) => mapEntry(w, 3, "blob", Uint8Array.from([0, 255, 1])));
    expect(decodeProtobufBody(envelope("v1", "ConfigMap", cm))).toMatchObject({ binaryData: { blob: "AP8B" } });
    const secret = message((w) => {
      mapEntry(w, 4, "user", "admin");
      w.tag(3, WireType.LengthDelimited).string("kubernetes.io/basic-auth");
    });
    expect(decodeProtobufBody(envelope("v1", "Secret", secret))).toMatchObject({ stringData: { user: "admin" }, type: "kubernetes.io/basic-auth" });
    const opts = message((w) => {
      w.tag(1, WireType.Varint).int64(0);
      field(w, 2, message((p) => p.tag(1, WireType.LengthDelimited).string("u-1")));
      w.tag(4, WireType.LengthDelimited).string("Foreground");
    });
    expect(decodeProtobufBody(envelope("apps/v1", "DeleteOptions", opts))).toEqual({
      apiVersion: "apps/v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      preconditions: { uid: "u-1" },
      propagationPolicy: "Foreground",
    });
  });

  test("malformed input is a 400: no prefix, empty, truncated, a known field with the wrong wire type, no kind", () => {
    expect(apiErrorOf(() => decodeProtobufBody(new Uint8Array()))).toEqual({ code: 400, message: "empty data" });
    expect(apiErrorOf(() => decodeProtobufBody(Buffer.from('{"kind":"Namespace"}')))).toMatchObject({ code: 400, message: expect.stringContaining("expected prefix [107 56 115 0]") });
    expect(apiErrorOf(() => decodeProtobufBody(Uint8Array.from([0x6b, 0x38, 0x73, 0x00])))).toEqual({ code: 400, message: "empty body" });
    const whole = hex(KUBECTL_NAMESPACE);
    expect(apiErrorOf(() => decodeProtobufBody(whole.subarray(0, whole.length - 3))).code).toBe(400);
    const wrongType = message((w) => w.tag(1, WireType.Varint).int32(1));
    expect(apiErrorOf(() => decodeProtobufBody(envelope("v1", "Namespace", wrongType)))).toMatchObject({ code: 400, message: expect.stringContaining("wrong wireType = 0 for field metadata") });
    expect(apiErrorOf(() => decodeProtobufBody(envelope("v1", "", new Uint8Array()))).code).toBe(400);
  });

  test("a kind without a field table is a 415 that names it", () => {
    expect(apiErrorOf(() => decodeProtobufBody(envelope("apps/v1", "Deployment", new Uint8Array())))).toMatchObject({
      code: 415,
      message: expect.stringContaining("not apps/v1 Deployment"),
    });
    expect(apiErrorOf(() => decodeProtobufBody(envelope("v1", "Pod", new Uint8Array()))).message).toContain("not v1 Pod");
  });
});

describe("protobuf bodies over HTTP", () => {
  let cluster: SimCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ crdDirs: [] });
  });
  afterAll(async () => {
    await cluster.close();
  });

  const send = (method: string, path: string, body: Uint8Array): Promise<Response> =>
    fetch(`${cluster.url}${path}`, { method, body, headers: { "Content-Type": "application/vnd.kubernetes.protobuf", Accept: "application/vnd.kubernetes.protobuf,application/json" } });

  test("create answers 201 in JSON; the object is stored as from JSON; DeleteOptions are honoured; PATCH and CBOR stay 415", async () => {
    const created = await send("POST", "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict", hex(KUBECTL_NAMESPACE));
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json");
    expect(((await created.json()) as { metadata: { name: string } }).metadata.name).toBe("demo");
    expect((await send("POST", "/api/v1/namespaces/demo/secrets", hex(KUBECTL_SECRET))).status).toBe(201);
    expect(cluster.store.get("secrets", "demo", "s1")).toMatchObject({ type: "Opaque", data: { pw: "aHVudGVyMg==" } });

    const wrongKind = await send("POST", "/api/v1/namespaces/demo/configmaps", hex(KUBECTL_SECRET));
    expect(wrongKind.status).toBe(400);

    cluster.store.create("pods", { metadata: { name: "p", namespace: "demo" }, spec: { nodeName: "n", containers: [{ name: "c", image: "i" }] } });
    const grace0 = message((w) => w.tag(1, WireType.Varint).int64(0));
    expect((await send("DELETE", "/api/v1/namespaces/demo/pods/p", envelope("v1", "DeleteOptions", grace0))).status).toBe(200);
    expect(cluster.store.get("pods", "demo", "p")).toBeUndefined();

    const patch = await fetch(`${cluster.url}/api/v1/namespaces/demo/secrets/s1`, { method: "PATCH", body: hex(KUBECTL_SECRET), headers: { "Content-Type": "application/vnd.kubernetes.protobuf" } });
    expect(patch.status).toBe(415);
    const cbor = await fetch(`${cluster.url}/api/v1/namespaces`, { method: "POST", body: "\xa0", headers: { "Content-Type": "application/cbor" } });
    expect(cbor.status).toBe(415);
  });
});
