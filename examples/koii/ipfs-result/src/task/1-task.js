import { namespaceWrapper } from "@_koii/namespace-wrapper";
import { KoiiStorageClient } from "@_koii/storage-task-sdk";
import { createHash } from "node:crypto";
import fs from "node:fs";

export const FILE_NAME = "result.json";

/** The round's work: a small report every honest node computes the same way, so auditors can recompute it. */
export function roundResult(roundNumber) {
  const words = Array.from({ length: 50 }, (_, index) =>
    createHash("sha256").update(`round ${roundNumber} word ${index}`).digest("hex").slice(0, 6),
  );
  const letters = {};
  for (const word of words) letters[word[0]] = (letters[word[0]] ?? 0) + 1;
  return { round: roundNumber, words: words.length, letters };
}

/** As public Koii tasks do: write the result to a file in the task's folder, upload it, keep the CID. */
export async function task(roundNumber) {
  const basePath = await namespaceWrapper.getBasePath();
  const filePath = `${basePath}/${FILE_NAME}`;
  fs.writeFileSync(filePath, JSON.stringify(roundResult(roundNumber)));
  try {
    const submitter = await namespaceWrapper.getSubmitterAccount();
    const { cid } = await KoiiStorageClient.getInstance({}).uploadFile(filePath, submitter);
    await namespaceWrapper.storeSet(`cid:${roundNumber}`, cid);
    console.log(`ipfs-result: round ${roundNumber} stored as ${cid}`);
  } finally {
    fs.unlinkSync(filePath);
  }
}
