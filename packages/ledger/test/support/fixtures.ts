import { type Account, TOKEN, type Transaction } from "@gradual/protocol";
import {
  createDevnetGenesis,
  generateKeyPair,
  type KeyPair,
  type LedgerGenesis,
  signTransaction,
} from "../../src/index.ts";

/** Test chains: named funded keys on a devnet genesis (faucet included), with nonces tracked per key. */
export type TestKeys<N extends string = string> = Record<N, KeyPair>;

export function makeKeys<const N extends string>(names: readonly N[]): TestKeys<N> {
  return Object.fromEntries(names.map((name) => [name, generateKeyPair()])) as TestKeys<N>;
}

export function makeGenesis(keys: TestKeys, balance = 1_000_000n * TOKEN, chainId = "gradual-test"): LedgerGenesis {
  return createDevnetGenesis({
    chainId,
    accounts: Object.values(keys).map((key) => ({ account: key.publicKey, balance })),
  });
}

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Body = Without<Transaction, "chainId" | "from" | "nonce">;

export function signed(key: KeyPair, chainId: string, nonce: number, body: Body) {
  const tx = { ...body, chainId, from: key.publicKey, nonce } as Transaction;
  return { tx, signature: signTransaction(key, tx) };
}

export function transfer(key: KeyPair, chainId: string, nonce: number, to: Account, amount = 1n) {
  return signed(key, chainId, nonce, { kind: "transfer", to, amount });
}
