import type { StrategyName } from "../scenario.ts";
import type { Strategy } from "../world.ts";
import { colluding } from "./colluding.ts";
import { copier } from "./copier.ts";
import { downtime } from "./downtime.ts";
import { follower } from "./follower.ts";
import { garbage } from "./garbage.ts";
import { griefer } from "./griefer.ts";
import { honest } from "./honest.ts";
import { lazy } from "./lazy.ts";
import { liar } from "./liar.ts";
import { offline } from "./offline.ts";
import { selfpay } from "./selfpay.ts";
import { disputer, holdout, unavailable } from "./unavailable.ts";
import { whale } from "./whale.ts";

export const STRATEGIES: Record<StrategyName, Strategy> = {
  honest,
  lazy,
  copier,
  garbage,
  griefer,
  offline,
  liar,
  whale,
  colluding,
  follower,
  unavailable,
  selfpay,
  downtime,
  disputer,
  holdout,
};
