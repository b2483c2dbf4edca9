// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A counter whose increments must happen in order, used by `braid synth` (kinds chain, mixed):
/// transaction i calls increment(i), which reverts unless the counter is exactly i, so every
/// transaction depends on the one before it (one slot, read and written by all of them).
///
/// No constructor runs: the generator places the RUNTIME bytecode in the alloc, so it relies on
/// this layout (src/synth/solidity.ts checks it against solc's storageLayout output):
///   slot 0: uint256 count (starts at 0: no storage preloaded)
contract Counter {
    uint256 public count;

    event Incremented(address indexed by, uint256 count);

    function increment(uint256 expected) external returns (uint256) {
        require(count == expected, "Counter: out of order");
        uint256 next = expected + 1;
        count = next;
        emit Incremented(msg.sender, next);
        return next;
    }
}
