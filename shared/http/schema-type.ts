/**
 * `SchemaType<S, C>`: the TypeScript type of the values a JSON Schema accepts,
 * read at compile time off the schema's literal type, for the subset the API
 * schemas use (`type`, `properties` + `required`, `additionalProperties`,
 * `items`, `enum`, `const`, and `$ref` into the components `C`). The request
 * validators, the OpenAPI document and the typed client all come from the
 * same schema objects; this is how the client's types do.
 */
type Primitive<T> = T extends 'string' ? string : T extends 'number' | 'integer' ? number : T extends 'boolean' ? boolean : T extends 'null' ? null : unknown;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type ObjectType<P, R extends PropertyKey, C> = Flatten<
  { -readonly [K in keyof P as K extends R ? K : never]: SchemaType<P[K], C> } & { -readonly [K in keyof P as K extends R ? never : K]?: SchemaType<P[K], C> }
>;

export type SchemaType<S, C = Record<never, never>> = S extends { $ref: `#/components/schemas/${infer Id}` }
  ? Id extends keyof C
    ? SchemaType<C[Id], C>
    : unknown
  : S extends { const: infer V }
    ? V
    : S extends { enum: readonly (infer E)[] }
      ? E
      : S extends { type: 'object'; properties: infer P }
        ? ObjectType<P, S extends { required?: readonly (infer R extends PropertyKey)[] } ? R : never, C>
        : S extends { type: 'object'; additionalProperties: infer V }
          ? Record<string, SchemaType<V, C>>
          : S extends { type: 'array'; items: infer I }
            ? SchemaType<I, C>[]
            : S extends { type: readonly (infer T)[] }
              ? Primitive<T>
              : S extends { type: infer T }
                ? Primitive<T>
                : unknown;
