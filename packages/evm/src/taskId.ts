import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";

/** The contract's task id: `keccak256(abi.encode(block.chainid, address(this), creator, taskCount))`, 64 hex. */
export function evmTaskId(chainId: number, contract: Address, creator: string, taskCount: number): string {
  const encoded = encodeAbiParameters(
    [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "uint32" }],
    [BigInt(chainId), contract, `0x${creator}` as Hex, taskCount],
  );
  return keccak256(encoded).slice(2);
}
