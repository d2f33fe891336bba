import { getChain, getNodeView, getReveal, getTask, roundOf } from "@gradual/protocol";
import Fastify, { type FastifyInstance } from "fastify";
import type { TaskNode } from "./taskNode.ts";

/**
 * The node's HTTP face: `/health`, `/metrics`, `/proofs/{digest}` (only once this node's reveal of that proof is
 * on the ledger, protocol.md §4.2, so nobody can copy it in time), and the task's routes under `/tasks/{taskId}/`.
 */
export function createNodeServer(node: TaskNode): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  app.get("/health", async (_request, reply) => {
    const replica = node.replica;
    const state = replica?.state;
    const task = state === undefined ? undefined : getTask(state, node.options.taskId);
    const view = state === undefined ? undefined : getNodeView(state, node.options.taskId, node.me);
    const healthy = replica !== undefined && node.lastError === undefined && node.ledgerHead - replica.height <= 5;
    return reply.code(healthy ? 200 : 503).send({
      ok: healthy,
      node: node.me,
      name: node.options.name ?? null,
      task: node.options.taskId,
      replicaHeight: replica?.height ?? 0,
      ledgerHead: node.ledgerHead,
      round: task === undefined || state === undefined ? null : roundOf(task, getChain(state).slot),
      runnerLoaded: node.runner !== undefined,
      stake: view?.stake.toString() ?? "0",
      weight: view?.weight.toString() ?? "0",
      claimable: view?.claimable.toString() ?? "0",
      locked: view?.locked.toString() ?? "0",
      lastError: node.lastError ?? null,
      ...(node.fatal === undefined ? {} : { code: node.fatal.code, stoppedAtBlock: node.fatal.block }),
    });
  });

  app.get("/metrics", async (_request, reply) => reply.type("text/plain; version=0.0.4").send(node.metrics.render()));

  app.get<{ Params: { digest: string } }>("/proofs/:digest", async (request, reply) => {
    const { digest } = request.params;
    const proof = /^[0-9a-f]{64}$/.test(digest) ? node.store.proof(digest) : undefined;
    const state = node.replica?.state;
    const reveal =
      proof === undefined || state === undefined
        ? undefined
        : getReveal(state, node.options.taskId, proof.cycle, node.me);
    if (proof === undefined || reveal?.proofDigest !== digest) {
      return reply
        .code(404)
        .send({ code: "PROOF__NOT_REVEALED", message: "no revealed proof with this digest on this node" });
    }
    return reply.type("application/octet-stream").send(Buffer.from(proof.bytes));
  });

  const forward = async (request: import("fastify").FastifyRequest, reply: import("fastify").FastifyReply) => {
    const params = request.params as { taskId: string; "*": string };
    if (params.taskId !== node.options.taskId || node.runner === undefined) {
      return reply
        .code(404)
        .send({ code: "TASK__NOT_SERVED", message: `this node does not serve task ${params.taskId}` });
    }
    // The raw path (still percent-encoded): the task's router decodes `:params` itself, exactly once.
    const url = new URL(request.raw.url ?? request.url, "http://node");
    const prefix = url.pathname.startsWith("/task/") ? `/task/${params.taskId}` : `/tasks/${params.taskId}`;
    const rawPath = url.pathname.startsWith(prefix)
      ? url.pathname.slice(prefix.length) || "/"
      : `/${params["*"] ?? ""}`;
    // Every body arrives as its exact bytes (the catch-all parser below): text for the task, and base64 too.
    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const response = await node.runner.route({
      method: request.method,
      path: rawPath,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)])),
      body: bytes.toString("utf8"),
      ...(bytes.length > 0 ? { bodyBase64: bytes.toString("base64") } : {}),
    });
    reply.code(response.status ?? 200);
    for (const [key, value] of Object.entries(response.headers ?? {})) reply.header(key, value);
    if (response.bodyBase64 !== undefined) {
      if (!reply.hasHeader("content-type")) reply.type("application/octet-stream");
      return reply.send(Buffer.from(response.bodyBase64, "base64"));
    }
    const body = response.body;
    if (typeof body === "string") return reply.send(body);
    return reply.send(body ?? "");
  };
  // Task routes take any body as bytes: JSON, forms, text and binary uploads reach the task unparsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
  app.route({ method: [...methods], url: "/tasks/:taskId/*", handler: forward, exposeHeadRoute: false });
  // Koii's path for task routes (docs/koii.md).
  app.route({ method: [...methods], url: "/task/:taskId/*", handler: forward, exposeHeadRoute: false });
  return app;
}
