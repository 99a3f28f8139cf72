// CRDs are validated as a real API server validates them (apiextensions-apiserver v0.32 validation.go and
// pkg/apiserver/schema): the project's CRD and the test fixture pass; one broken variant per rule is refused
// over HTTP with 422 Invalid, a Status whose causes name the field, and a message that joins them all.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { applyCrdDefaults, validateCrd } from "../../src/sim/crd-validation.js";
import { errorText } from "../../src/sim/field-errors.js";
import { packageRoot, type KubeObject, type SimCluster } from "../../src/sim/index.js";
import { FIXTURES, startTestCluster } from "./helpers.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROJECT_CRD: Json = parse(readFileSync(path.join(packageRoot(), "crds", "podhealthreports.yaml"), "utf8"));
const WIDGETS_CRD: Json = parse(readFileSync(path.join(FIXTURES, "widgets.yaml"), "utf8"));
const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const SCHEMA = "spec.validation.openAPIV3Schema";

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details: { name: string; group: string; kind: string; causes: Array<{ reason: string; message: string; field: string }> };
}

let cluster: SimCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ crdDirs: [] });
});

afterAll(async () => {
  await cluster?.close();
});

async function send(method: "POST" | "PUT", url: string, body: unknown): Promise<{ code: number; body: Json; warning: string | null }> {
  const res = await fetch(`${cluster.url}${url}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { code: res.status, body: (await res.json()) as Json, warning: res.headers.get("warning") };
}

async function remove(name: string): Promise<void> {
  await fetch(`${cluster.url}${CRDS}/${name}`, { method: "DELETE" });
}

/** A copy of the project's CRD with `change` applied to it and to its (only) version's schema. */
function variant(change: (crd: Json, schema: Json) => void, base: Json = PROJECT_CRD): Json {
  const crd = structuredClone(base);
  change(crd, crd.spec.versions[0].schema.openAPIV3Schema);
  return crd;
}

const statusProps = (s: Json): Json => s.properties.status.properties;

describe("CRDs the real server accepts", () => {
  test.each([
    ["the project's CRD", PROJECT_CRD],
    ["the test fixture", WIDGETS_CRD],
    ["metadata restricting only name and generateName", variant((_c, s) => (s.properties.metadata = { type: "object", properties: { name: { type: "string", maxLength: 40 } } }))],
    ["an int-or-string field", variant((_c, s) => (statusProps(s).restarts = { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }))],
    ["a map list keyed by a required property", variant((_c, s) => Object.assign(statusProps(s).conditions, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] }, { items: { ...statusProps(s).conditions.items, required: ["type"] } }))],
    ["a default that validates", variant((_c, s) => (statusProps(s).restarts.default = 0))],
    ["additionalProperties: true beside properties", variant((_c, s) => (s.properties.spec.additionalProperties = true))],
  ])("%s is created", async (_name, crd) => {
    const created = await send("POST", CRDS, crd);
    expect([created.code, created.body.message]).toEqual([201, undefined]);
    await remove(crd.metadata.name);
  });

  test("validateCrd finds nothing in the project's CRD once defaulted", () => {
    const crd = structuredClone(PROJECT_CRD) as KubeObject;
    applyCrdDefaults(crd);
    crd.status = { storedVersions: ["v1alpha1"] };
    expect(validateCrd(crd).map(errorText)).toEqual([]);
    expect((crd.spec as Json).names.listKind).toBe("PodHealthReportList");
  });
});

/** One broken variant per rule: the cause the server reports for it (field, and its message). */
const BROKEN: Array<[string, Json, string, string]> = [
  // The issue: a real kube-apiserver v1.32 refused the project's CRD for this, and the sim accepted it.
  [
    "metadata with a description",
    variant((_c, s) => (s.properties.metadata = { type: "object", description: "Standard object metadata." })),
    `${SCHEMA}.properties[metadata]`,
    "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
  ],
  ["metadata restricting labels", variant((_c, s) => (s.properties.metadata = { type: "object", properties: { labels: { type: "object" } } })), `${SCHEMA}.properties[metadata]`, "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"],
  ["metadata of another type", variant((_c, s) => (s.properties.metadata = { type: "string" })), `${SCHEMA}.properties[metadata].type`, 'Invalid value: "string": must be object'],
  ["a field without a type", variant((_c, s) => (s.properties.spec.properties.podName = { description: "x" })), `${SCHEMA}.properties[spec].properties[podName].type`, "Required value: must not be empty for specified object fields"],
  ["array items without a type", variant((_c, s) => (statusProps(s).conditions.items = { description: "x" })), `${SCHEMA}.properties[status].properties[conditions].items.type`, "Required value: must not be empty for specified array items"],
  ["an array without items", variant((_c, s) => delete statusProps(s).conditions.items), `${SCHEMA}.properties[status].properties[conditions].items`, "Required value: must be specified"],
  ["an unknown type", variant((_c, s) => (statusProps(s).ready.type = "text")), `${SCHEMA}.properties[status].properties[ready].type`, 'Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string"'],
  ["type null", variant((_c, s) => (statusProps(s).ready.type = "null")), `${SCHEMA}.properties[status].properties[ready].type`, "Forbidden: type cannot be set to null, use nullable as an alternative"],
  ["a root that is no object", variant((c, s) => { delete c.spec.versions[0].subresources; s.type = "array"; s.items = { type: "string" }; }), `${SCHEMA}.type`, 'Invalid value: "array": must be object at the root'],
  ["additionalProperties beside properties", variant((_c, s) => (s.properties.spec.additionalProperties = { type: "string" })), `${SCHEMA}.properties[spec].additionalProperties`, "Forbidden: additionalProperties and properties are mutual exclusive"],
  ["additionalProperties at the root", variant((c, s) => { delete c.spec.versions[0].subresources; s.additionalProperties = false; }), `${SCHEMA}.additionalProperties`, "Forbidden: must not be used at the root"],
  ["a root field the status subresource does not allow", variant((_c, s) => (s.enum = [{}])), SCHEMA, "fields are allowed at the root of the schema if the status subresource is enabled"],
  ["nullable at the root", variant((c, s) => { delete c.spec.versions[0].subresources; s.nullable = true; }), `${SCHEMA}.nullable`, "Forbidden: nullable cannot be true at the root"],
  ["nullable inside allOf", variant((_c, s) => (statusProps(s).ready.allOf = [{ nullable: true }])), `${SCHEMA}.properties[status].properties[ready].allOf[0].nullable`, "Forbidden: must be false to be structural"],
  ["a type inside anyOf", variant((_c, s) => (statusProps(s).ready.anyOf = [{ type: "string", maxLength: 5 }])), `${SCHEMA}.properties[status].properties[ready].anyOf[0].type`, "Forbidden: must be empty to be structural"],
  ["a field only a value validation declares", variant((_c, s) => (s.allOf = [{ properties: { extra: { maxLength: 3 } } }])), `${SCHEMA}.properties[extra]`, `Required value: because it is defined in ${SCHEMA}.allOf[0].properties[extra]`],
  ["a nullable item of a set list", variant((_c, s) => (statusProps(s).probes = { type: "array", "x-kubernetes-list-type": "set", items: { type: "string", nullable: true } })), `${SCHEMA}.properties[status].properties[probes].items.nullable`, "Forbidden: cannot be nullable when x-kubernetes-list-type is set"],
  ["x-kubernetes-preserve-unknown-fields: false", variant((_c, s) => (s.properties.spec["x-kubernetes-preserve-unknown-fields"] = false)), `${SCHEMA}.properties[spec].x-kubernetes-preserve-unknown-fields`, "Invalid value: false: must be true or undefined"],
  ["int-or-string that also preserves unknown fields", variant((_c, s) => (statusProps(s).restarts = { "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true })), `${SCHEMA}.properties[status].properties[restarts].x-kubernetes-preserve-unknown-fields`, "Invalid value: true: must be false if x-kubernetes-int-or-string is true"],
  ["an embedded resource with neither properties nor preserved fields", variant((_c, s) => (statusProps(s).template = { type: "object", "x-kubernetes-embedded-resource": true })), `${SCHEMA}.properties[status].properties[template].properties`, "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"],
  ["an embedded resource that is no object", variant((_c, s) => (statusProps(s).template = { type: "string", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true })), `${SCHEMA}.properties[status].properties[template].type`, 'Invalid value: "string": must be object if x-kubernetes-embedded-resource is true'],
  ["a list type on a string", variant((_c, s) => (statusProps(s).ready["x-kubernetes-list-type"] = "atomic")), `${SCHEMA}.properties[status].properties[ready].type`, 'Invalid value: "string": must be array if x-kubernetes-list-type is specified'],
  ["an unknown list type", variant((_c, s) => (statusProps(s).conditions["x-kubernetes-list-type"] = "bag")), `${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-type`, 'Unsupported value: "bag": supported values: "atomic", "set", "map"'],
  ["a map list without keys", variant((_c, s) => (statusProps(s).conditions["x-kubernetes-list-type"] = "map")), `${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-map-keys`, "Required value: must not be empty if x-kubernetes-list-type is map"],
  ["a map list keyed by no property", variant((_c, s) => Object.assign(statusProps(s).conditions, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["kind"] })), `${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-map-keys`, 'Invalid value: ["kind"]: entries must all be names of item properties'],
  ["a map list key neither required nor defaulted", variant((_c, s) => Object.assign(statusProps(s).conditions, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] })), `${SCHEMA}.properties[status].properties[conditions].items.properties[type].default`, "Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"],
  ["a map type on an array", variant((_c, s) => (statusProps(s).conditions["x-kubernetes-map-type"] = "atomic")), `${SCHEMA}.properties[status].properties[conditions].type`, 'Invalid value: "array": must be object if x-kubernetes-map-type is specified'],
  ["an unknown map type", variant((_c, s) => (statusProps(s).crashLoop["x-kubernetes-map-type"] = "merge")), `${SCHEMA}.properties[status].properties[crashLoop].x-kubernetes-map-type`, 'Unsupported value: "merge": supported values: "atomic", "granular"'],
  ["an embedded resource inside metadata", variant((_c, s) => (s.properties.metadata = { type: "object", properties: { name: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true } } })), `${SCHEMA}.properties[metadata].properties[name].x-kubernetes-embedded-resource`, "Forbidden: must not be used inside of resource meta"],
  ["a default of the wrong type", variant((_c, s) => (statusProps(s).restarts.default = "three")), `${SCHEMA}.properties[status].properties[restarts].default`, 'must be of type integer: "string"'],
  ["a default outside its enum", variant((_c, s) => (statusProps(s).health.default = "Fine")), `${SCHEMA}.properties[status].properties[health].default`, 'Unsupported value: "Fine": supported values: "Healthy"'],
  ["a default with fields the schema prunes", variant((_c, s) => (statusProps(s).crashLoop.default = { count: 0, extra: 1 })), `${SCHEMA}.properties[status].properties[crashLoop].default`, 'Invalid value: {"count":0,"extra":1}: must not have unknown fields'],
  ["a default in top-level metadata", variant((_c, s) => (s.properties.metadata = { type: "object", properties: { name: { type: "string", default: "x" } } })), `${SCHEMA}.properties[metadata].properties[name].default`, "Forbidden: must not be set in top-level metadata"],
  ["uniqueItems", variant((_c, s) => (statusProps(s).conditions.uniqueItems = true)), `${SCHEMA}.properties[status].properties[conditions].uniqueItems`, "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"],
  ["a $ref", variant((_c, s) => (statusProps(s).ready.$ref = "#/definitions/x")), `${SCHEMA}.properties[status].properties[ready].$ref`, "Forbidden: $ref is not supported"],
  ["a pattern RE2 refuses", variant((_c, s) => (statusProps(s).ready.pattern = "^\\d+(?=/)")), `${SCHEMA}.properties[status].properties[ready].pattern`, "must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
  ["a printer column path without a leading dot", variant((c) => (c.spec.versions[0].additionalPrinterColumns[0].jsonPath = "status.status")), "spec.additionalPrinterColumns[0].JSONPath", 'Invalid value: "status.status": must be a simple json path starting with .'],
  ["a printer column without a path", variant((c) => delete c.spec.versions[0].additionalPrinterColumns[0].jsonPath), "spec.additionalPrinterColumns[0].JSONPath", "Required value"],
  ["a printer column of an unknown type", variant((c) => (c.spec.versions[0].additionalPrinterColumns[0].type = "text")), "spec.additionalPrinterColumns[0].type", 'Invalid value: "text": must be one of boolean,date,integer,number,string'],
  ["a printer column of an unknown format", variant((c) => (c.spec.versions[0].additionalPrinterColumns[0].format = "percent")), "spec.additionalPrinterColumns[0].format", 'Invalid value: "percent": must be one of byte,date,date-time,double,float,int32,int64,password'],
  ["a name that is not plural.group", variant((c) => (c.metadata.name = "reports.podhealth.io")), "metadata.name", 'Invalid value: "reports.podhealth.io": must be spec.names.plural+"."+spec.group'],
  ["a plural that is no DNS label", variant((c) => { c.spec.names.plural = "PodHealthReports"; c.metadata.name = "PodHealthReports.podhealth.io"; }), "spec.names.plural", 'Invalid value: "PodHealthReports": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character'],
  ["a kind that is its own listKind", variant((c) => (c.spec.names.listKind = "PodHealthReport")), "spec.names.listKind", 'Invalid value: "PodHealthReport": kind and listKind may not be the same'],
  ["a short name that is no DNS label", variant((c) => (c.spec.names.shortNames = ["p_h_r"])), "spec.names.shortNames[0]", 'Invalid value: "p_h_r": a DNS-1035 label'],
  ["a group without a dot", variant((c) => { c.spec.group = "podhealth"; c.metadata.name = "podhealthreports.podhealth"; }), "spec.group", 'Invalid value: "podhealth": should be a domain with at least one dot'],
  ["a protected group without approval", variant((c) => { c.spec.group = "podhealth.k8s.io"; c.metadata.name = "podhealthreports.podhealth.k8s.io"; }), "metadata.annotations[api-approved.kubernetes.io]", 'Required value: protected groups must have approval annotation "api-approved.kubernetes.io"'],
  ["an unknown scope", variant((c) => (c.spec.scope = "Global")), "spec.scope", 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
  ["no storage version", variant((c) => (c.spec.versions[0].storage = false)), "spec.versions", "must have exactly one version marked as storage version"],
  ["a version without a schema", variant((c) => delete c.spec.versions[0].schema), "spec.versions[0].schema.openAPIV3Schema", "Required value: schemas are required"],
  ["a version name that is no DNS label", variant((c) => (c.spec.versions[0].name = "V1")), "spec.versions[0].name", 'Invalid value: "V1": a DNS-1035 label'],
  ["a scale subresource path outside .spec", variant((c) => (c.spec.versions[0].subresources.scale = { specReplicasPath: ".status.restarts", statusReplicasPath: ".status.restarts" })), "spec.subresources.scale.specReplicasPath", 'Invalid value: ".status.restarts": should be a json path under .spec'],
  [
    "two versions with different schemas: errors name the version",
    variant((c) => {
      const second = structuredClone(c.spec.versions[0]);
      second.name = "v1alpha2";
      second.storage = false;
      second.schema.openAPIV3Schema.properties.metadata.description = "x";
      c.spec.versions.push(second);
    }),
    "spec.versions[1].schema.openAPIV3Schema.properties[metadata]",
    "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
  ],
];

describe("broken CRDs are refused with 422 Invalid, as a real server refuses them", () => {
  test.each(BROKEN)("%s", async (_name, crd, field, message) => {
    const { code, body } = await send("POST", CRDS, crd);
    const status = body as Status;
    expect([code, status.kind, status.reason]).toEqual([422, "Status", "Invalid"]);
    expect(status.details).toMatchObject({ name: crd.metadata.name, group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" });
    const cause = status.details.causes.find((c) => c.field === field && c.message.includes(message));
    expect({ field, message, causes: cause ? "found" : status.details.causes }).toEqual({ field, message, causes: "found" });
    expect(status.message).toContain(`CustomResourceDefinition.apiextensions.k8s.io ${JSON.stringify(crd.metadata.name)} is invalid: `);
    expect(status.message).toContain(`${field}: ${cause?.message}`);
  });

  test("every problem is one cause of one Status, and the message joins them in brackets", async () => {
    const crd = variant((c, s) => {
      s.properties.metadata.description = "Standard object metadata.";
      c.spec.versions[0].additionalPrinterColumns[0].jsonPath = "status.status";
    });
    const { code, body } = await send("POST", CRDS, crd);
    const status = body as Status;
    expect(code).toBe(422);
    expect(status.details.causes.map((c) => [c.reason, c.field])).toEqual([
      ["FieldValueForbidden", `${SCHEMA}.properties[metadata]`],
      ["FieldValueInvalid", "spec.additionalPrinterColumns[0].JSONPath"],
    ]);
    expect(status.message).toBe(
      `CustomResourceDefinition.apiextensions.k8s.io "podhealthreports.podhealth.io" is invalid: [${SCHEMA}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified, spec.additionalPrinterColumns[0].JSONPath: Invalid value: "status.status": must be a simple json path starting with .]`,
    );
  });

  test("an update is validated too, and the group and plural cannot change", async () => {
    const created = await send("POST", CRDS, PROJECT_CRD);
    expect(created.code).toBe(201);
    try {
      const broken = structuredClone(created.body);
      broken.spec.versions[0].schema.openAPIV3Schema.properties.metadata.description = "x";
      const update = await send("PUT", `${CRDS}/${PROJECT_CRD.metadata.name}`, broken);
      expect([update.code, (update.body as Status).details.causes.map((c) => c.field)]).toEqual([422, [`${SCHEMA}.properties[metadata]`]]);

      const moved = structuredClone(created.body);
      moved.spec.group = "podhealth.example.com";
      const refused = await send("PUT", `${CRDS}/${PROJECT_CRD.metadata.name}`, moved);
      expect((refused.body as Status).details.causes).toEqual(
        expect.arrayContaining([{ reason: "FieldValueInvalid", field: "spec.group", message: 'Invalid value: "podhealth.example.com": field is immutable' }]),
      );
    } finally {
      await remove(PROJECT_CRD.metadata.name);
    }
  });

  test("a CRD of the wrong shape is refused, never a crash: 400 when it does not decode, else 422", async () => {
    const shapes: Array<[unknown, number]> = [
      [{ versions: "v1" }, 400],
      [{ names: [], versions: [1, null] }, 400],
      ["spec", 400],
      [{ versions: [{ name: "v1", storage: true, schema: { openAPIV3Schema: { type: "object", properties: [] } } }] }, 400],
      [{}, 422],
      [{ versions: [null, {}] }, 422],
    ];
    for (const [spec, expected] of shapes) {
      const { code } = await send("POST", CRDS, { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "things.example.com" }, spec });
      expect([spec, code]).toEqual([spec, expected]);
    }
  });
});

// Decoding into the v1 types comes before validation: a misspelt keyword is an unknown field, which
// fieldValidation=Strict (what kubectl 1.32 asks for) refuses, and a value of the wrong type is always a 400.
describe("decoding a CRD", () => {
  const misspelt = variant((_c, s) => (statusProps(s).reason.nullabel = true));
  const unknownField = "spec.versions[0].schema.openAPIV3Schema.properties[status].properties[reason].nullabel";

  test("fieldValidation=Strict: an unknown field is a 400 that names it", async () => {
    const { code, body } = await send("POST", `${CRDS}?fieldValidation=Strict`, misspelt);
    expect([code, body.reason]).toEqual([400, "BadRequest"]);
    expect(body.message).toBe(`CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: strict decoding error: unknown field "${unknownField}"`);
  });

  test.each([
    ["no fieldValidation (Warn, the server's default)", "", `299 - "unknown field \\"${unknownField}\\""`],
    ["fieldValidation=Ignore", "?fieldValidation=Ignore", null],
  ])("%s: created, the unknown field dropped", async (_name, query, warning) => {
    const created = await send("POST", `${CRDS}${query}`, misspelt);
    try {
      expect([created.code, created.warning]).toEqual([201, warning]);
      expect(created.body.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.reason).not.toHaveProperty("nullabel");
    } finally {
      await remove(misspelt.metadata.name);
    }
  });

  test.each([
    ["a string where a boolean belongs", variant((_c, s) => (statusProps(s).reason.nullable = "yes")), "cannot unmarshal string into Go struct field"],
    ["a fraction where an integer belongs", variant((c) => (c.spec.versions[0].additionalPrinterColumns[0].priority = 1.5)), "cannot unmarshal number 1.5 into Go struct field"],
    ["a list of types", variant((_c, s) => (statusProps(s).reason.type = ["string", "null"])), "cannot unmarshal array into Go struct field"],
  ])("%s is a 400, whatever fieldValidation says", async (_name, crd, message) => {
    const { code, body } = await send("POST", `${CRDS}?fieldValidation=Ignore`, crd);
    expect([code, body.reason]).toEqual([400, "BadRequest"]);
    expect(body.message).toContain(message);
  });
});

describe("custom resources that fail their schema", () => {
  test("422 Invalid, named by kind.group as the server names it, every problem a cause", async () => {
    expect((await send("POST", CRDS, WIDGETS_CRD)).code).toBe(201);
    try {
      const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { color: "green", replicas: "two" } };
      const { code, body } = await send("POST", "/apis/example.com/v1/namespaces/default/widgets", widget);
      expect([code, body.reason, body.details.group, body.details.kind]).toEqual([422, "Invalid", "example.com", "Widget"]);
      expect(body.message).toMatch(/^Widget\.example\.com "w" is invalid: \[spec\.color: Unsupported value: "green": supported values: "red", "blue", spec\.replicas: Invalid value: "string": /);
      expect(body.details.causes.map((c: { field: string }) => c.field)).toEqual(["spec.color", "spec.replicas"]);
    } finally {
      await remove(WIDGETS_CRD.metadata.name);
    }
  });
});
