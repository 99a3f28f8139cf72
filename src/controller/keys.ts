// namespace/name keys, the unit of work of the queue and of the caches.

export function keyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ""}/${name ?? ""}`;
}

export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return keyOf(obj.metadata?.namespace, obj.metadata?.name);
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
