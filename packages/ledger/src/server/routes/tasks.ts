import { LedgerError } from "../../errors.ts";
import { ReadMiss, type ReadParams, STATE_READS } from "../../stateReads.ts";
import type { Page } from "../../views.ts";
import type { ServerContext } from "../createLedgerServer.ts";

const ERRORS = { description: "{ code, message, context }" };

type PageQuery = { offset?: number; limit?: number };
const pageOf = (query: unknown): Page => {
  const { offset, limit } = query as PageQuery;
  return { offset: offset ?? 0, limit: limit ?? 100 };
};

/** The routes a state alone answers (tasks, nodes, cycles): one table, STATE_READS, shared with the local runs. */
export function registerTaskRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  for (const { route, tag, summary, reply, read } of STATE_READS) {
    table.add({
      route,
      tag,
      summary,
      responses: { 200: { description: reply }, 404: ERRORS },
      handler: async (request) => {
        const answer = read(ledger.state, request.params as ReadParams, pageOf(request.query));
        if (answer instanceof ReadMiss) {
          throw new LedgerError(answer.code, {
            ...(answer.message === undefined ? {} : { message: answer.message }),
            context: answer.context,
          });
        }
        return answer;
      },
    });
  }
}
