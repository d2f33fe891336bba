import { errorMeaning, GradualError, type GradualErrorOptions, type RegisteredCode } from "@gradual/protocol";

/** The codes @gradual/evm throws (`EVM_ERROR_CODES` in the protocol's error registry). */
export type EvmErrorCode = Extract<RegisteredCode, `EVM__${string}`>;

/** A failure with a stable `EVM__*` code: deployment, RPC, the token, the log follower. */
export class EvmError extends GradualError<EvmErrorCode> {
  override readonly name: string = "EvmError";

  /** The message defaults to the code's meaning in the registry. */
  constructor(code: EvmErrorCode, options: Partial<GradualErrorOptions> = {}) {
    super(code, { ...options, message: options.message ?? errorMeaning(code) });
  }
}
