import type { Account, Hash } from "../types.ts";

/**
 * State keys (protocol.md §9.3). The trie is keyed by sha256(key), so prefixes cannot be scanned: every collection
 * the rules iterate has an explicit count and an `...At` index record.
 */
export const keys = {
  chain: () => "chain",
  totals: () => "totals",
  account: (account: Account) => `account/${account}`,
  taskAt: (index: number) => `taskAt/${index}`,
  task: (task: Hash) => `task/${task}`,
  node: (task: Hash, account: Account) => `node/${task}/${account}`,
  nodeAt: (task: Hash, index: number) => `nodeAt/${task}/${index}`,
  cycle: (task: Hash, cycle: number) => `cycle/${task}/${cycle}`,
  commit: (task: Hash, cycle: number, node: Account) => `commit/${task}/${cycle}/${node}`,
  reveal: (task: Hash, cycle: number, node: Account) => `reveal/${task}/${cycle}/${node}`,
  revealAt: (task: Hash, cycle: number, index: number) => `revealAt/${task}/${cycle}/${index}`,
  nodeCycle: (task: Hash, cycle: number, node: Account) => `nodeCycle/${task}/${cycle}/${node}`,
  trigger: (task: Hash, cycle: number, index: number) => `trigger/${task}/${cycle}/${index}`,
  /** The open trigger against a proof or a list, so that a second trigger joins the first by voting. */
  triggerOf: (task: Hash, cycle: number, kind: string, attempt: number, target: Account) =>
    `triggerOf/${task}/${cycle}/${kind}/${attempt}/${target}`,
  vote: (task: Hash, cycle: number, trigger: number, voter: Account) => `vote/${task}/${cycle}/${trigger}/${voter}`,
  voteAt: (task: Hash, cycle: number, trigger: number, index: number) => `voteAt/${task}/${cycle}/${trigger}/${index}`,
  distribution: (task: Hash, cycle: number, attempt: number) => `distribution/${task}/${cycle}/${attempt}`,
  distributionChunk: (task: Hash, cycle: number, attempt: number, chunk: number) =>
    `distributionChunk/${task}/${cycle}/${attempt}/${chunk}`,
  vesting: (task: Hash, account: Account) => `vesting/${task}/${account}`,
  /** A payload published to answer an availability challenge (§5.6), as hex. */
  published: (task: Hash, cycle: number, node: Account) => `published/${task}/${cycle}/${node}`,
} as const;
