// Report workers run the TypeScript sources directly, like the CLI: register tsx's loader, then load the worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
