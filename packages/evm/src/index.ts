export { type Anvil, anvilBinary, type StartAnvilOptions, startAnvil } from "./anvil.ts";
