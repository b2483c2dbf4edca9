// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Minimal ERC-20 used by `braid synth` (kinds erc20, erc20-hot, mixed).
///
/// No constructor runs: the generator places the RUNTIME bytecode in the alloc and preloads the
/// storage, so it relies on this layout (src/synth/solidity.ts checks it against solc's
/// storageLayout output and fails if it ever changes):
///   slot 0: mapping(address => uint256) balanceOf  -> balanceOf[a] at keccak256(pad32(a) ++ pad32(0))
///   slot 1: mapping(address => mapping(address => uint256)) allowance (not preloaded)
///   slot 2: uint256 totalSupply
contract Token {
    string public constant name = "Braid Synthetic Token";
    string public constant symbol = "BST";
    uint8 public constant decimals = 18;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "Token: allowance");
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(to != address(0), "Token: zero address");
        uint256 fromBalance = balanceOf[from];
        require(fromBalance >= value, "Token: balance");
        unchecked {
            balanceOf[from] = fromBalance - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
