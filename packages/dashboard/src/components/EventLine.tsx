import { describeEvent } from "@gradual/wire";
import type { ReactNode } from "react";
import type { StoredEvent } from "../api/live.ts";
import { href } from "../router.ts";
import { Amount } from "./Amount.tsx";
import { HashLink } from "./HashLink.tsx";
import { SlotTime } from "./SlotTime.tsx";

function accountLink(account: string, task: string | undefined): ReactNode {
  return <HashLink value={account} to={task === undefined ? href.account(account) : href.node(task, account)} />;
}

/**
 * One protocol event as a sentence (its shared description, @gradual/wire `describeEvent`) with links to the
 * nodes, cycle and block involved.
 */
export function EventLine({ item, showTask = false }: { readonly item: StoredEvent; readonly showTask?: boolean }) {
  const description = describeEvent(item.event);
  return (
    <li className={`event tone-${description.tone}`} data-event={item.event.type}>
      <span className="event-title">{description.title}</span>
      <span className="event-text">
        {description.parts.map((part, index) => {
          const key = `${index}-${part.kind}`;
          if (part.kind === "account") return <span key={key}>{accountLink(part.account, description.task)}</span>;
          if (part.kind === "amount") return <Amount key={key} value={part.amount} digits={3} />;
          return <span key={key}>{part.text}</span>;
        })}
        {description.task !== undefined && description.cycle !== undefined ? (
          <>
            {" · "}
            <a href={href.cycle(description.task, description.cycle)}>cycle {description.cycle}</a>
          </>
        ) : null}
        {showTask && description.task !== undefined ? (
          <>
            {" · task "}
            <HashLink value={description.task} to={href.task(description.task)} />
          </>
        ) : null}
      </span>
      <a className="event-when" href={href.block(item.block)}>
        <SlotTime slot={item.slot} relative />
      </a>
    </li>
  );
}
