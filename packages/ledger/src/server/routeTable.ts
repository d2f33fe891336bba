import type { TObject, TSchema } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export type ResponseDoc = {
  readonly description: string;
  /** JSON body schema; omit for non-JSON bodies (then give contentType). */
  readonly schema?: TSchema;
  readonly contentType?: string;
};

export type RouteDefinition = {
  readonly method: "GET" | "POST" | "DELETE";
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: TObject;
  readonly querystring?: TObject;
  /** Validated by fastify before the handler runs. */
  readonly body?: TSchema;
  /** Documented only: the handler checks the body itself (transactions are checked by the edge). */
  readonly documentedBody?: { readonly schema?: TSchema; readonly contentType: string };
  readonly bodyLimit?: number;
  readonly adminOnly?: boolean;
  /** Runs before parsing and validation (so an unauthenticated request is refused before its body is read). */
  readonly authorize?: (request: FastifyRequest) => void;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  // biome-ignore lint/suspicious/noExplicitAny: handlers read params and bodies already validated by fastify
  readonly handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>;
};

/**
 * Registers routes with fastify and remembers them for the OpenAPI document, so that the document is generated
 * from the same definitions that serve requests and cannot drift from them.
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
    this.#routes.push(definition);
    const schema: Record<string, TSchema> = {};
    if (definition.params !== undefined) schema.params = definition.params;
    if (definition.querystring !== undefined) schema.querystring = definition.querystring;
    if (definition.body !== undefined) schema.body = definition.body;
    this.#app.route({
      method: definition.method,
      url: definition.url,
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

function plain(schema: TSchema): unknown {
  // TypeBox schemas carry symbol keys; a JSON round trip leaves the JSON Schema.
  return JSON.parse(JSON.stringify(schema));
}

function parameters(where: "path" | "query", schema: TObject | undefined): unknown[] {
  if (schema === undefined) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
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
  for (const route of routes) {
    const path = route.url.replace(OPEN_API_PATH_PARAM, "{$1}");
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters("path", route.params), ...parameters("query", route.querystring)],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema === undefined && response.contentType === undefined
              ? {}
              : {
                  content: {
                    [response.contentType ?? "application/json"]:
                      response.schema === undefined ? {} : { schema: plain(response.schema) },
                  },
                }),
          },
        ]),
      ),
    };
    const body = route.body ?? route.documentedBody?.schema;
    if (body !== undefined || route.documentedBody !== undefined) {
      operation.requestBody = {
        required: true,
        content: {
          [route.documentedBody?.contentType ?? "application/json"]: body === undefined ? {} : { schema: plain(body) },
        },
      };
    }
    if (route.adminOnly) operation.security = [{ adminToken: [] }];
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
  };
}
