// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title The distributor race of the `custom` rule (protocol.md §6.1, deviation 35), as `random.ts` computes it.
/// @notice Bit for bit the core's `log2Fixed`, `raceTime` and `beatsInRace`: integer arithmetic only, so a list's
/// poster is compared with the stored holder in O(1).
library GradualRace {
    /// @dev `RACE_FRACTION_BITS`.
    uint256 internal constant FRACTION_BITS = 48;
    bytes internal constant DISTRIBUTOR_TAG = "gradual/distributor/v1\n";

    /// @dev `log2Fixed`: log2(x) for x >= 1 with 48 fractional bits, by repeated squaring of the mantissa (in
    /// [1, 2) * 2^48, so every square fits 2^98), each square floored as the core's `squareShift48`.
    function log2Fixed(uint256 x) internal pure returns (uint256) {
        uint256 integerPart = 0;
        for (uint256 rest = x >> 1; rest != 0; rest >>= 1) integerPart += 1;
        uint256 mantissa = (x << FRACTION_BITS) >> integerPart;
        uint256 fraction = 0;
        for (uint256 bit = FRACTION_BITS; bit > 0; bit -= 1) {
            mantissa = (mantissa * mantissa) >> FRACTION_BITS;
            if (mantissa >= 1 << (FRACTION_BITS + 1)) {
                mantissa >>= 1;
                fraction |= 1 << (bit - 1);
            }
        }
        return (integerPart << FRACTION_BITS) + fraction;
    }

    /// @dev `raceTime`: -log2(u) with u = (h + 1) / 2^64, h the first 8 bytes of H(tag, seed, attempt, node).
    function raceTime(bytes32 seed, uint32 attempt, bytes32 node) internal pure returns (uint64) {
        bytes32 digest = sha256(abi.encodePacked(DISTRIBUTOR_TAG, seed, Strings.toString(attempt), node));
        uint256 value = uint256(digest) >> 192;
        return uint64((64 << FRACTION_BITS) - log2Fixed(value + 1));
    }

    /// @dev `beatsInRace`: a positive weight beats a zero one; two positive weights compare time / weight (as
    /// cross products), two zero weights compare time; ties go to the smaller account.
    function beats(
        bytes32 challenger,
        uint256 challengerTime,
        uint256 challengerWeight,
        bytes32 holder,
        uint256 holderTime,
        uint256 holderWeight
    ) internal pure returns (bool) {
        bool challengerPositive = challengerWeight > 0;
        bool holderPositive = holderWeight > 0;
        if (challengerPositive != holderPositive) return challengerPositive;
        uint256 left = challengerTime * (holderPositive ? holderWeight : 1);
        uint256 right = holderTime * (challengerPositive ? challengerWeight : 1);
        return left < right || (left == right && challenger < holder);
    }
}
