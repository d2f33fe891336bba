// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test-only ERC-20 with 9 decimals (the core's base units) and an open mint.
contract TestToken is ERC20 {
    constructor() ERC20("Gradual Test Token", "GTT") {}

    /// @notice 9 decimals, as the core's TOKEN.
    function decimals() public pure override returns (uint8) {
        return 9;
    }

    /// @notice Mints `amount` to `to` (tests only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
