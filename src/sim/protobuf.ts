// Protobuf request bodies, as kubectl's typed clients send them (`kubectl create namespace|configmap|secret|
// serviceaccount`): the `k8s\0` envelope around a runtime.Unknown (apimachinery 1.32
// pkg/runtime/serializer/protobuf/protobuf.go), whose raw bytes are the kind's message. The message is decoded
// to the JSON the same object has, field by field from a table per kind (protobuf-kinds.ts); the wire format is
// read with @bufbuild/protobuf. Unknown fields are skipped, malformed input is a 400, kinds without a table a 415.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { ApiError, badRequest } from "./errors.js";
import { messageFor, PROTOBUF_KINDS, type FieldSpec, type MessageSpec } from "./protobuf-kinds.js";

/** The magic prefix of every Kubernetes protobuf body: "k8s" and a zero byte. */
const PREFIX = [0x6b, 0x38, 0x73, 0x00];
/** Nesting deeper than any of the decoded kinds has is malformed input, not a reason to recurse on. */
const MAX_DEPTH = 32;

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** runtime.Unknown (apimachinery pkg/runtime/generated.proto): typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2. */
const UNKNOWN: MessageSpec = {
  1: { name: "typeMeta", type: "message", message: { 1: { name: "apiVersion", type: "string" }, 2: { name: "kind", type: "string" } } },
  2: { name: "raw", type: "raw" },
  3: { name: "contentEncoding", type: "string" },
  4: { name: "contentType", type: "string" },
};

class Malformed extends Error {}

const WIRE_TYPES: Record<FieldSpec["type"], WireType> = {
  string: WireType.LengthDelimited,
  bytes: WireType.LengthDelimited,
  raw: WireType.LengthDelimited,
  map: WireType.LengthDelimited,
  message: WireType.LengthDelimited,
  time: WireType.LengthDelimited,
  bool: WireType.Varint,
  int64: WireType.Varint,
  int32: WireType.Varint,
};

function int(value: bigint | string | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Malformed(`integer out of range: ${String(value)}`);
  return n;
}

/** metav1.Time: seconds and nanos since the epoch, shown in JSON as RFC 3339 at second precision. */
function time(bytes: Uint8Array): string | undefined {
  const t = decode(bytes, { 1: { name: "seconds", type: "int64" }, 2: { name: "nanos", type: "int32" } }, 0);
  const seconds = typeof t.seconds === "number" ? t.seconds : 0;
  return seconds === 0 && !t.nanos ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One map entry: key = 1, value = 2, both strings or the value bytes. */
function mapEntry(bytes: Uint8Array, value: "string" | "bytes"): [string, string] {
  const e = decode(bytes, { 1: { name: "key", type: "string", presence: true }, 2: { name: "value", type: value, presence: true } }, 0);
  return [typeof e.key === "string" ? e.key : "", typeof e.value === "string" ? e.value : ""];
}

function readValue(reader: BinaryReader, spec: FieldSpec, depth: number): unknown {
  switch (spec.type) {
    case "string":
      return reader.string();
    case "bool":
      return reader.bool();
    case "int64":
      return int(reader.int64());
    case "int32":
      return reader.int32();
    case "bytes":
      return Buffer.from(reader.bytes()).toString("base64");
    case "raw":
      return reader.bytes();
    case "time":
      return time(reader.bytes());
    case "map":
      return mapEntry(reader.bytes(), spec.value);
    case "message":
      return decode(reader.bytes(), spec.message, depth + 1);
  }
}

/** A zero value of a field that is not a pointer in Go is how gogo-protobuf writes "unset": JSON leaves it out. */
function isUnset(spec: FieldSpec, value: unknown): boolean {
  if (value === undefined) return true;
  if (spec.type === "message" || spec.type === "map" || spec.type === "raw" || spec.repeated || spec.presence) return false;
  return value === "" || value === false || value === 0;
}

function decode(bytes: Uint8Array, message: MessageSpec, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new Malformed("message nested too deeply");
  const reader = new BinaryReader(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    const spec = message[field];
    if (spec === undefined) {
      reader.skip(wireType, field);
      continue;
    }
    if (wireType !== WIRE_TYPES[spec.type]) throw new Malformed(`wrong wireType = ${wireType} for field ${spec.name}`);
    const value = readValue(reader, spec, depth);
    if (spec.type === "map") {
      const [k, v] = value as [string, string];
      out[spec.name] = { ...((out[spec.name] as object | undefined) ?? {}), [k]: v };
    } else if (spec.repeated) {
      out[spec.name] = [...((out[spec.name] as unknown[] | undefined) ?? []), value];
    } else if (isUnset(spec, value)) {
      delete out[spec.name];
    } else out[spec.name] = value;
  }
  return out;
}

/**
 * The JSON object a protobuf request body stands for, with the apiVersion and kind its envelope names. Throws 400
 * for input that is not a well-formed Kubernetes protobuf message, 415 for a kind this server cannot decode.
 */
export function decodeProtobufBody(data: Uint8Array): Record<string, unknown> {
  if (data.length === 0) throw badRequest("empty data");
  if (data.length < PREFIX.length || PREFIX.some((b, i) => data[i] !== b)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${PREFIX.join(" ")}]`);
  }
  if (data.length === PREFIX.length) throw badRequest("empty body");
  try {
    const unknown = decode(data.subarray(PREFIX.length), UNKNOWN, 0);
    const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const apiVersion = typeMeta.apiVersion ?? "";
    const kind = typeMeta.kind ?? "";
    if (!kind) throw badRequest("Object 'Kind' is missing in the protobuf body");
    const message = messageFor(apiVersion, kind);
    if (message === undefined) {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the simulated API server decodes protobuf request bodies only for ${PROTOBUF_KINDS}, not ${apiVersion} ${kind}: send it as JSON (kubectl create -f, kubectl apply)`,
      );
    }
    const raw = unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array();
    return { apiVersion, kind, ...decode(raw, message, 0) };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(`the protobuf request body is malformed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
