import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Address, getAddress, type Hex } from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";

/**
 * EVM keys (secp256k1) in gradual's key-file conventions: JSON, mode 0600, never overwritten, the secret beside
 * what it names. The file carries `"type": "evm"` so that every command that loads a key knows which kind it holds
 * (ed25519 files have `"type": "ed25519"`, or no type when written before EVM keys existed).
 *
 * `{ "type": "evm", "address": "0xAbC…", "accountId": "000…abc…", "privateKey": "0x…" }`
 */
export type EvmKeyFile = {
  readonly type: "evm";
  /** The EIP-55 checksummed address. */
  readonly address: Address;
  /** How the protocol names the account: {@link evmAccountId} of the address. */
  readonly accountId: string;
  /** 32 bytes, 0x-prefixed hex. */
  readonly privateKey: Hex;
};

export type EvmKey = EvmKeyFile & { readonly account: PrivateKeyAccount };

/**
 * The protocol's name of an EVM account: the 20-byte address left-padded with zeros to 32 bytes, as 64 lowercase
 * hex characters without 0x (the width of an ed25519 account, so both kinds fit the same fields).
 */
export function evmAccountId(address: Address): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new TypeError(`expected a 20-byte 0x address, got ${address}`);
  return address.slice(2).toLowerCase().padStart(64, "0");
}

/** The address an account id names, or undefined when it is not a padded 20-byte address. */
export function addressOfAccountId(accountId: string): Address | undefined {
  if (!/^0{24}[0-9a-f]{40}$/.test(accountId)) return undefined;
  return getAddress(`0x${accountId.slice(24)}`);
}

export function evmKeyFromPrivateKey(privateKey: Hex): EvmKey {
  if (!/^0x[0-9a-f]{64}$/.test(privateKey)) throw new TypeError("expected a private key of 0x and 64 hex characters");
  const account = privateKeyToAccount(privateKey);
  return { type: "evm", address: account.address, accountId: evmAccountId(account.address), privateKey, account };
}

/** A new key from the operating system's random source (viem's `generatePrivateKey`). */
export function generateEvmKey(): EvmKey {
  return evmKeyFromPrivateKey(generatePrivateKey());
}

/** Writes a new key file (mode 0600); throws if the file exists. */
export function saveEvmKeyFile(path: string, key: EvmKey): void {
  mkdirSync(dirname(path), { recursive: true });
  const file: EvmKeyFile = {
    type: "evm",
    address: key.address,
    accountId: key.accountId,
    privateKey: key.privateKey,
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
}

/** Reads an EVM key file; throws a TypeError naming what is wrong (another type, a mismatched address). */
export function loadEvmKeyFile(path: string): EvmKey {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Record<keyof EvmKeyFile, unknown>>;
  if (parsed.type !== "evm") throw new TypeError(`${path}: expected "type": "evm", got ${JSON.stringify(parsed.type)}`);
  if (typeof parsed.privateKey !== "string") throw new TypeError(`${path}: expected a "privateKey"`);
  const key = evmKeyFromPrivateKey(parsed.privateKey as Hex);
  if (parsed.address !== undefined && parsed.address !== key.address)
    throw new TypeError(`${path}: address does not match privateKey`);
  if (parsed.accountId !== undefined && parsed.accountId !== key.accountId)
    throw new TypeError(`${path}: accountId does not match privateKey`);
  return key;
}
