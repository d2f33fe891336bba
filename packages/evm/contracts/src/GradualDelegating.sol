// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {GradualState} from "./GradualState.sol";

/// @title What `Gradual`, its lists module and its tasks module share: the audits module's address, and the window
/// ends applied through it.
/// @notice Their transactions settle a task (`_touch`) by delegatecalling the audits module's `settle`, which runs on
/// the calling contract's storage as every module does.
abstract contract GradualDelegating is GradualState {
    /// @notice The audits module, whose `settle` applies the window ends.
    address public immutable audits;

    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_, address audits_)
        GradualState(token_, genesisTimestamp_, slotMs_)
    {
        audits = audits_;
    }

    /// @dev Window ends are the audits module's: its `settle(id, maxSteps)` by delegatecall (a revert is passed on).
    function _settle(bytes32 id, uint256 maxSteps) internal override returns (bool) {
        (bool ok, bytes memory result) =
            audits.delegatecall(abi.encodeWithSignature("settle(bytes32,uint256)", id, maxSteps));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return abi.decode(result, (bool));
    }
}
