import { ERROR_CODES, type ErrorCode } from "./errors.ts";

/**
 * The one error registry: every stable code that any gradual package throws, logs or answers with, and what it
 * means. docs/errors.md is generated from it (`npm run docs:errors`), and a test fails when a package uses a code
 * that is not here (scripts/check-error-codes.ts, run by `npm run lint` and its test). It lives in the protocol, the one package every other may
 * import, the dashboard's browser code included; the protocol's own rejection codes, with their typed contexts, are
 * `ERROR_CODES` in errors.ts.
 *
 * Rules, as for rejection codes: `DOMAIN__DESCRIPTION` names; never renumbered, renamed or reused. A code belongs
 * to the package that raises it (others may pass it on). One entry per line or block, sorted by code within its
 * package, so that additions from different branches merge without conflict. `http` is the status an HTTP API
 * answers the code with; codes no server sends have none.
 */
export type ErrorEntry = { readonly meaning: string; readonly http?: number };

type Entries = Readonly<Record<string, ErrorEntry>>;

/** @gradual/protocol, thrown (rejections of transactions are values: `ERROR_CODES`). */
const PROTOCOL_EXCEPTION_CODES = {
  PROTOCOL__MISUSE: {
    meaning:
      "A protocol function got an argument it does not accept, or found a broken invariant: a bug, never a refusal",
  },
} as const satisfies Entries;

/**
 * @gradual/wire: a value read from the ledger's JSON that does not have its schema's shape. The ledger never answers
 * with these: whoever reads its replies finds them (the ledger client, the dashboard, the CLI, the Koii layer).
 */
export const WIRE_ERROR_CODES = {
  WIRE__BAD_REPLY: {
    meaning:
      "The ledger's reply does not match its route's wire schema (another version of the ledger, a proxy, or a bug); it was not used",
  },
  WIRE__MALFORMED: {
    meaning:
      "A value does not have the shape of its wire schema: a field is missing, of the wrong type or out of range",
  },
} as const satisfies Entries;

/** @gradual/ledger: its HTTP API (request shape, lookups, service limits), storage, and its clients. */
export const LEDGER_ERROR_CODES = {
  API__BATCH_TOO_LARGE: { http: 413, meaning: "The batch holds more transactions than the limit" },
  API__BLOB_NOT_FOUND: { http: 404, meaning: "No blob has this content hash" },
  API__BLOB_TOO_LARGE: { http: 413, meaning: "The blob exceeds the ledger's blob size limit" },
  API__BLOCK_NOT_FOUND: { http: 404, meaning: "No block has this number yet" },
  API__BODY_TOO_LARGE: { http: 413, meaning: "The request body exceeds the route's size limit" },
  API__DUPLICATE_KEY: {
    http: 400,
    meaning: "The JSON body repeats a key inside one object (only one reading of the bytes is allowed)",
  },
  API__INTERNAL: { http: 500, meaning: "An unexpected error; the ledger logged it" },
  API__INVALID_REQUEST: {
    http: 400,
    meaning: "A path parameter, query parameter or body field is missing or of the wrong shape",
  },
  API__MALFORMED_JSON: { http: 400, meaning: "The request body is not valid JSON" },
  API__NOT_FOUND: { http: 404, meaning: "No such route (devnet routes exist only in devnet mode)" },
  API__RECORD_NOT_FOUND: {
    http: 404,
    meaning: "No such record (a distribution attempt that was never submitted, ...)",
  },
  API__TOO_DEEP: { http: 400, meaning: "The JSON body nests arrays and objects deeper than the limit (32)" },
  API__TX_NOT_FOUND: { http: 404, meaning: "No pending or included transaction has this hash" },
  API__UNAUTHORIZED: { http: 401, meaning: "The admin token is missing or wrong" },
  API__UNSUPPORTED_MEDIA_TYPE: { http: 415, meaning: "The route does not accept this Content-Type" },
  LEDGER__BLOB_NOT_ALLOWED: {
    http: 403,
    meaning: "Only a task creator, a staked node or an account holding one token may upload blobs",
  },
  LEDGER__BLOB_QUOTA: { http: 413, meaning: "The account's stored blobs would exceed its per-account limit" },
  LEDGER__BLOB_STORE_FULL: {
    http: 507,
    meaning: "The blob store reached its own size limit (the chain is not affected)",
  },
  LEDGER__CONFIG: {
    http: 500,
    meaning: "The ledger cannot start with these options (no or another genesis, data directory in use, ...)",
  },
  LEDGER__DAMAGED: {
    http: 500,
    meaning: "The data directory is inconsistent (stored state does not match the last block); run verify",
  },
  LEDGER__DATA_DIR_CHANGED: {
    http: 503,
    meaning: "The database file was deleted or replaced while the ledger ran; it stopped producing",
  },
  LEDGER__FAUCET_LIMIT: { http: 429, meaning: "The faucet's amount or rate limit was exceeded" },
  LEDGER__INSUFFICIENT_RESERVE: {
    http: 402,
    meaning:
      "The sender's balance does not cover its pending transactions at the ledger's reserve per pending transaction",
  },
  LEDGER__MEMPOOL_FULL: { http: 503, meaning: "The mempool holds its maximum number of transactions; retry later" },
  LEDGER__ROLLED_BACK: {
    http: 500,
    meaning:
      "The database does not reach the head recorded in DATA/head.json (deleted, truncated, rolled back or replaced)",
  },
  LEDGER__SENDER_LIMIT: {
    http: 429,
    meaning: "The sender has its maximum number of pending transactions; wait for a block",
  },
  LEDGER__SHUTTING_DOWN: { http: 503, meaning: "The ledger is stopping and accepts no more transactions" },
  LEDGER__STALLED: {
    http: 503,
    meaning: "No block was made for several slots by the clock (see /v1/health's reason and the log)",
  },
  LEDGER__STORAGE_FAILURE: {
    http: 503,
    meaning: "The data directory cannot be written (disk full, read-only, I/O error); nothing was acknowledged",
  },
  LEDGER__SUBSCRIBER_LIMIT: { http: 503, meaning: "The event stream has its maximum number of subscribers" },
  LEDGER__UNREACHABLE: {
    meaning: "A client (a node, the CLI) got no answer from the ledger at its URL: not running, or another address",
  },
} as const satisfies Entries;

/** @gradual/sdk: the task bundler (`@gradual/sdk/bundle`). */
export const SDK_ERROR_CODES = {
  BUNDLE__FAILED: {
    meaning: "esbuild refused the task's sources (a syntax error, a missing entry); the message has its first errors",
  },
  BUNDLE__TOO_LARGE: { meaning: "The task bundle is larger than MAX_BUNDLE_BYTES (16 MiB)" },
  BUNDLE__UNRESOLVED_IMPORT: {
    meaning: "An import of the task resolves neither beside the task nor, for @gradual/*, in this installation",
  },
} as const satisfies Entries;

/** @gradual/node: the replica, the task sandbox, the proof and route server, the node's reads of the ledger. */
export const NODE_ERROR_CODES = {
  HTTP__BAD_URL: { http: 400, meaning: "The request URL cannot be parsed" },
  NODE__BAD_ROUTE: {
    meaning: "A task's routes(router) registered a route outside routes(), or one that clashes with another",
  },
  NODE__BLOB_HASH_MISMATCH: { meaning: "A blob the ledger served does not hash to the hash the node asked for" },
  NODE__BUNDLE_HASH_MISMATCH: { meaning: "The task bundle's bytes do not hash to the task's bundleHash" },
  NODE__BUNDLE_LOAD_FAILED: {
    meaning: "The task bundle did not start in the sandbox (it threw while loading, or its process died)",
  },
  NODE__BUNDLE_UNREADABLE: { meaning: "The task bundle file is missing, unreadable or not a file" },
  NODE__HOST_CALLS_IN_FLIGHT: {
    meaning: "Task code has more than 256 calls to its node in flight at once; it must await them",
  },
  NODE__HOST_CALL_FAILED: {
    meaning: "A call of task code to its node (store, sign, blobs, ledger reads) failed there; the message says why",
  },
  NODE__HTTP_BODY_TOO_LARGE: { meaning: "A reply to the node (a peer's proof, the ledger) was larger than it accepts" },
  NODE__HTTP_TIMEOUT: { meaning: "A request of the node got no complete answer within its time limit" },
  NODE__INTERNAL: { http: 500, meaning: "An unexpected error while answering a request; the node logged it" },
  NODE__LEDGER_REQUEST_FAILED: {
    meaning: "The ledger answered a request of the node with an error; the message has the request and the answer",
  },
  NODE__LOCAL_READ_UNSUPPORTED: {
    meaning:
      "In a local run (task test, koii test, a linked Koii folder), ctx.ledger answers only the chain, its blocks and the task routes",
  },
  NODE__REPLICA_BLOCK_HASH: { meaning: "The block's header fields do not hash to its hash" },
  NODE__REPLICA_PREV_HASH: { meaning: "The block does not link to the previous block's hash" },
  NODE__REPLICA_SEQUENCE: { meaning: "The ledger served a block out of order (number or slot not the next one)" },
  NODE__REPLICA_SIGNATURE: { meaning: "A transaction in the block is not correctly signed by its sender" },
  NODE__REPLICA_STATE_ROOT: { meaning: "Replaying the block gives another state root than the ledger's" },
  NODE__REPLICA_TXS_ROOT: {
    meaning: "The transactions served do not hash to the block's txsRoot (dropped, added or reordered)",
  },
  NODE__STORE_CORRUPT: {
    meaning: "The node's store (node.sqlite) is damaged: not a database, cut short, or a bad record",
  },
  NODE__TASK_NOT_FOUND: { meaning: "The ledger has no task with the id the node was started for" },
  NODE__UNDECODABLE_BLOCK: { meaning: "A block the ledger served holds a transaction the protocol cannot decode" },
  PROOF__NOT_REVEALED: {
    http: 404,
    meaning: "This node has no revealed proof with this digest (a proof is served only after its reveal)",
  },
  ROUTE__BODY_TOO_LARGE: { http: 413, meaning: "The request body exceeds what a task route accepts (1 MiB)" },
  ROUTE__METHOD: { http: 405, meaning: "Task routes serve GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS only" },
  ROUTE__NOT_FOUND: { http: 404, meaning: "The node serves nothing at this path" },
  SANDBOX__ACCESS_DENIED: {
    meaning:
      "The sandbox refused task code a program, thread, addon or file outside its folders; the message names the module",
  },
  SANDBOX__BAD_MESSAGE: {
    meaning: "The task process wrote something on its channel to the node that is not a valid message; it was killed",
  },
  SANDBOX__CRASHED: { meaning: "The task process exited or died (its last lines of stderr follow)" },
  SANDBOX__OOM: { meaning: "The task process passed its heap limit or its resident memory limit; it was killed" },
  SANDBOX__OUTPUT_FLOOD: {
    meaning: "The task process wrote more than 1 MB a minute on stdout and stderr; it was killed",
  },
  SANDBOX__TIMEOUT: { meaning: "A task call overran its time limit (killed if stuck)" },
  TASK__INVALID_RESULT: {
    meaning: "Task code returned a result of the wrong shape (a non-boolean audit, a bad distribution, ...)",
  },
  TASK__NOTHING_SUBMITTED: {
    meaning: "submission returned null or undefined: nothing is committed this cycle (not a fault)",
  },
  TASK__NOT_SERVED: { http: 404, meaning: "This node does not run the task the path names" },
  TASK__PROOF_TOO_LARGE: { meaning: "The task's proof is larger than the task's maxProofBytes" },
  TASK__THREW: { meaning: "Task code threw; its message follows" },
} as const satisfies Entries;

/** @gradual/koii: Koii's task API on gradual and the config-task.yml mapping. */
const KOII_ERROR_CODES = {
  KOII__BAD_CONFIG: { meaning: "config-task.yml has values create-task-cli would refuse; the message lists them" },
  KOII__BAD_SUBMISSION: {
    meaning: "submission(round) gave what Koii's task manager would not submit; nothing is submitted this round",
  },
  KOII__LINK_NO_PACKAGE: { meaning: "gradual koii link: the folder has no package.json, or it is not valid JSON" },
  KOII__NOT_A_TASK_FOLDER: {
    meaning: "The folder has no config-task.yml, or no src/index that calls initializeTaskManager",
  },
  KOII__NO_CONTEXT: {
    meaning: "A namespace-wrapper method was called where no task call runs and none ran before (at module load)",
  },
  KOII__STORAGE: { meaning: "A storage call cannot be served: a CID from outside this network, a missing file" },
  KOII__UNSUPPORTED: {
    meaning: "A Koii API with no meaning on gradual, or not implemented yet; docs/koii.md says what to do instead",
  },
} as const satisfies Entries;

/** @gradual/evm: the EVM settlement's contracts build (solc-js) and its local chains. */
const EVM_ERROR_CODES = {
  EVM__ARTIFACT_MISSING: {
    meaning: "A contract's compiled artifact is not in packages/evm/dist/contracts: run npm run build (npm ci does)",
  },
  EVM__CALL_NOT_IN_CONTRACT: {
    meaning:
      "The EVM settlement cannot send this transaction: it is from another account than the settlement's EVM key " +
      "(or of a kind the Gradual contract has no call for; every kind of protocol.md §9.1 has one)",
  },
  EVM__CALL_REVERTED: { meaning: "A contract call the EVM settlement sent was mined but reverted" },
  EVM__CHAIN_ID_MISMATCH: { meaning: "The RPC endpoint serves another chain than the one asked for (--chain-id)" },
  EVM__COMPILE_FAILED: { meaning: "solc refused the contracts; the message lists each error with its file:line" },
  EVM__DEPLOY_FAILED: { meaning: "A deployment transaction reverted, or left no code at its address" },
  EVM__FOLLOW_STORE_MISMATCH: {
    meaning: "The log store was written by a follower of another contract, chain or first block; use another file",
  },
  EVM__INDEXER_DIVERGED: {
    meaning:
      "The contract logged a call or a window end the core replays differently (refused, or other values); the " +
      "indexer stops there and serves what it applied; the message has the log's block, index and the difference",
  },
  EVM__INSUFFICIENT_FUNDS: { meaning: "The account cannot pay for the transaction's gas (and value)" },
  EVM__NOT_A_CONTRACT: { meaning: "No contract code at the address given (a wrong token address, another chain?)" },
  EVM__NOT_MINTER: { meaning: "Only the TestToken's deployer may mint it" },
  EVM__RPC_FAILED: { meaning: "The RPC endpoint answered a request with an error; the message has its reply" },
  EVM__RPC_UNREACHABLE: { meaning: "No answer from the RPC endpoint (wrong URL, node not running?)" },
  TASK__NOT_SETTLED: {
    meaning:
      "The contract: more of the task's window ends are due than one call settles; call settle(task, maxSteps) first (anyone may)",
  },
  TASK__RULE_NOT_SUPPORTED: {
    meaning:
      "Retired: the contract refused tasks with distributionRule custom until it implemented deviations 34-35; it takes them now",
  },
} as const satisfies Entries;

/** @gradual/sim: the seeded simulator. */
const SIM_ERROR_CODES = {
  SIM__BAD_SCENARIO: { meaning: "A scenario file has unknown fields or values out of range; the message lists them" },
  SIM__INVARIANT_BROKEN: {
    meaning: "A simulated run broke an invariant (a bug); the message has the seed and the command that replays it",
  },
} as const satisfies Entries;

/** @gradual/cli: the `gradual` command (it also prints every other package's codes as `error[CODE]`). */
const CLI_ERROR_CODES = {
  CLI__BAD_INPUT: { meaning: "An argument or option value is not what the command expects; the message names it" },
  CLI__BAD_OPTION: { meaning: "An option is out of range or conflicts with another" },
  CLI__EXISTS: { meaning: "The command would overwrite a file or folder that exists" },
  CLI__MISSING_ARGUMENT: { meaning: "A required argument was not given" },
  CLI__MISSING_OPTION: { meaning: "A required option was not given" },
  CLI__UNKNOWN_COMMAND: { meaning: "No such command; the message suggests the nearest one when there is one" },
  CLI__UNKNOWN_OPTION: {
    meaning: "The command has no such option; the message suggests the nearest one when there is one",
  },
  DEVNET__FAILED: { meaning: "The devnet could not start or stopped; the message says which process and why" },
  DEVNET__PORT_IN_USE: { meaning: "The devnet's port is taken (another devnet or ledger?)" },
  KEYS__BAD_FILE: { meaning: "The file is not a gradual key file" },
  KEYS__EXISTS: { meaning: "A key file exists at the path; the command does not overwrite keys" },
  KEYS__NOT_ED25519: {
    meaning: "The command signs gradual ledger transactions and needs an ed25519 key, not this type",
  },
  KEYS__NOT_EVM: { meaning: "The command sends EVM transactions and needs an EVM key (gradual keys new --type evm)" },
  KEYS__NO_FILE: { meaning: "No key file at the path" },
  KEYS__WRITE_FAILED: { meaning: "The key file cannot be written" },
  KOII_DEVNET__TASK_FAILED: {
    meaning: "gradual koii devnet: no task call on any node submitted a proof (all failed, or the task never ran)",
  },
  KOII_TEST__FAILED: { meaning: "gradual koii test: a task call failed, or no distribution list was accepted" },
  KOII__BUILD_FAILED: { meaning: "The Koii task folder could not be built into a bundle" },
  KOII__MISSING_TASK_VARIABLE: { meaning: "The Koii task requires a task variable that was not given (--task-var)" },
  LEDGER__SHUTDOWN: { meaning: "gradual ledger failed while stopping (closing its server or store)" },
  NODE__PORT_IN_USE: { meaning: "The node's port is taken (another node?)" },
  T8N__BAD_JSON: { meaning: "gradual t8n: an input file is not valid JSON" },
  T8N__BAD_PRE: { meaning: "gradual t8n: the pre-state file is not a state" },
  T8N__BAD_SLOT: { meaning: "gradual t8n: a slot is not a non-negative integer, or lies before the chain's slot" },
  T8N__BAD_TXS: { meaning: "gradual t8n: the transactions file has a step of the wrong shape" },
  T8N__EXPECTATION_NOT_MET: { meaning: "gradual t8n: a step's result differs from its expect" },
  T8N__INVARIANT_BROKEN: { meaning: "gradual t8n: a transition broke conservation (a protocol bug)" },
  T8N__NO_FILE: { meaning: "gradual t8n: an input file cannot be read" },
  T8N__PROTOCOL_ERROR: { meaning: "gradual t8n: the protocol threw (misuse or a broken invariant)" },
  TASK_CONFIG__INVALID: { meaning: "task.yml has a missing or invalid field; the message names it" },
  TASK_CONFIG__NOT_FOUND: { meaning: "No task.yml at the path, nor in the folder" },
  TASK_DEV__RUN_FAILED: { meaning: "gradual task dev: a run of the task failed; the next change runs it again" },
  TASK_DEV__WATCH_FAILED: { meaning: "gradual task dev: the task's folder cannot be watched" },
  TASK_TEST__FAILED: { meaning: "gradual task test: a task call failed, or no cycle was paid" },
  TASK__NOT_INCLUDED: { meaning: "The createTask transaction was not included in time" },
  UNSTAKE__REVEAL_PENDING: {
    meaning:
      "gradual unstake: the node has a commitment whose reveal is still due, and a reveal needs stake; `gradual node --leave` reveals, then unstakes (--force unstakes now and forfeits that cycle)",
  },
} as const satisfies Entries;

/** @gradual/dashboard: its browser client and its server (which forwards the ledger's own codes). */
const DASHBOARD_ERROR_CODES = {
  API__METHOD_NOT_ALLOWED: { http: 405, meaning: "The dashboard's server is read-only: GET and HEAD only" },
  API__NOT_JSON: { meaning: "The ledger's answer was not JSON (a proxy's error page?)" },
  DASHBOARD__NOT_BUILT: {
    meaning: "The dashboard's page is not built (packages/dashboard/dist/web): run npm run build (npm ci does)",
  },
  NETWORK__UNREACHABLE: { http: 502, meaning: "No answer from the ledger (or the node) behind the dashboard" },
} as const satisfies Entries;

/** A part of the registry: one package's table of codes. */
export type RegistrySection = {
  readonly package: string;
  /** What the table holds, for docs/errors.md. */
  readonly title: string;
  readonly codes: Entries;
};

/**
 * Every package's codes, in the order of the layers (docs/errors.md follows it). A literal of literals, so that a
 * bundler drops it from task bundles, which never look codes up.
 */
export const ERROR_REGISTRY = [
  { package: "protocol", title: "rejections of transactions", codes: ERROR_CODES },
  { package: "protocol", title: "thrown", codes: PROTOCOL_EXCEPTION_CODES },
  { package: "wire", title: "the ledger's wire format, as its readers check it", codes: WIRE_ERROR_CODES },
  { package: "ledger", title: "the ledger's API, storage and clients", codes: LEDGER_ERROR_CODES },
  { package: "sdk", title: "the task bundler", codes: SDK_ERROR_CODES },
  { package: "node", title: "the node: replica, sandbox, servers, ledger reads", codes: NODE_ERROR_CODES },
  { package: "evm", title: "the EVM settlement: contracts build and local chains", codes: EVM_ERROR_CODES },
  { package: "koii", title: "Koii's task API and config-task.yml", codes: KOII_ERROR_CODES },
  { package: "sim", title: "the simulator", codes: SIM_ERROR_CODES },
  { package: "cli", title: "the gradual command", codes: CLI_ERROR_CODES },
  { package: "dashboard", title: "the dashboard's client and server", codes: DASHBOARD_ERROR_CODES },
] as const satisfies readonly RegistrySection[];

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_CODES;
/** A code a reader of the ledger's JSON throws (`WireError` in @gradual/wire). */
export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;
/** Any code the ledger's HTTP API (and its client) can answer with. */
export type ApiErrorCode = ErrorCode | LedgerErrorCode;
type CodesOf<Table> = Table extends unknown ? keyof Table & string : never;
/** Any registered code. */
export type RegisteredCode = CodesOf<(typeof ERROR_REGISTRY)[number]["codes"]>;

type Found = ErrorEntry & { readonly package: string };
let entries: ReadonlyMap<string, Found> | undefined;

/** Code -> entry, built on the first lookup. */
function lookup(code: string): Found | undefined {
  entries ??= new Map(
    ERROR_REGISTRY.flatMap((section) =>
      Object.entries(section.codes as Entries).map(([name, entry]) => [name, { ...entry, package: section.package }]),
    ),
  );
  return entries.get(code);
}

export function isRegisteredCode(code: string): code is RegisteredCode {
  return lookup(code) !== undefined;
}

/** A code's entry with its package, or undefined for a code this build does not know (a newer peer's). */
export function errorEntry(code: string): Found | undefined {
  return lookup(code);
}

/** The registered meaning of a code, or the code itself when this build does not know it. */
export function errorMeaning(code: string): string {
  return lookup(code)?.meaning ?? code;
}

/** The HTTP status an API answers the code with: the registry's, else 500. */
export function httpStatusOf(code: string): number {
  return lookup(code)?.http ?? 500;
}
