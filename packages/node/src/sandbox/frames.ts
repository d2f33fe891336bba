import { deserialize, serialize } from "node:v8";

/**
 * Framing of the messages between the node and a task process: a 4-byte big-endian length, then the message in V8's
 * structured-clone format (node:v8 serialize), so bigints and bytes cross as they do between worker threads. The
 * reader refuses a frame longer than its limit before buffering it, so a task cannot make the node hold a huge
 * message; what a frame decodes to is still untrusted (messages.ts checks it).
 */

const HEADER_BYTES = 4;

export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameReader = {
  /** Feeds bytes as they arrive; calls onFrame per whole frame, or onError once and then ignores everything. */
  push(chunk: Buffer): void;
};

export type FrameReaderOptions = {
  readonly maxFrameBytes: number;
  readonly onFrame: (message: unknown) => void;
  readonly onError: (message: string) => void;
};

export function createFrameReader(options: FrameReaderOptions): FrameReader {
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let failed = false;
  const fail = (message: string): void => {
    failed = true;
    buffered = [];
    options.onError(message);
  };
  /** Length of the frame being read, once its header is in; chunks are joined only when the frame is whole. */
  let expected: number | undefined;
  const drain = (): void => {
    while (!failed) {
      if (expected === undefined) {
        if (bufferedBytes < HEADER_BYTES) return;
        const first = buffered[0] as Buffer;
        const head = first.length >= HEADER_BYTES ? first : Buffer.concat(buffered);
        buffered = head === first ? buffered : [head];
        expected = head.readUInt32BE(0);
        if (expected > options.maxFrameBytes) {
          fail(`a message of ${expected} bytes exceeds the limit of ${options.maxFrameBytes}`);
          return;
        }
      }
      if (bufferedBytes < HEADER_BYTES + expected) return;
      const all = buffered.length === 1 ? (buffered[0] as Buffer) : Buffer.concat(buffered);
      const body = all.subarray(HEADER_BYTES, HEADER_BYTES + expected);
      const rest = all.subarray(HEADER_BYTES + expected);
      buffered = rest.length > 0 ? [rest] : [];
      bufferedBytes = rest.length;
      expected = undefined;
      let message: unknown;
      try {
        message = deserialize(body);
      } catch {
        fail("a message could not be decoded");
        return;
      }
      options.onFrame(message);
    }
  };
  return {
    push(chunk) {
      if (failed) return;
      buffered.push(chunk);
      bufferedBytes += chunk.length;
      drain();
    },
  };
}
