/** Header naming the uploading account, and the header carrying its signature of {@link blobUploadPayload}. */
export const BLOB_ACCOUNT_HEADER = "x-gradual-account";
export const BLOB_SIGNATURE_HEADER = "x-gradual-signature";

/** What an uploader signs: the chain and the blob's sha256 (a replay uploads the same bytes again: harmless). */
export function blobUploadPayload(chainId: string, hash: string): Uint8Array {
  return new TextEncoder().encode(`gradual/blob/v1\n${chainId}\n${hash}`);
}
