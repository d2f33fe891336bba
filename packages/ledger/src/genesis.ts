import { readFileSync } from "node:fs";
import { type Account, createGenesisState, type State, TOKEN } from "@gradual/protocol";
import { parseAmount } from "@gradual/wire";
import { generateKeyPair, keyPairFromSecret } from "./keys.ts";

/**
 * The genesis file (JSON) that starts a chain:
 *
 *   { "format": "gradual-genesis/v1", "chainId": "gradual-devnet",
 *     "accounts": [{ "account": "<64 hex>", "balance": "<base units>" }],
 *     "devnet": { "faucet": { "secretKey": "<64 hex>", "maxAmount": "<base units>", "maxRequestsPerMinute": 600 } } }
 *
 * `devnet` is optional; its presence turns on devnet mode (faucet, admin slots). The faucet signs ordinary transfers
 * from its own account, which must be funded in `accounts`, so the block log stays replayable by anyone.
 */
export const GENESIS_FORMAT = "gradual-genesis/v1";

export type FaucetConfig = {
  readonly secretKey: string;
  /** Largest amount one request may ask for, in base units. */
  readonly maxAmount: bigint;
  readonly maxRequestsPerMinute: number;
};

export type DevnetConfig = { readonly faucet: FaucetConfig | null };

export type LedgerGenesis = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
  readonly devnet: DevnetConfig | null;
};

const MAX_GENESIS_ACCOUNTS = 100_000;
const HEX64 = /^[0-9a-f]{64}$/;

function fail(message: string): never {
  throw new TypeError(`genesis: ${message}`);
}

/** A bigint field of the file: a decimal string, as on the wire. */
function amountField(field: string, raw: unknown): bigint {
  try {
    return parseAmount(field, raw);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function asRecord(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`expected ${what} to be an object`);
  return raw as Record<string, unknown>;
}

function onlyKeys(record: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(record).find((key) => !allowed.includes(key));
  if (extra !== undefined) fail(`${what} has no field "${extra}" (expected ${allowed.join(", ")})`);
}

function parseFaucet(raw: unknown): FaucetConfig | null {
  if (raw === undefined || raw === null) return null;
  const record = asRecord(raw, "devnet.faucet");
  onlyKeys(record, ["secretKey", "maxAmount", "maxRequestsPerMinute"], "devnet.faucet");
  if (typeof record.secretKey !== "string" || !HEX64.test(record.secretKey)) {
    fail("expected devnet.faucet.secretKey to be 64 lowercase hex characters");
  }
  const perMinute = record.maxRequestsPerMinute ?? 600;
  if (typeof perMinute !== "number" || !Number.isSafeInteger(perMinute) || perMinute < 1) {
    fail(`expected devnet.faucet.maxRequestsPerMinute to be a positive integer, got ${JSON.stringify(perMinute)}`);
  }
  return {
    secretKey: record.secretKey,
    maxAmount: amountField("devnet.faucet.maxAmount", record.maxAmount ?? (1_000n * TOKEN).toString()),
    maxRequestsPerMinute: perMinute,
  };
}

/** Checks a parsed genesis file field by field ("expected X, got Y") and returns it typed. */
export function parseGenesis(raw: unknown): LedgerGenesis {
  const record = asRecord(raw, "the genesis file");
  onlyKeys(record, ["format", "chainId", "accounts", "devnet"], "the genesis file");
  if (record.format !== undefined && record.format !== GENESIS_FORMAT) {
    fail(`expected format "${GENESIS_FORMAT}", got ${JSON.stringify(record.format)}`);
  }
  if (typeof record.chainId !== "string") fail("expected chainId to be a string");
  if (!Array.isArray(record.accounts)) fail("expected accounts to be an array");
  if (record.accounts.length > MAX_GENESIS_ACCOUNTS) fail(`expected at most ${MAX_GENESIS_ACCOUNTS} accounts`);
  const accounts = record.accounts.map((entry: unknown, index: number) => {
    const item = asRecord(entry, `accounts[${index}]`);
    onlyKeys(item, ["account", "balance"], `accounts[${index}]`);
    if (typeof item.account !== "string" || !HEX64.test(item.account)) {
      fail(`expected accounts[${index}].account to be 64 lowercase hex characters`);
    }
    return { account: item.account, balance: amountField(`accounts[${index}].balance`, item.balance) };
  });
  let devnet: DevnetConfig | null = null;
  if (record.devnet !== undefined && record.devnet !== null) {
    const devnetRecord = asRecord(record.devnet, "devnet");
    onlyKeys(devnetRecord, ["faucet"], "devnet");
    devnet = { faucet: parseFaucet(devnetRecord.faucet) };
  }
  const genesis: LedgerGenesis = { chainId: record.chainId, accounts, devnet };
  genesisState(genesis); // the protocol checks the chain id and the accounts
  return genesis;
}

export function loadGenesisFile(path: string): LedgerGenesis {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TypeError(`genesis: cannot read ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`genesis: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseGenesis(raw);
}

export function genesisToJson(genesis: LedgerGenesis): Record<string, unknown> {
  const out: Record<string, unknown> = {
    format: GENESIS_FORMAT,
    chainId: genesis.chainId,
    accounts: genesis.accounts.map(({ account, balance }) => ({ account, balance: balance.toString() })),
  };
  if (genesis.devnet !== null) {
    const faucet = genesis.devnet.faucet;
    out.devnet = {
      faucet:
        faucet === null
          ? null
          : {
              secretKey: faucet.secretKey,
              maxAmount: faucet.maxAmount.toString(),
              maxRequestsPerMinute: faucet.maxRequestsPerMinute,
            },
    };
  }
  return out;
}

export function genesisState(genesis: LedgerGenesis): State {
  return createGenesisState({ chainId: genesis.chainId, accounts: genesis.accounts });
}

/** The faucet's account, when the genesis has one. */
export function faucetAccount(genesis: LedgerGenesis): Account | null {
  const faucet = genesis.devnet?.faucet;
  return faucet == null ? null : keyPairFromSecret(faucet.secretKey).publicKey;
}

export type CreateDevnetGenesisParameters = {
  readonly chainId?: string;
  /** Extra funded accounts. */
  readonly accounts?: readonly { readonly account: Account; readonly balance: bigint }[];
  /** Faucet seed; a fresh key when omitted. */
  readonly faucetSecretKey?: string;
  readonly faucetBalance?: bigint;
  readonly faucetMaxAmount?: bigint;
};

/** A devnet genesis: a funded faucet (one billion tokens by default) plus any accounts given. */
export function createDevnetGenesis(parameters: CreateDevnetGenesisParameters = {}): LedgerGenesis {
  const faucet = parameters.faucetSecretKey ?? generateKeyPair().secretKey;
  const faucetKey = keyPairFromSecret(faucet);
  return {
    chainId: parameters.chainId ?? "gradual-devnet",
    accounts: [
      { account: faucetKey.publicKey, balance: parameters.faucetBalance ?? 1_000_000_000n * TOKEN },
      ...(parameters.accounts ?? []),
    ],
    devnet: {
      faucet: {
        secretKey: faucet,
        maxAmount: parameters.faucetMaxAmount ?? 1_000n * TOKEN,
        maxRequestsPerMinute: 600,
      },
    },
  };
}
