import type { TaskRunner } from "../sandbox/types.ts";

/**
 * Deliberate misbehaviour for demos and tests (`gradual node --misbehave garbage:N`): every N-th cycle the node
 * submits a proof that is not the task's output. Its peers' audits catch it, it is triggered, and an upheld trigger
 * slashes it, which is what the devnet shows. Never enabled unless asked for.
 */
export function withGarbageEvery(runner: TaskRunner, every: number): TaskRunner {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`--misbehave garbage:N expects N >= 1, got ${every}`);
  return {
    setup: () => runner.setup(),
    work: async (cycle, round) => {
      if (cycle % every !== 0) return runner.work(cycle, round);
      return {
        ok: true,
        value: new TextEncoder().encode(JSON.stringify({ garbage: true, cycle, note: "not the task's output" })),
      };
    },
    audit: (cycle, round, proof, submitter) => runner.audit(cycle, round, proof, submitter),
    distribution: (cycle, round, submitters, bounty) => runner.distribution(cycle, round, submitters, bounty),
    route: (request) => runner.route(request),
    close: () => runner.close(),
  };
}

/**
 * A subtler cheat (`--misbehave altered:N`): every N-th cycle the node does the work, then submits its output with
 * one byte changed (the last character of a text moved to another letter or digit). It looks like the task's
 * output, so an audit that compares values finds it wrong instead of failing on a shape it never expected.
 */
function withAlteredOutputEvery(runner: TaskRunner, every: number): TaskRunner {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`--misbehave altered:N expects N >= 1, got ${every}`);
  return {
    ...runner,
    setup: () => runner.setup(),
    work: async (cycle, round) => {
      const result = await runner.work(cycle, round);
      if (cycle % every !== 0 || !result.ok || result.value.length === 0) return result;
      return { ok: true, value: alterOutput(result.value) };
    },
    audit: (cycle, round, proof, submitter) => runner.audit(cycle, round, proof, submitter),
    distribution: (cycle, round, submitters, bounty) => runner.distribution(cycle, round, submitters, bounty),
    route: (request) => runner.route(request),
    close: () => runner.close(),
  };
}

const isAlphanumeric = (byte: number) =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);

/**
 * The bytes with one letter or digit moved to the next of its kind: the last one, so that a JSON text stays JSON and
 * a number or word changes; in a base32 CID (`b` then [a-z2-7]) the one before the last, whose bits are not padding.
 * Without any letter or digit, the last byte becomes "0".
 */
export function alterOutput(bytes: Uint8Array): Uint8Array {
  const altered = new Uint8Array(bytes);
  const positions: number[] = [];
  for (let index = 0; index < altered.length; index += 1)
    if (isAlphanumeric(altered[index] as number)) positions.push(index);
  const text = new TextDecoder().decode(altered);
  const cid = /^b[a-z2-7]{20,}$/.test(text);
  const index = positions.length === 0 ? altered.length - 1 : (positions.at(cid ? -2 : -1) as number);
  const byte = altered[index] as number;
  const next = (from: number, to: number) => (byte === to ? from : byte + 1);
  if (byte >= 0x30 && byte <= 0x39) altered[index] = cid && byte === 0x37 ? 0x61 : next(0x30, 0x39);
  else if (byte >= 0x41 && byte <= 0x5a) altered[index] = next(0x41, 0x5a);
  else if (byte >= 0x61 && byte <= 0x7a) altered[index] = next(0x61, 0x7a);
  else altered[index] = 0x30;
  return altered;
}

/** `garbage:N` or `altered:N` (the node's --misbehave): the runner with that fault. */
export function withMisbehaviour(runner: TaskRunner, fault: Misbehaviour): TaskRunner {
  return fault.kind === "garbage" ? withGarbageEvery(runner, fault.every) : withAlteredOutputEvery(runner, fault.every);
}

export type Misbehaviour = { readonly kind: "garbage" | "altered"; readonly every: number };

/** Parses --misbehave; undefined when the text is not `garbage:N` or `altered:N` with N >= 1. */
export function parseMisbehaviour(text: string): Misbehaviour | undefined {
  const match = /^(garbage|altered):(\d+)$/.exec(text);
  if (match === null || Number(match[2]) < 1) return undefined;
  return { kind: match[1] as Misbehaviour["kind"], every: Number(match[2]) };
}
