/**
 * What `@_koii/storage-task-sdk` resolves to in a Koii task bundle: `KoiiStorageClient` over gradual's
 * content-addressed blob store (the ledger's, through `ctx.blobs`; docs/koii.md "Storage").
 *
 * On Koii, `uploadFile(path, signer)` puts the file into an IPFS directory and answers its CID; `getFile(cid, name)`
 * fetches the file of that name from the directory as a `Blob`. Here the directory is a small manifest blob (file
 * name -> sha256 of the file's blob), and the CID is a real CIDv1 of the manifest's bytes (raw codec, sha2-256,
 * base32: `bafkrei...`), so it names exactly those bytes and any node can check what it fetched. The signer is not
 * needed: the node signs uploads with its own key, on its side of the sandbox, and the task never holds that key.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { TaskBlobs } from "@gradual/sdk";
import { base32nopad } from "@scure/base";
import { currentContext } from "../runtime/context.ts";
import { KoiiContextError, KoiiStorageError } from "../runtime/errors.ts";

export { KoiiStorageError };

const MANIFEST_KIND = "gradual/koii-directory/v1";
/** Most files in one upload (one manifest). */
export const MAX_FILES_PER_UPLOAD = 1_000;

type Manifest = { readonly kind: typeof MANIFEST_KIND; readonly files: Readonly<Record<string, string>> };

/** CIDv1 prefix: version 1, raw codec (0x55), sha2-256 multihash (0x12) of 32 bytes (0x20). */
const CID_PREFIX = [0x01, 0x55, 0x12, 0x20] as const;

/** Multibase `b`: RFC 4648 base32, lowercase, no padding; decoding refuses set padding bits (one spelling each). */
function base32Decode(text: string): Uint8Array | undefined {
  if (!/^[a-z2-7]*$/.test(text)) return undefined;
  try {
    return base32nopad.decode(text.toUpperCase());
  } catch {
    return undefined;
  }
}

/** The CIDv1 (raw, sha2-256, base32) of the bytes whose sha256 is `hash` (64 hex). */
export function cidOfSha256(hash: string): string {
  const digest = Buffer.from(hash, "hex");
  return `b${base32nopad.encode(new Uint8Array([...CID_PREFIX, ...digest])).toLowerCase()}`;
}

/** The sha256 (64 hex) a CID names: a CIDv1 of ours (raw, sha2-256), or a sha256 given as hex. */
export function sha256OfCid(cid: string): string {
  if (/^[0-9a-f]{64}$/.test(cid)) return cid;
  const bytes = cid.startsWith("b") ? base32Decode(cid.slice(1)) : undefined;
  if (bytes === undefined || bytes.length !== 36 || CID_PREFIX.some((byte, index) => bytes[index] !== byte)) {
    throw new KoiiStorageError(
      `${JSON.stringify(cid.slice(0, 80))} is not a CID this network stores: gradual's storage names content by a CIDv1 ` +
        "of raw sha2-256 bytes (bafkrei..., one spelling per content), as KoiiStorageClient.uploadFile answers it; " +
        "IPFS CIDs from elsewhere cannot be fetched here",
    );
  }
  return Buffer.from(bytes.subarray(4)).toString("hex");
}

function blobs(method: string): TaskBlobs {
  const ctx = currentContext(`KoiiStorageClient.${method}`);
  if (ctx.blobs === undefined) throw new KoiiContextError(`KoiiStorageClient.${method}: this node offers no storage`);
  return ctx.blobs;
}

function parseManifest(bytes: Uint8Array): Manifest | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, "kind") || !Object.hasOwn(value, "files"))
      return undefined;
    const manifest = value as { kind: unknown; files: unknown };
    if (manifest.kind !== MANIFEST_KIND || typeof manifest.files !== "object" || manifest.files === null)
      return undefined;
    return manifest as Manifest;
  } catch {
    return undefined;
  }
}

export type UploadResult = { readonly cid: string };

/**
 * Koii's storage client (`new KoiiStorageClient()` or `KoiiStorageClient.getInstance({})`); the gateway URL, task id
 * and debug flag Koii's constructor takes are not needed here.
 */
export class KoiiStorageClient {
  static #instance: KoiiStorageClient | undefined;

  static getInstance(_options?: unknown): KoiiStorageClient {
    KoiiStorageClient.#instance ??= new KoiiStorageClient();
    return KoiiStorageClient.#instance;
  }

  /** Stores one file (read from the task's own folder) in a one-file directory; answers `{ cid }`. */
  async uploadFile(filePath: string, _signer?: unknown): Promise<UploadResult> {
    return this.uploadFiles([filePath], _signer);
  }

  /** Stores several files in one directory; each is found again by its base name. */
  async uploadFiles(filePaths: readonly string[], _signer?: unknown): Promise<UploadResult> {
    if (!Array.isArray(filePaths) || filePaths.length === 0 || filePaths.length > MAX_FILES_PER_UPLOAD) {
      throw new KoiiStorageError(`uploadFiles: expected 1 to ${MAX_FILES_PER_UPLOAD} file paths`);
    }
    const store = blobs("uploadFile");
    const files: Record<string, string> = {};
    for (const filePath of filePaths) {
      if (typeof filePath !== "string") throw new KoiiStorageError("uploadFile: expected a file path string");
      const bytes = new Uint8Array(await readFile(filePath));
      files[path.basename(filePath)] = await store.put(bytes);
    }
    const manifest: Manifest = { kind: MANIFEST_KIND, files };
    const hash = await store.put(JSON.stringify(manifest));
    return { cid: cidOfSha256(hash) };
  }

  /**
   * The file `filename` of the directory `cid` as a `Blob` (`await blob.text()`). Without a name, the directory's
   * only file. The bytes are checked against their hash by the node before they arrive.
   */
  async getFile(cid: string, filename?: string): Promise<Blob> {
    if (typeof cid !== "string") throw new KoiiStorageError("getFile: expected a CID string");
    const store = blobs("getFile");
    const bytes = await store.get(sha256OfCid(cid));
    const manifest = parseManifest(bytes);
    if (manifest === undefined) return new Blob([bytes]); // a blob stored by gradual code directly
    const names = Object.keys(manifest.files);
    const name = filename ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined || !Object.hasOwn(manifest.files, name)) {
      throw new KoiiStorageError(
        `getFile: the directory ${cid} has no file ${JSON.stringify(filename)} (it holds ${names.slice(0, 10).join(", ")})`,
      );
    }
    const hash = manifest.files[name] as string;
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new KoiiStorageError(`getFile: the directory ${cid} is malformed`);
    return new Blob([await store.get(hash)]);
  }
}

export default { KoiiStorageClient };
