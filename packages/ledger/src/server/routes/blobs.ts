import { createHash } from "node:crypto";
import { Type } from "@sinclair/typebox";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { BlobStoredSchema, ErrorBodySchema, Hex64 } from "../schemas.ts";

/**
 * Content-addressed blobs (task bundles, small payloads): the address is the sha256 of the bytes, so a download
 * can be checked by anyone. Size-limited; stored durably before the upload is answered.
 */
export function registerBlobRoutes({ table, modules, options }: ServerContext): void {
  const { ledger, metrics } = modules;
  const ERRORS = { description: "{ code, message, context }", schema: ErrorBodySchema };

  table.add({
    method: "POST",
    url: "/v1/blobs",
    tag: "blobs",
    summary: `Upload bytes (application/octet-stream, at most ${options.maxBlobBytes} bytes); answers their sha256.`,
    documentedBody: { contentType: "application/octet-stream" },
    bodyLimit: options.maxBlobBytes,
    responses: {
      201: { description: "stored", schema: BlobStoredSchema },
      200: { description: "already stored", schema: BlobStoredSchema },
      413: ERRORS,
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
      const started = performance.now();
      let created: boolean;
      try {
        created = await ledger.store.putBlob(hash, body);
      } catch (error) {
        throw error instanceof LedgerError ? error : new LedgerError("LEDGER__STORAGE_FAILURE", { cause: error });
      }
      metrics.fsyncSeconds.blob.observe((performance.now() - started) / 1000);
      return reply.code(created ? 201 : 200).send({ hash, size: body.length, created });
    },
  });

  table.add({
    method: "GET",
    url: "/v1/blobs/:hash",
    tag: "blobs",
    summary: "Download a blob by its sha256.",
    params: Type.Object({ hash: Hex64 }),
    responses: { 200: { description: "the bytes", contentType: "application/octet-stream" }, 404: ERRORS },
    handler: async (request, reply) => {
      const { hash } = request.params as { hash: string };
      const bytes = await ledger.store.getBlob(hash);
      if (bytes === undefined) throw new LedgerError("API__BLOB_NOT_FOUND", { context: { hash } });
      return reply.type("application/octet-stream").send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    },
  });
}
