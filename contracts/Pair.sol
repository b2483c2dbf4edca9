// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Constant-product pool in the style of UniswapV2Pair, used by `braid synth` (kinds amm,
/// amm-one-pool, mixed). To keep it self-contained there are no ERC-20 tokens: traders hold
/// internal balances of token0 and token1 inside the pair, and `swap` moves them.
///
/// No constructor runs: the generator places the RUNTIME bytecode in the alloc and preloads the
/// storage, so it relies on this layout (src/synth/solidity.ts checks it against solc's
/// storageLayout output and fails if it ever changes):
///   slot 0: reserve0 (uint112, bits 0..111) | reserve1 (uint112, bits 112..223)
///           | blockTimestampLast (uint32, bits 224..255)      -- packed as in Uniswap V2
///   slot 1: mapping(address => uint256) balance0  -> keccak256(pad32(a) ++ pad32(1))
///   slot 2: mapping(address => uint256) balance1  -> keccak256(pad32(a) ++ pad32(2))
///   slot 3: uint256 price0CumulativeLast
///   slot 4: uint256 price1CumulativeLast
contract Pair {
    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;

    mapping(address => uint256) public balance0;
    mapping(address => uint256) public balance1;

    uint256 public price0CumulativeLast;
    uint256 public price1CumulativeLast;

    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );

    function getReserves() external view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// Sells `amountIn` of token0 (zeroForOne) or token1 for the other token at the constant-product
    /// price with a 0.3% fee: out = in*997*rOut / (rIn*1000 + in*997).
    function swap(uint256 amountIn, bool zeroForOne) external returns (uint256 amountOut) {
        require(amountIn > 0, "Pair: INSUFFICIENT_INPUT_AMOUNT");
        (uint112 r0, uint112 r1) = (reserve0, reserve1);
        (uint256 rIn, uint256 rOut) = zeroForOne ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 amountInWithFee = amountIn * 997;
        amountOut = (amountInWithFee * rOut) / (rIn * 1000 + amountInWithFee);
        require(amountOut > 0 && amountOut < rOut, "Pair: INSUFFICIENT_OUTPUT_AMOUNT");

        uint256 b0;
        uint256 b1;
        if (zeroForOne) {
            balance0[msg.sender] -= amountIn; // reverts when the trader lacks the input
            balance1[msg.sender] += amountOut;
            b0 = uint256(r0) + amountIn;
            b1 = uint256(r1) - amountOut;
        } else {
            balance1[msg.sender] -= amountIn;
            balance0[msg.sender] += amountOut;
            b0 = uint256(r0) - amountOut;
            b1 = uint256(r1) + amountIn;
        }
        // The invariant check of UniswapV2Pair.swap: fee-adjusted balances keep k from shrinking.
        uint256 b0Adjusted = b0 * 1000 - (zeroForOne ? amountIn * 3 : 0);
        uint256 b1Adjusted = b1 * 1000 - (zeroForOne ? 0 : amountIn * 3);
        require(b0Adjusted * b1Adjusted >= uint256(r0) * uint256(r1) * 1000 ** 2, "Pair: K");

        _update(b0, b1, r0, r1);
        if (zeroForOne) emit Swap(msg.sender, amountIn, 0, 0, amountOut, msg.sender);
        else emit Swap(msg.sender, 0, amountIn, amountOut, 0, msg.sender);
    }

    function _update(uint256 b0, uint256 b1, uint112 r0, uint112 r1) private {
        require(b0 <= type(uint112).max && b1 <= type(uint112).max, "Pair: OVERFLOW");
        uint32 blockTimestamp = uint32(block.timestamp % 2 ** 32);
        unchecked {
            uint32 timeElapsed = blockTimestamp - blockTimestampLast;
            if (timeElapsed > 0 && r0 != 0 && r1 != 0) {
                // UQ112x112 price accumulators, written by the first swap of a block on this pool.
                price0CumulativeLast += ((uint256(r1) << 112) / r0) * timeElapsed;
                price1CumulativeLast += ((uint256(r0) << 112) / r1) * timeElapsed;
            }
        }
        reserve0 = uint112(b0);
        reserve1 = uint112(b1);
        blockTimestampLast = blockTimestamp;
    }
}
