import type { Command } from "commander";

type CommandModule = { register(program: Command): void };
type LoadCommandModule = () => Promise<CommandModule>;

const account: LoadCommandModule = () => import("./account.ts");
const dashboard: LoadCommandModule = () => import("./dashboard.ts");
const devnet: LoadCommandModule = () => import("./devnet.ts");
const evm: LoadCommandModule = () => import("./evm.ts");
const indexer: LoadCommandModule = () => import("./indexer.ts");
const keys: LoadCommandModule = () => import("./keys.ts");
const koii: LoadCommandModule = () => import("./koii.ts");
const ledger: LoadCommandModule = () => import("./ledger.ts");
const node: LoadCommandModule = () => import("./node.ts");
const sim: LoadCommandModule = () => import("./sim.ts");
const staking: LoadCommandModule = () => import("./staking.ts");
const t8n: LoadCommandModule = () => import("./t8n.ts");
const task: LoadCommandModule = () => import("./task.ts");
const transfer: LoadCommandModule = () => import("./transfer.ts");

/** Every command module, in the order `gradual --help` lists their commands. */
const ALL: readonly LoadCommandModule[] = [
  t8n,
  ledger,
  keys,
  account,
  transfer,
  task,
  staking,
  node,
  devnet,
  dashboard,
  koii,
  sim,
  evm,
  indexer,
];

/** The module that registers each top-level command (a module may register several, as staking does). */
export const COMMAND_MODULES: Readonly<Record<string, LoadCommandModule>> = {
  t8n,
  ledger,
  keys,
  account,
  faucet: account,
  transfer,
  task,
  stake: staking,
  unstake: staking,
  withdraw: staking,
  claim: staking,
  node,
  devnet,
  dashboard,
  koii,
  sim,
  deploy: evm,
  token: evm,
  indexer,
};

/**
 * Every command lives in its own file under commands/ and exports `register(program)`; add new ones to ALL and
 * COMMAND_MODULES. Only the module of the command being run is loaded (with the packages it imports): a node or a
 * ledger process, which runs for days, does not carry the simulator's charting libraries, the Koii bundler or the
 * dashboard server. Without a known command (`gradual`, `gradual --help`, a typo) every module is loaded, so help
 * lists them all and a typo gets its suggestion.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv.find((arg) => !arg.startsWith("-"));
  const known = name === undefined ? undefined : COMMAND_MODULES[name];
  const loaders = known === undefined ? ALL : [known];
  for (const module of await Promise.all(loaders.map((load) => load()))) module.register(program);
}
