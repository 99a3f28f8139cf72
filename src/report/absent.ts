// Optional fields without a value are left out of a report, as the API conventions ask: the builder collects the
// optional fields of each object here, and whatever is null or undefined does not make it into the object.

/** `fields` without the entries whose value is null or undefined, typed as optional fields. */
export function withoutAbsent<T extends object>(fields: T): { [K in keyof T]?: NonNullable<T[K]> } {
  const out: { [K in keyof T]?: NonNullable<T[K]> } = {};
  for (const key of Object.keys(fields) as Array<keyof T>) {
    const value = fields[key];
    if (value !== null && value !== undefined) out[key] = value as NonNullable<T[keyof T]>;
  }
  return out;
}
