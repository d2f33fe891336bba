import type { ReactNode } from "react";
import type { StoredEvent } from "../api/live.ts";
import { describeEvent } from "../model/events.ts";
import { href } from "../router.ts";
import { Amount } from "./Amount.tsx";
import { HashLink } from "./HashLink.tsx";
import { SlotTime } from "./SlotTime.tsx";

function accountLink(account: string | undefined, task: string | undefined): ReactNode {
  if (account === undefined) return "someone";
  return <HashLink value={account} to={task === undefined ? href.account(account) : href.node(task, account)} />;
}

/** One protocol event as a sentence with links to the nodes, cycle and block involved. */
export function EventLine({ item, showTask = false }: { readonly item: StoredEvent; readonly showTask?: boolean }) {
  const description = describeEvent(item.event);
  const parts = description.text.split(/(\{actor\}|\{target\}|\{amount\})/);
  return (
    <li className={`event tone-${description.tone}`} data-event={item.event.type}>
      <span className="event-title">{description.title}</span>
      <span className="event-text">
        {parts.map((part, index) => {
          const key = `${index}-${part}`;
          if (part === "{actor}") return <span key={key}>{accountLink(description.actor, description.task)}</span>;
          if (part === "{target}") return <span key={key}>{accountLink(description.target, description.task)}</span>;
          if (part === "{amount}") return <Amount key={key} value={description.amount} digits={3} />;
          return <span key={key}>{part}</span>;
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
