import { GradualError } from "@gradual/protocol";
import type { RouteHandler, Router } from "@gradual/sdk";

/** Most routes one task may register. */
const MAX_ROUTES = 256;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type RouteMethod = (typeof METHODS)[number];

type Segment = { readonly kind: "literal"; readonly value: string } | { readonly kind: "param"; readonly name: string };

type Route = { readonly method: RouteMethod; readonly pattern: string; readonly segments: readonly Segment[] };

export type RouteMatch = { readonly handler: RouteHandler; readonly params: Readonly<Record<string, string>> };

export type RouteTable = {
  /** Runs the task's `routes(router)`; registration is only possible during this call. */
  register(routes: (router: Router) => void): void;
  /** The handler for `method path` and its params, or undefined (the caller answers 404). */
  match(method: string, path: string): RouteMatch | undefined;
  readonly size: number;
};

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

function parsePattern(pattern: string): Segment[] {
  if (typeof pattern !== "string" || !pattern.startsWith("/")) {
    throw new TypeError(`route: expected a path starting with "/", got ${JSON.stringify(pattern)}`);
  }
  const names = new Set<string>();
  return splitPath(pattern).map((segment): Segment => {
    if (!segment.startsWith(":")) return { kind: "literal", value: segment };
    const name = segment.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`route ${pattern}: bad parameter name "${name}"`);
    if (names.has(name)) throw new TypeError(`route ${pattern}: parameter "${name}" appears twice`);
    names.add(name);
    return { kind: "param", name };
  });
}

/** Two patterns with the same shape (params in the same places) would shadow each other. */
function shapeOf(method: RouteMethod, segments: readonly Segment[]): string {
  return `${method} /${segments.map((segment) => (segment.kind === "param" ? ":" : `=${segment.value}`)).join("/")}`;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] as string;
    if (segment.kind === "literal") {
      if (segment.value !== part) return undefined;
      continue;
    }
    try {
      params[segment.name] = decodeURIComponent(part);
    } catch {
      return undefined; // malformed percent-encoding cannot match any route
    }
  }
  return params;
}

/**
 * The task's HTTP routes: `METHOD /literal/:param` patterns registered once by `routes(router)`, matched segment by
 * segment (empty segments ignored, so a trailing slash does not matter). The first registered match wins.
 */
export function createRouteTable(): RouteTable {
  const routes: { route: Route; handler: RouteHandler }[] = [];
  let open = false;
  const add = (method: RouteMethod, pattern: string, handler: RouteHandler): void => {
    if (!open) {
      throw new GradualError("NODE__BAD_ROUTE", {
        message: `route ${method} ${pattern}: routes can only be registered while routes(router) runs`,
      });
    }
    if (typeof handler !== "function") throw new TypeError(`route ${method} ${pattern}: handler must be a function`);
    if (routes.length >= MAX_ROUTES) throw new RangeError(`route ${method} ${pattern}: more than ${MAX_ROUTES} routes`);
    const segments = parsePattern(pattern);
    const shape = shapeOf(method, segments);
    const clash = routes.find(({ route }) => shapeOf(route.method, route.segments) === shape);
    if (clash) {
      throw new GradualError("NODE__BAD_ROUTE", {
        message: `route ${method} ${pattern}: clashes with ${clash.route.method} ${clash.route.pattern}`,
      });
    }
    routes.push({ route: { method, pattern, segments }, handler });
  };
  const router: Router = {
    get: (pattern, handler) => add("GET", pattern, handler),
    post: (pattern, handler) => add("POST", pattern, handler),
    put: (pattern, handler) => add("PUT", pattern, handler),
    patch: (pattern, handler) => add("PATCH", pattern, handler),
    delete: (pattern, handler) => add("DELETE", pattern, handler),
    options: (pattern, handler) => add("OPTIONS", pattern, handler),
  };
  return {
    register(define) {
      open = true;
      try {
        define(router);
      } finally {
        open = false;
      }
    },
    match(method, path) {
      // HEAD is answered by the GET route (the node drops the body).
      const upper = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
      const parts = splitPath(path);
      for (const { route, handler } of routes) {
        if (route.method !== upper) continue;
        const params = matchSegments(route.segments, parts);
        if (params) return { handler, params };
      }
      return undefined;
    },
    get size() {
      return routes.length;
    },
  };
}
