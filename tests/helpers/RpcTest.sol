// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Contracts deployed on anvil by tests/rpc.test.ts (see helpers/anvil-chain.ts).

/// An ERC-20-style token minted to its deployer.
contract TestToken {
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "TestToken: balance");
        unchecked {
            balanceOf[msg.sender] -= value;
        }
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}

/// Storage-heavy calls (many slots set, cleared), BLOCKHASH, transient storage, a revert.
contract Store {
    mapping(uint256 => uint256) public slots;
    uint256 public writes;
    bytes32 public seenHash;

    event Filled(uint256 from, uint256 n, uint256 sum);

    function fill(uint256 from, uint256 n) external {
        uint256 sum;
        for (uint256 i = from; i < from + n; i++) {
            slots[i] = i * 7 + 1;
            sum += slots[i];
        }
        writes += n;
        emit Filled(from, n, sum);
    }

    function clear(uint256 from, uint256 n) external {
        for (uint256 i = from; i < from + n; i++) delete slots[i];
    }

    function recordHash(uint256 back) external {
        seenHash = blockhash(block.number - back);
    }

    function tcount(uint256 n) external returns (uint256 r) {
        assembly {
            tstore(0, add(tload(0), n))
            r := tload(0)
        }
        writes += r;
    }

    function boom() external pure {
        revert("Store: boom");
    }
}

contract Child {
    uint256 public immutable tag;

    constructor(uint256 t) payable {
        tag = t;
    }
}

/// CREATE2 factory: making the same salt twice collides, and the second call reverts.
contract Factory {
    event Made(address child);

    function make(uint256 salt) external payable returns (address c) {
        c = address(new Child{salt: bytes32(salt), value: msg.value}(salt));
        emit Made(c);
    }
}
