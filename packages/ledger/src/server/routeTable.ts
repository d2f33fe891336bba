import { errorBody, type JsonSchema, type RouteWire } from "@gradual/wire";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export type ResponseDoc = {
  readonly description: string;
  /** For a status the wire route does not declare (the API's pages): its JSON body schema, or its content type. */
  readonly schema?: JsonSchema;
  readonly contentType?: string;
};

export type RouteDefinition = {
  /** The route's wire definition (@gradual/wire ROUTES): method, URL, parameters, body and replies. */
  readonly route: RouteWire;
  readonly summary: string;
  readonly tag: string;
  /** Validate the body against the route's schema before the handler runs; otherwise the handler checks it. */
  readonly validateBody?: boolean;
  readonly bodyLimit?: number;
  readonly adminOnly?: boolean;
  /** Runs before parsing and validation (so an unauthenticated request is refused before its body is read). */
  readonly authorize?: (request: FastifyRequest) => void;
  /**
   * Every status the route answers, in words. The JSON schema of a success comes from the wire route's reply
   * decoder; an error status (400 and up) answers the error body unless the wire route declares it.
   */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  // biome-ignore lint/suspicious/noExplicitAny: handlers read params and bodies already validated by fastify
  readonly handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>;
};

/** The JSON schema of one documented status: the wire route's reply, else the error body for an error status. */
function responseSchema(definition: RouteDefinition, status: number): JsonSchema | undefined {
  const reply = definition.route.replies[status];
  if (reply !== undefined) return reply.schema;
  const documented = definition.responses[status];
  if (documented?.schema !== undefined) return documented.schema;
  if (status >= 400 && documented?.contentType === undefined) return errorBody.schema;
  return undefined;
}

/**
 * Registers routes with fastify and remembers them for the OpenAPI document, so that the document is generated
 * from the same definitions that serve requests and cannot drift from them. Requests are validated by fastify
 * with the JSON Schema the wire route's decoders emit.
 */
export class RouteTable {
  readonly #app: FastifyInstance;
  readonly #routes: RouteDefinition[] = [];

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  get routes(): readonly RouteDefinition[] {
    return this.#routes;
  }

  add(definition: RouteDefinition): void {
    const { route } = definition;
    for (const status of Object.keys(route.replies)) {
      if (definition.responses[Number(status)] === undefined) {
        throw new TypeError(`${route.method} ${route.url}: reply ${status} of the wire route is not documented`);
      }
    }
    this.#routes.push(definition);
    const schema: Record<string, JsonSchema> = {};
    if (route.params !== undefined) schema.params = route.params.schema;
    if (route.query !== undefined) schema.querystring = route.query.schema;
    if (definition.validateBody === true && route.body !== undefined) schema.body = route.body.schema;
    this.#app.route({
      method: route.method,
      url: route.url,
      schema,
      ...(definition.bodyLimit === undefined ? {} : { bodyLimit: definition.bodyLimit }),
      ...(definition.authorize === undefined
        ? {}
        : {
            onRequest: async (request: FastifyRequest) => {
              definition.authorize?.(request);
            },
          }),
      handler: definition.handler,
    });
  }
}

const OPEN_API_PATH_PARAM = /:([A-Za-z0-9_]+)/g;

function plain(schema: JsonSchema): unknown {
  // A copy, so that no route shares objects with the document.
  return JSON.parse(JSON.stringify(schema));
}

function parameters(where: "path" | "query", schema: JsonSchema | undefined): unknown[] {
  if (schema === undefined) return [];
  const required = new Set((schema.required as readonly string[] | undefined) ?? []);
  return Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: plain(property),
  }));
}

/** An OpenAPI 3.1 document for the routes of a table. */
export function buildOpenApiDocument(
  routes: readonly RouteDefinition[],
  info: { readonly title: string; readonly version: string; readonly description: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const definition of routes) {
    const { route } = definition;
    const path = route.url.replace(OPEN_API_PATH_PARAM, "{$1}");
    const operation: Record<string, unknown> = {
      summary: definition.summary,
      tags: [definition.tag],
      parameters: [...parameters("path", route.params?.schema), ...parameters("query", route.query?.schema)],
      responses: Object.fromEntries(
        Object.entries(definition.responses).map(([status, response]) => {
          const schema = responseSchema(definition, Number(status));
          const { contentType } = response;
          return [
            status,
            {
              description: response.description,
              ...(schema === undefined && contentType === undefined
                ? {}
                : {
                    content: {
                      [contentType ?? "application/json"]: schema === undefined ? {} : { schema: plain(schema) },
                    },
                  }),
            },
          ];
        }),
      ),
    };
    if (route.body !== undefined || route.bodyContentType !== undefined) {
      operation.requestBody = {
        required: true,
        content: {
          [route.bodyContentType ?? "application/json"]:
            route.body === undefined ? {} : { schema: plain(route.body.schema) },
        },
      };
    }
    if (definition.adminOnly) operation.security = [{ adminToken: [] }];
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
  };
}
