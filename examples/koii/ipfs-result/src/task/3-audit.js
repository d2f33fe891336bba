import { namespaceWrapper } from "@_koii/namespace-wrapper";
import { KoiiStorageClient } from "@_koii/storage-task-sdk";
import { FILE_NAME, roundResult } from "./1-task.js";

/** Fetch the submitted CID's file and compare it with the result recomputed here. */
export async function audit(submission, roundNumber, submitterKey) {
  try {
    const blob = await KoiiStorageClient.getInstance({}).getFile(submission, FILE_NAME);
    const fetched = JSON.parse(await blob.text());
    const valid = JSON.stringify(fetched) === JSON.stringify(roundResult(roundNumber));
    await namespaceWrapper.logger(
      "log",
      `fetched ${submitterKey}'s file by CID: ${valid ? "valid" : "wrong"}`,
      "audit",
    );
    return valid;
  } catch (error) {
    console.log(`ipfs-result: ${submitterKey}'s submission cannot be fetched: ${error.message}`);
    return false;
  }
}
