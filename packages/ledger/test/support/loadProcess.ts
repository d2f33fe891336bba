/**
 * A bounded load for the kill test, run as its own process: signed transfers from several senders, at most
 * `--rate` a second, against whatever ledger currently serves `--data` (re-read from DATA/ledger.json after each
 * failure, because the ledger restarts on a new port). Every acknowledgement is appended to `--acks` as a JSON line
 * before the next transaction of that sender; an unanswered transaction is resubmitted unchanged (the ledger
 * answers a known hash with its status). SIGTERM ends it after the transactions in flight.
 *
 *   node --conditions=source --import tsx loadProcess.ts --data DIR --keys FILE --acks FILE [--rate 300] [--chain ID]
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Transaction } from "@gradual/protocol";
import {
  createLedgerClient,
  isLedgerRequestError,
  keyPairFromSecret,
  type SubmitResult,
  signTransaction,
} from "../../src/index.ts";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    keys: { type: "string" },
    acks: { type: "string" },
    rate: { type: "string", default: "300" },
    chain: { type: "string", default: "gradual-test" },
  },
});
if (values.data === undefined || values.keys === undefined || values.acks === undefined) {
  throw new Error("usage: loadProcess.ts --data DIR --keys FILE --acks FILE [--rate N] [--chain ID]");
}
const dataDir = values.data;
const ackLog = values.acks;
const secrets = JSON.parse(readFileSync(values.keys, "utf8")) as string[];
const senders = secrets.map((secret) => keyPairFromSecret(secret));
const intervalMs = (1000 * senders.length) / Number(values.rate);
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});

function currentUrl(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dataDir, "ledger.json"), "utf8")) as { url: string }).url;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submitUntilAcknowledged(tx: Transaction, signature: string, wait: boolean): Promise<SubmitResult> {
  for (;;) {
    const url = currentUrl();
    if (url !== undefined) {
      const client = createLedgerClient({ url, timeoutMs: 5_000 });
      try {
        return wait
          ? await client.submitAndWait({ tx, signature }, { timeoutMs: 3_000 })
          : await client.submit({ tx, signature });
      } catch (error) {
        // Connection refused or reset, a timeout, or the ledger busy stopping: retry the same transaction. A
        // refusal with a protocol code would be a bug in the ledger: record it for the test to fail on.
        if (isLedgerRequestError(error) && !error.code.startsWith("LEDGER__")) {
          appendFileSync(
            ackLog,
            `${JSON.stringify({ error: error.code, message: error.message, nonce: tx.nonce, from: tx.from })}\n`,
          );
          process.exit(1);
        }
      }
    }
    await sleep(50);
  }
}

async function runSender(index: number): Promise<void> {
  const key = senders[index] as (typeof senders)[number];
  const to = (senders[(index + 1) % senders.length] as (typeof senders)[number]).publicKey;
  await sleep((intervalMs * index) / senders.length);
  for (let nonce = 0; !stopping; nonce += 1) {
    const started = performance.now();
    const tx: Transaction = {
      kind: "transfer",
      chainId: values.chain as string,
      from: key.publicKey,
      nonce,
      to,
      amount: 1n,
    };
    const signature = signTransaction(key, tx);
    const ack = await submitUntilAcknowledged(tx, signature, nonce % 2 === 1);
    appendFileSync(ackLog, `${JSON.stringify({ from: key.publicKey, nonce, ack })}\n`);
    const left = intervalMs - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}

// The client's request timeouts (AbortSignal.timeout) do not keep the event loop alive: with every request in flight
// on a socket of a ledger just killed, Node could find nothing left to wait for and exit with code 13 (an unsettled
// top-level await), failing the run (seen once in CI under heavy load). A referenced timer holds the process until
// every sender has stopped.
const keepAlive = setInterval(() => {}, 1_000);
await Promise.all(senders.map((_, index) => runSender(index)));
clearInterval(keepAlive);
process.exit(0);
