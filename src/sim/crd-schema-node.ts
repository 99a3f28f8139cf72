// Reading an openAPIV3Schema node of a CRD as it was sent: any JSON at all, so every accessor checks the shape
// and treats a value of the wrong JSON type as absent (the rules that need a shape say so themselves).
// Property maps are walked in sorted key order, so that errors come in a stable order (Go walks its maps
// in random order).

export type SchemaNode = Record<string, unknown>;

export function isNode(value: unknown): value is SchemaNode {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function text(node: SchemaNode, key: string): string {
  const v = node[key];
  return typeof v === "string" ? v : "";
}

export function flag(node: SchemaNode, key: string): boolean {
  return node[key] === true;
}

/** Whether a key is set to something other than null: JSON null decodes to Go's nil (unset). */
export function has(node: SchemaNode, key: string): boolean {
  return node[key] !== undefined && node[key] !== null;
}

export function child(node: SchemaNode, key: string): SchemaNode | undefined {
  const v = node[key];
  return isNode(v) ? v : undefined;
}

/** `properties` in sorted order; an empty map is the same as none (NewStructural drops it). */
export function properties(node: SchemaNode): Array<[string, SchemaNode]> {
  const props = child(node, "properties");
  if (!props) return [];
  return Object.keys(props)
    .sort()
    .flatMap((k) => (isNode(props[k]) ? [[k, props[k] as SchemaNode] as [string, SchemaNode]] : []));
}

export function property(node: SchemaNode, key: string): SchemaNode | undefined {
  const props = child(node, "properties");
  return props && isNode(props[key]) ? props[key] : undefined;
}

/** `items` when it is one schema; an array of schemas is handled (and refused) by the rules themselves. */
export function itemsSchema(node: SchemaNode): SchemaNode | undefined {
  return child(node, "items");
}

export function itemsArray(node: SchemaNode): SchemaNode[] {
  const v = node.items;
  return Array.isArray(v) ? v.map((item) => (isNode(item) ? item : {})) : [];
}

/** `additionalProperties` when it is a schema (it may also be a boolean). */
export function additionalSchema(node: SchemaNode): SchemaNode | undefined {
  return child(node, "additionalProperties");
}

/** A list of objects; an entry that is no object (null decodes to Go's zero value) reads as an empty one. */
export function list(node: SchemaNode, key: string): SchemaNode[] {
  const v = node[key];
  return Array.isArray(v) ? v.map((item) => (isNode(item) ? item : {})) : [];
}

export function strings(node: SchemaNode, key: string): string[] {
  const v = node[key];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}
