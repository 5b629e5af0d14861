/**
 * `definedOnly` drops the `undefined` members of an object, so an optional
 * field is absent rather than present-and-undefined: what JSON documents (the
 * IR) and options typed with `exactOptionalPropertyTypes` expect. It builds a
 * new object instead of deleting: `delete` turns an object into a slow
 * dictionary that is larger to keep and slower to serialise.
 */
export type DefinedOnly<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

export function definedOnly<T extends object>(value: T): DefinedOnly<T> {
  const out: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out as DefinedOnly<T>;
}
