import { malformed, type WireError } from "./errors.ts";

/**
 * Decoder combinators: each wire shape is written once as a decoder, from which its TypeScript type is inferred
 * (`Infer<typeof x>`) and its JSON Schema emitted (`x.schema`, for fastify's request validation and the OpenAPI
 * document). A decoder checks a value read from the wire and returns a fresh copy holding only the fields it
 * declares; it throws a {@link WireError} `WIRE__MALFORMED` naming the first field that does not fit.
 *
 * Every field is read as an own property (`Object.hasOwn`), so a name of `Object.prototype` (`constructor`,
 * `toString`, `__proto__`) never passes for a field that is absent, and every copy is made with own data
 * properties, so a `"__proto__"` key read from JSON never becomes an object's prototype. Unknown fields are
 * dropped (replies may grow), unless an object is declared `closed` (requests: an unknown field is an error).
 *
 * Small on purpose: a node process imports the ledger client, and a general schema library costs megabytes.
 */

export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Decoder<T> {
  /** Checks `value` and returns it as `T`; throws WireError WIRE__MALFORMED. `path` names the value in messages. */
  decode(value: unknown, path?: string): T;
  /** The accepted values as JSON Schema (draft 2020-12 / OpenAPI 3.1). */
  readonly schema: JsonSchema;
  /** What the decoder expects, in words, for error messages ("64 lowercase hex characters"). */
  readonly expected: string;
}

/** A field that may be absent (never `undefined` when present). */
export interface OptionalDecoder<T> extends Decoder<T> {
  readonly optional: true;
}

export type Infer<D> = D extends Decoder<infer T> ? T : never;

type Documented = { readonly description?: string };

function docs(options: Documented): JsonSchema {
  return options.description === undefined ? {} : { description: options.description };
}

/** Defines an own data property: a key such as "__proto__" stays a plain key and never sets a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const field = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/** A decoder from a check function; the building block of the others and of special cases (transactions). */
export function custom<T>(
  expected: string,
  schema: JsonSchema,
  decode: (value: unknown, path: string) => T,
): Decoder<T> {
  return { expected, schema, decode: (value, path = "") => decode(value, path) };
}

// ------------------------------------------------------------------------------------------------------------------
// Scalars

export type StringOptions = Documented & {
  /** A regular expression the whole string must match (anchor it). */
  readonly pattern?: string;
  readonly maxLength?: number;
  /** Words for error messages; defaults to the description or "a string". */
  readonly expected?: string;
};

export function string(options: StringOptions = {}): Decoder<string> {
  const pattern = options.pattern === undefined ? undefined : new RegExp(options.pattern);
  const expected = options.expected ?? options.description ?? "a string";
  const schema: JsonSchema = {
    ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    ...docs(options),
    type: "string",
  };
  return custom(expected, schema, (value, path) => {
    if (
      typeof value !== "string" ||
      (pattern !== undefined && !pattern.test(value)) ||
      (options.maxLength !== undefined && value.length > options.maxLength)
    ) {
      throw malformed(path, expected, value);
    }
    return value;
  });
}

export type IntegerOptions = Documented & {
  readonly minimum?: number;
  readonly maximum?: number;
  /** Documented and applied by fastify to absent query parameters; the decoder itself never invents a value. */
  readonly default?: number;
};

export function integer(options: IntegerOptions = {}): Decoder<number> {
  const { minimum, maximum } = options;
  const range =
    minimum !== undefined && maximum !== undefined
      ? ` in [${minimum}, ${maximum}]`
      : minimum === 0
        ? " ≥ 0"
        : minimum !== undefined
          ? ` ≥ ${minimum}`
          : maximum !== undefined
            ? ` ≤ ${maximum}`
            : "";
  const expected = minimum === 0 && maximum === undefined ? "a non-negative integer" : `an integer${range}`;
  const schema: JsonSchema = {
    ...(minimum === undefined ? {} : { minimum }),
    ...(maximum === undefined ? {} : { maximum }),
    ...(options.default === undefined ? {} : { default: options.default }),
    ...docs(options),
    type: "integer",
  };
  return custom(expected, schema, (value, path) => {
    if (
      typeof value !== "number" ||
      !Number.isSafeInteger(value) ||
      (minimum !== undefined && value < minimum) ||
      (maximum !== undefined && value > maximum)
    ) {
      throw malformed(path, expected, value);
    }
    return value;
  });
}

/** A finite number (a wall-clock time in milliseconds). */
export function number(options: Documented = {}): Decoder<number> {
  return custom("a finite number", { ...docs(options), type: "number" }, (value, path) => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(path, "a finite number", value);
    return value;
  });
}

export function boolean(options: Documented = {}): Decoder<boolean> {
  return custom("true or false", { ...docs(options), type: "boolean" }, (value, path) => {
    if (typeof value !== "boolean") throw malformed(path, "true or false", value);
    return value;
  });
}

/** Exactly one value. */
export function literal<const T extends string | number | boolean>(
  expectedValue: T,
  options: Documented = {},
): Decoder<T> {
  const expected = JSON.stringify(expectedValue);
  const schema: JsonSchema = { const: expectedValue, ...docs(options), type: typeof expectedValue };
  return custom(expected, schema, (value, path) => {
    if (value !== expectedValue) throw malformed(path, expected, value);
    return expectedValue;
  });
}

/** One of a few strings (a status, a kind). */
export function oneOf<const T extends string>(values: readonly T[], options: Documented = {}): Decoder<T> {
  const expected = `one of ${values.map((value) => JSON.stringify(value)).join(", ")}`;
  const allowed: ReadonlySet<string> = new Set(values);
  return custom(expected, { enum: [...values], ...docs(options), type: "string" }, (value, path) => {
    if (typeof value !== "string" || !allowed.has(value)) throw malformed(path, expected, value);
    return value as T;
  });
}

/** Any JSON value, as it came (an error's context, a node's health). */
export function unknown(options: Documented = {}): Decoder<unknown> {
  return custom("any value", docs(options), (value) => value);
}

// ------------------------------------------------------------------------------------------------------------------
// Combinators

export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  const expected = `${inner.expected} or null`;
  return custom(expected, { anyOf: [inner.schema, { type: "null" }] }, (value, path) =>
    value === null ? null : inner.decode(value, path),
  );
}

/** Marks an object's field as one that may be absent. */
export function optional<T>(inner: Decoder<T>): OptionalDecoder<T> {
  return { ...inner, optional: true };
}

export type ArrayOptions = Documented & { readonly maxItems?: number };

export function array<T>(item: Decoder<T>, options: ArrayOptions = {}): Decoder<readonly T[]> {
  const expected = `an array${options.maxItems === undefined ? "" : ` of at most ${options.maxItems} items`}`;
  const schema: JsonSchema = {
    ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
    ...docs(options),
    type: "array",
    items: item.schema,
  };
  return custom(expected, schema, (value, path) => {
    if (!Array.isArray(value) || (options.maxItems !== undefined && value.length > options.maxItems)) {
      throw malformed(path, expected, value);
    }
    return value.map((inner, index) => item.decode(inner, `${path}[${index}]`));
  });
}

type TupleOf<D extends readonly Decoder<unknown>[]> = { readonly [K in keyof D]: Infer<D[K]> };

export function tuple<const D extends readonly Decoder<unknown>[]>(...items: D): Decoder<TupleOf<D>> {
  const expected = `an array of ${items.length} items`;
  const schema: JsonSchema = {
    type: "array",
    prefixItems: items.map((item) => item.schema),
    minItems: items.length,
    maxItems: items.length,
  };
  return custom(expected, schema, (value, path) => {
    if (!Array.isArray(value) || value.length !== items.length) throw malformed(path, expected, value);
    return items.map((item, index) => item.decode(value[index], `${path}[${index}]`)) as unknown as TupleOf<D>;
  });
}

/** An object whose keys are data (task parameters, an error's context): every key copied as an own property. */
export function record<T>(inner: Decoder<T>, options: Documented = {}): Decoder<Readonly<Record<string, T>>> {
  const schema: JsonSchema = { ...docs(options), type: "object", patternProperties: { "^(.*)$": inner.schema } };
  return custom("an object", schema, (value, path) => {
    if (!isRecord(value)) throw malformed(path, "an object", value);
    const out: Record<string, T> = {};
    for (const key of Object.keys(value)) setOwn(out, key, inner.decode(value[key], field(path, key)));
    return out;
  });
}

type Shape = { readonly [key: string]: Decoder<unknown> };
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalDecoder<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalDecoder<unknown> ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<
  { readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export interface ObjectDecoder<S extends Shape> extends Decoder<ObjectOf<S>> {
  /** The fields, to build larger objects from (`object({ ...page.shape, trigger })`). */
  readonly shape: S;
}

export type ObjectOptions = Documented & {
  /** Refuse unknown fields (request bodies); replies ignore them. */
  readonly closed?: boolean;
  /** JSON Schema `$id` (the error body's). */
  readonly id?: string;
};

export function object<const S extends Shape>(shape: S, options: ObjectOptions = {}): ObjectDecoder<S> {
  const entries = Object.entries(shape);
  const required = entries.filter(([, decoder]) => !(decoder as Partial<OptionalDecoder<unknown>>).optional);
  const schema: JsonSchema = {
    ...(options.id === undefined ? {} : { $id: options.id }),
    ...docs(options),
    type: "object",
    ...(required.length === 0 ? {} : { required: required.map(([key]) => key) }),
    properties: Object.fromEntries(entries.map(([key, decoder]) => [key, decoder.schema])),
    ...(options.closed === true ? { additionalProperties: false } : {}),
  };
  const decode = (value: unknown, path: string): ObjectOf<S> => {
    if (!isRecord(value)) throw malformed(path, "an object", value);
    if (options.closed === true) {
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) throw malformed(field(path, key), "no such field", value[key]);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, decoder] of entries) {
      if (Object.hasOwn(value, key)) setOwn(out, key, decoder.decode(value[key], field(path, key)));
      else if (!(decoder as Partial<OptionalDecoder<unknown>>).optional) {
        throw malformed(field(path, key), decoder.expected, undefined);
      }
    }
    return out as ObjectOf<S>;
  };
  return { shape, schema, expected: "an object", decode: (value, path = "") => decode(value, path) };
}

/**
 * The first member that accepts the value. When none does, the error is the one of the member that got furthest
 * (the deepest field path): usually the member the value meant to be.
 */
export function union<const D extends readonly Decoder<unknown>[]>(...members: D): Decoder<Infer<D[number]>> {
  const expected = members.map((member) => member.expected).join(" or ");
  return custom(expected, { anyOf: members.map((member) => member.schema) }, (value, path) => {
    let best: WireError | undefined;
    for (const member of members) {
      try {
        return member.decode(value, path) as Infer<D[number]>;
      } catch (error) {
        const problem = error as WireError;
        const depth = String(problem.context?.path ?? "").length;
        if (best === undefined || depth > String(best.context.path ?? "").length) best = problem;
      }
    }
    throw best ?? malformed(path, expected, value);
  });
}

/**
 * A union told apart by one string field (`type` of an event, `status` of a transaction): the field picks the
 * member, so an error names the member's own field rather than a guess.
 */
export function tagged<const K extends string, const M extends { readonly [tag: string]: ObjectDecoder<Shape> }>(
  key: K,
  members: M,
  options: Documented = {},
): Decoder<Infer<M[keyof M]>> {
  const tags = Object.keys(members);
  const expected = `an object whose ${key} is one of ${tags.join(", ")}`;
  const schema: JsonSchema = { ...docs(options), anyOf: Object.values(members).map((member) => member.schema) };
  return custom(expected, schema, (value, path) => {
    if (!isRecord(value)) throw malformed(path, "an object", value);
    const tag = Object.hasOwn(value, key) ? value[key] : undefined;
    if (typeof tag !== "string" || !Object.hasOwn(members, tag)) {
      throw malformed(field(path, key), `one of ${tags.join(", ")}`, tag);
    }
    return (members[tag] as ObjectDecoder<Shape>).decode(value, path) as Infer<M[keyof M]>;
  });
}
