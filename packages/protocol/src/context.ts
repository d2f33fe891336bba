import type { ProtocolEvent } from "./events.ts";
import type { Draft } from "./state/store.ts";

/** What a transaction handler or a window end works with: the draft, the slot, and the events it emits. */
export type TransitionContext = {
  readonly draft: Draft;
  readonly slot: number;
  readonly events: ProtocolEvent[];
};
