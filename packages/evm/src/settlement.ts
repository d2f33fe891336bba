/**
 * The node's `Settlement` on an EVM chain: reads (genesis, blocks, the read API, blobs) from an indexer over the
 * HTTP settlement, since the indexer serves the ledger's API; writes as calls of the `Gradual` contract sent from
 * the node's EVM key. The node acts as the key's account id (`account`) and signs nothing: the chain authenticates
 * the sender. `taskIdOf` is the contract's task id, so the node's replica names tasks as the contract does.
 *
 * `submit` decodes the envelope's transaction (its signature is ignored), simulates the call (a revert's custom
 * error is the core's rejection code, the outcome's `code`), sends it with gas for the window ends it may have to
 * settle (twice the estimate, plus `SETTLE_GAS_MARGIN`) and waits for its receipt. Submits are sent
 * one at a time; an envelope already sent (the node resubmits what the indexer has not replayed yet) is not sent
 * again. Every transaction kind of the core is a call of the contract (the custom rule's `submitDistribution` and
 * `claimDistribution` too); a transaction from another account than the key's is refused with
 * `EVM__CALL_NOT_IN_CONTRACT` before anything is sent.
 */
import { httpSettlement, type Settlement, type SubmitOutcome, type TransactionEnvelope } from "@gradual/node";
import { decodeTransaction, isDecodeRejection, type Transaction, transactionHash } from "@gradual/protocol";
import { type Abi, type Address, createWalletClient, type Hex, type PublicClient } from "viem";
import { gradualAbi } from "./compile.ts";
import { paramsToStruct, TRIGGER_KINDS, VERDICTS, VOTE_CHOICES } from "./indexer/calls.ts";
import type { EvmKey } from "./keys.ts";
import { connect, RECEIPT_TIMEOUT_MS, revertErrorArgs, revertErrorName } from "./rpc.ts";
import { evmTaskId } from "./taskId.ts";

export { evmTaskId };

export type CreateEvmSettlementParameters = {
  readonly rpcUrl: string;
  readonly contract: Address;
  readonly evmKey: EvmKey;
  /** The indexer of `contract` (`gradual indexer`): the node's reads and blobs. */
  readonly indexerUrl: string;
};

/** Gas added to each call's estimate: about as much as settling MAX_SETTLE_STEPS window ends. */
const SETTLE_GAS_MARGIN = 2_500_000n;

const h32 = (hex: string | null): Hex => `0x${hex ?? "0".repeat(64)}` as Hex;

/** A core transaction as the contract call of its kind; undefined for a kind the contract does not have. */
export function contractCallOf(tx: Transaction): { functionName: string; args: readonly unknown[] } | undefined {
  switch (tx.kind) {
    case "transfer":
      return { functionName: "transfer", args: [h32(tx.to), tx.amount] };
    case "createTask":
      return {
        functionName: "createTask",
        args: [tx.name, h32(tx.bundleHash), h32(tx.metadataHash), paramsToStruct(tx.params), tx.funding],
      };
    case "fundTask":
      return { functionName: "fundTask", args: [h32(tx.task), tx.amount] };
    case "closeTask":
      return { functionName: "closeTask", args: [h32(tx.task)] };
    case "stake":
      return { functionName: "stake", args: [h32(tx.task), tx.amount, tx.nodeUrl] };
    case "unstake":
      return { functionName: "unstake", args: [h32(tx.task)] };
    case "withdraw":
      return { functionName: "withdraw", args: [h32(tx.task)] };
    case "commit":
      return { functionName: "commit", args: [h32(tx.task), tx.cycle, h32(tx.commitment)] };
    case "reveal":
      return { functionName: "reveal", args: [h32(tx.task), tx.cycle, h32(tx.proofDigest), h32(tx.salt)] };
    case "commitAndReveal":
      return {
        functionName: "commitAndReveal",
        args: [h32(tx.task), tx.cycle, h32(tx.commitment), h32(tx.proofDigest), h32(tx.salt)],
      };
    case "triggerAudit":
      return {
        functionName: "triggerAudit",
        args: [
          h32(tx.task),
          tx.cycle,
          TRIGGER_KINDS.indexOf(tx.triggerKind),
          VERDICTS.indexOf(tx.verdict),
          tx.attempt ?? 0,
          h32(tx.target),
          h32(tx.reasonDigest),
        ],
      };
    case "vote":
      return { functionName: "vote", args: [h32(tx.task), tx.cycle, tx.trigger, VOTE_CHOICES.indexOf(tx.choice)] };
    case "publishProof":
      return { functionName: "publishProof", args: [h32(tx.task), tx.cycle, tx.trigger, `0x${tx.payload}`] };
    case "claim":
      return { functionName: "claim", args: [h32(tx.task)] };
    case "submitDistribution":
      return {
        functionName: "submitDistribution",
        args: [h32(tx.task), tx.cycle, tx.attempt, h32(tx.listRoot), h32(tx.listBlob), tx.total, tx.entryCount],
      };
    case "claimDistribution":
      return {
        functionName: "claimDistribution",
        args: [h32(tx.task), tx.cycle, h32(tx.recipient), tx.amount, BigInt(tx.index), tx.proof.map(h32)],
      };
    default:
      return undefined;
  }
}

export async function createEvmSettlement(parameters: CreateEvmSettlementParameters): Promise<Settlement> {
  const { contract, evmKey } = parameters;
  const { chain, transport, publicClient } = await connect({ rpcUrl: parameters.rpcUrl });
  const client = publicClient as PublicClient;
  const wallet = createWalletClient({ account: evmKey.account, chain, transport });
  const abi = gradualAbi() as Abi;
  const reads = httpSettlement(parameters.indexerUrl);
  /** Envelopes sent, by the core transaction's hash, with the EVM transaction's. */
  const sent = new Map<string, Hex>();
  let queue: Promise<unknown> = Promise.resolve();
  /**
   * How often a submit asks for its receipt: a tenth of a slot (50 ms to 1 s). viem's default for a chain it does not
   * know is 4 s, so a node's calls of one slot, sent one after another, landed slots apart.
   */
  let receiptPollMs: number | undefined;
  const receiptPoll = async (): Promise<number> => {
    if (receiptPollMs === undefined) {
      const slotMs = Number(await client.readContract({ address: contract, abi, functionName: "slotMs" }));
      receiptPollMs = Math.min(1_000, Math.max(50, Math.floor(slotMs / 10)));
    }
    return receiptPollMs;
  };

  async function send(envelope: TransactionEnvelope): Promise<SubmitOutcome> {
    const decoded = decodeTransaction(envelope.tx);
    if (isDecodeRejection(decoded)) return { ok: false, code: decoded.code, message: decoded.message };
    const hash = transactionHash(decoded);
    const already = sent.get(hash);
    if (already !== undefined) return { ok: true, hash };
    if (decoded.from !== evmKey.accountId) {
      return {
        ok: false,
        code: "EVM__CALL_NOT_IN_CONTRACT",
        message: `the transaction is from ${decoded.from}, not this settlement's account ${evmKey.accountId}`,
      };
    }
    const call = contractCallOf(decoded);
    if (call === undefined) {
      return {
        ok: false,
        code: "EVM__CALL_NOT_IN_CONTRACT",
        message: `${decoded.kind}: the Gradual contract has no such call`,
      };
    }
    try {
      // Checked against the pending block: the call lands in the next block, whose timestamp (and so slot) is
      // the pending block's, not the latest's. Against the latest block, a call sent in a window's first slot
      // was checked a slot early (a list for the attempt that had just opened, refused as DISTRIBUTION__WRONG_ATTEMPT).
      const { request } = await client.simulateContract({
        account: evmKey.account,
        address: contract,
        abi,
        functionName: call.functionName,
        args: call.args,
        blockTag: "pending",
      });
      // Gas for window ends the call may have to settle first (a round start that starts a cycle costs about
      // 130,000): the block it lands in can be a slot later than the estimate's.
      const estimate = await client.estimateContractGas({
        account: evmKey.account,
        address: contract,
        abi,
        functionName: call.functionName,
        args: call.args,
        blockTag: "pending",
      });
      const evmHash = await wallet.writeContract({ ...request, gas: estimate * 2n + SETTLE_GAS_MARGIN });
      const receipt = await client.waitForTransactionReceipt({
        hash: evmHash,
        pollingInterval: await receiptPoll(),
        timeout: RECEIPT_TIMEOUT_MS,
      });
      if (receipt.status !== "success") {
        // The chain moved between the check and the block (another node's better list landed first): the same call
        // against the block it reverted in says why, as the core's code.
        const why = await client
          .simulateContract({
            account: evmKey.account,
            address: contract,
            abi,
            functionName: call.functionName,
            args: call.args,
            blockNumber: receipt.blockNumber,
          })
          .then(() => undefined)
          .catch((error: unknown) => {
            const name = revertErrorName(error);
            return name === undefined ? undefined : { name, args: revertErrorArgs(error) };
          });
        return why === undefined
          ? { ok: false, code: "EVM__CALL_REVERTED", message: `${call.functionName} reverted in ${evmHash}` }
          : {
              ok: false,
              code: why.name,
              message: `${call.functionName} reverted in ${evmHash} with ${why.name}${why.args}`,
            };
      }
      sent.set(hash, evmHash);
      return { ok: true, hash };
    } catch (error) {
      const name = revertErrorName(error);
      if (name !== undefined) {
        return { ok: false, code: name, message: `${call.functionName} reverts with ${name}${revertErrorArgs(error)}` };
      }
      return {
        ok: false,
        code: "EVM__RPC_FAILED",
        message: `${call.functionName}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      };
    }
  }

  return {
    url: parameters.indexerUrl,
    account: evmKey.accountId,
    taskIdOf: (creator, taskCount) => evmTaskId(chain.id, contract, creator, taskCount),
    genesis: () => reads.genesis(),
    head: () => reads.head(),
    blocks: (from, to) => reads.blocks(from, to),
    blob: (hash) => reads.blob(hash),
    putBlob: (bytes, account, signature) => reads.putBlob(bytes, account, signature),
    slotMs: () => reads.slotMs(),
    get: <T>(path: string) => reads.get<T>(path),
    submit(envelope) {
      const outcome = queue.then(() => send(envelope));
      queue = outcome.catch(() => undefined);
      return outcome;
    },
  };
}
