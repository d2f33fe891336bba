import { createHash } from "node:crypto";
import { type Account, getAccount, getNode, getTask, listTaskIds, type State, TOKEN } from "@gradual/protocol";
import { ROUTES } from "@gradual/wire";
import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER, blobUploadPayload } from "../../blobAuth.ts";
import { LedgerError } from "../../errors.ts";
import { verifyBytes } from "../../keys.ts";
import type { ServerContext } from "../createLedgerServer.ts";

/** Smallest balance that lets an account upload without being a task creator or a staked node. */
const BLOB_UPLOAD_MIN_BALANCE = TOKEN;

/**
 * Who may upload (protocol.md §9.2): a task's creator, a staked node, or an account holding at least one token (a
 * creator-to-be uploads its bundle before createTask, and must fund the task anyway).
 */
function mayUploadBlobs(state: State, account: Account): boolean {
  if (getAccount(state, account).balance >= BLOB_UPLOAD_MIN_BALANCE) return true;
  for (const task of listTaskIds(state)) {
    if (getTask(state, task)?.creator === account || getNode(state, task, account) !== undefined) return true;
  }
  return false;
}

/**
 * Content-addressed blobs (task bundles, small payloads): the address is the sha256 of the bytes, so a download
 * can be checked by anyone. Uploads are signed by an account allowed to upload, bounded per account, and stored
 * in the blob store (apart from the chain database) durably before the upload is answered.
 */
export function registerBlobRoutes({ table, modules, options }: ServerContext): void {
  const { ledger, metrics, blobs } = modules;
  const ERRORS = { description: "{ code, message, context }" };

  table.add({
    route: ROUTES.uploadBlob,
    tag: "blobs",
    summary: `Upload bytes (application/octet-stream, at most ${options.maxBlobBytes} bytes), signed: header ${BLOB_ACCOUNT_HEADER} names the account, ${BLOB_SIGNATURE_HEADER} its ed25519 signature of "gradual/blob/v1\\n<chainId>\\n<sha256>". Answers the sha256.`,
    bodyLimit: options.maxBlobBytes,
    responses: {
      201: { description: "stored" },
      200: { description: "already stored" },
      401: ERRORS,
      403: ERRORS,
      413: ERRORS,
      507: ERRORS,
      415: ERRORS,
    },
    handler: async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) {
        throw new LedgerError("API__UNSUPPORTED_MEDIA_TYPE", {
          message: "expected the blob as Content-Type application/octet-stream",
        });
      }
      if (body.length > options.maxBlobBytes) {
        throw new LedgerError("API__BLOB_TOO_LARGE", { context: { bytes: body.length, limit: options.maxBlobBytes } });
      }
      const hash = createHash("sha256").update(body).digest("hex");
      const account = request.headers[BLOB_ACCOUNT_HEADER];
      const signature = request.headers[BLOB_SIGNATURE_HEADER];
      if (
        typeof account !== "string" ||
        !/^[0-9a-f]{64}$/.test(account) ||
        typeof signature !== "string" ||
        !verifyBytes(account, blobUploadPayload(ledger.chainId, hash), signature)
      ) {
        throw new LedgerError("API__UNAUTHORIZED", {
          message: `a blob upload must be signed: ${BLOB_ACCOUNT_HEADER} and ${BLOB_SIGNATURE_HEADER} headers`,
        });
      }
      if (!mayUploadBlobs(ledger.state, account)) {
        throw new LedgerError("LEDGER__BLOB_NOT_ALLOWED", { context: { account } });
      }
      const started = performance.now();
      const created = blobs.put(hash, body, account);
      metrics.fsyncSeconds.blob.observe((performance.now() - started) / 1000);
      return reply.code(created ? 201 : 200).send({ hash, size: body.length, created });
    },
  });

  table.add({
    route: ROUTES.getBlob,
    tag: "blobs",
    summary: "Download a blob by its sha256.",
    responses: { 200: { description: "the bytes", contentType: "application/octet-stream" }, 404: ERRORS },
    handler: async (request, reply) => {
      const { hash } = request.params as { hash: string };
      const bytes = blobs.get(hash) ?? (await ledger.store.getBlob(hash));
      if (bytes === undefined) throw new LedgerError("API__BLOB_NOT_FOUND", { context: { hash } });
      return reply.type("application/octet-stream").send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    },
  });
}
