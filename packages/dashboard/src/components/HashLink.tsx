import { useSettlement } from "../api/hooks.ts";
import { shortHex } from "../model/search.ts";
import { evmAddressOf, shortAddress } from "../model/settlement.ts";

/**
 * A hash or account, shortened, with the full value on hover and as a link when `to` is given. On an EVM chain an
 * account (an address left-padded to 64 hex characters) is shown as its `0x` address.
 */
export function HashLink({
  value,
  to,
  label,
}: {
  readonly value: string | null | undefined;
  readonly to?: string;
  /** Text shown before the short hash (e.g. "you"). */
  readonly label?: string;
}) {
  const settlement = useSettlement();
  if (value === null || value === undefined) return <span className="muted">–</span>;
  const address = settlement?.kind === "evm" ? evmAddressOf(value) : undefined;
  const text =
    address !== undefined
      ? label === undefined
        ? shortAddress(address)
        : `${label} ${address.slice(0, 6)}`
      : label === undefined
        ? shortHex(value)
        : `${label} ${shortHex(value, 4, 0)}`;
  const title = address === undefined ? value : `EVM address ${address} (account id ${value})`;
  if (to === undefined) {
    return (
      <code className="hash" title={title} data-evm-address={address}>
        {text}
      </code>
    );
  }
  return (
    <a className="hash" href={to} title={title} data-evm-address={address}>
      <code>{text}</code>
    </a>
  );
}
