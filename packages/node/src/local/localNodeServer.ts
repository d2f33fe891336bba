import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getReveal, type State } from "@gradual/protocol";
import { answerTaskRoute, sendReply } from "../runtime/server.ts";
import type { LocalNode } from "./localNode.ts";

/**
 * The nodes of a local run over HTTP on 127.0.0.1, one server for all of them: node `index` is mounted at
 * `/n/{index}`, and answers there what a node's own server does (runtime/server.ts) for a task's peers:
 *  - `/n/{index}/proofs/{digest}`: its proof, only once the ledger holds its reveal of it (protocol.md §4.2);
 *  - `/n/{index}/tasks/{id}/...` and Koii's `/n/{index}/task/{id}/...` (the id in hex or base58): its task's routes.
 * So a task that reads its peers (Koii's getTaskSubmissionInfo, a route of another node) works as on a devnet.
 */

export type LocalNodeServer = {
  /** The URL a node stakes with: its mount point on this server. */
  readonly nodeUrl: (index: number) => string;
  close(): Promise<void>;
};

export type LocalNodeServerOptions = {
  readonly nodes: () => readonly LocalNode[];
  readonly state: () => State;
  readonly taskId: string;
};

export async function startLocalNodeServer(options: LocalNodeServerOptions): Promise<LocalNodeServer> {
  const { nodes, state, taskId } = options;
  const server = createServer((request, response) => {
    // /n/{index}/task/... is node {index}'s /task/...: the node's own route handling answers it.
    const mounted = /^\/n\/(\d+)(\/tasks?\/[^?]*)(?:\?(.*))?$/.exec(request.url ?? "");
    if (mounted !== null) {
      const runner = nodes()[Number(mounted[1])]?.runner;
      const search = new URLSearchParams(mounted[3] ?? "");
      void answerTaskRoute(runner, taskId, request, mounted[2] as string, search).then(
        (reply) => sendReply(response, reply ?? { status: 404, headers: {}, body: "" }),
        () => response.writeHead(500).end(),
      );
      return;
    }
    const match = /^\/n\/(\d+)\/proofs\/([0-9a-f]{64})$/.exec(request.url ?? "");
    const node = match === null ? undefined : nodes()[Number(match[1])];
    const proof = match === null ? undefined : node?.proofs.get(match[2] as string);
    const revealed =
      node !== undefined &&
      proof !== undefined &&
      getReveal(state(), taskId, proof.cycle, node.keyPair.publicKey)?.proofDigest === match?.[2];
    if (!revealed || proof === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(proof.bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    nodeUrl: (index) => `${url}/n/${index}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
