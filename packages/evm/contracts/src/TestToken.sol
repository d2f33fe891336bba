// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken: the stake and reward token of gradual devnets
/// @notice An ERC-20 with 9 decimals, the protocol's TOKEN_DECIMALS (docs/protocol.md §10), so that one base unit
/// on the chain is one base unit of the protocol. For devnets and tests only: its deployer can mint any amount at
/// any time, so it is worth nothing.
/// @dev OpenZeppelin's ERC20 unchanged, plus `mint` restricted to the deployer (an immutable `minter`). No owner
/// transfer and no burn: a devnet that needs another minter deploys another token.
contract TestToken is ERC20 {
    /// @notice The account that deployed the token, the only one that may mint.
    address public immutable minter;

    /// @notice `mint` was called by an account other than the minter.
    /// @param caller The account that called `mint`.
    error TestToken__NotMinter(address caller);

    /// @notice Creates the token with no supply; the deployer becomes its minter.
    constructor() ERC20("Gradual Test Token", "tGRAD") {
        minter = msg.sender;
    }

    /// @notice The token's decimals: 9, as the protocol's TOKEN_DECIMALS.
    /// @return The number of decimals of an amount.
    function decimals() public pure override returns (uint8) {
        return 9;
    }

    /// @notice Creates `amount` base units (10^-9 token) for `to`. Only the deployer (`minter`) may call it.
    /// @param to The account credited.
    /// @param amount The amount in base units.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert TestToken__NotMinter(msg.sender);
        _mint(to, amount);
    }
}
