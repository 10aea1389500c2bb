// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Membership states. Only Active members trade.
enum MemberStatus {
    None,
    Pending,
    Active,
    Rejected,
    Suspended
}

/// @notice Stored session states; "Revealing" is derived from block time (commit deadline passed).
enum SessionState {
    None,
    Open,
    Cleared,
    Validated,
    Settled,
    Cancelled
}

/// @notice Parameters of a new session. Deadlines and delivery start are Unix seconds read
/// against block.timestamp. Prices are token base units per kWh; quantities are Wh.
struct SessionParams {
    uint64 commitDeadline;
    uint64 revealDeadline;
    uint64 deliveryStart;
    uint32 slotLength;
    uint16 slots;
    uint128 deposit;
    uint64 sellerBondPerKWh;
    bytes32 manifestHash;
}

/// @notice A member's EIP-712 authorisation to commit, relayed by anyone.
struct CommitAuth {
    address member;
    bytes32 commitment;
    uint256 deadline;
    uint8 v;
    bytes32 r;
    bytes32 s;
}

/// @notice A member's reveal, relayed by anyone. No signature: the commitment (bound to chain,
/// contract, session and member) already fixes orders and salt, and only the member knows the salt.
struct RevealEntry {
    address member;
    uint256[] orders;
    bytes32 salt;
}

/// @notice One member's fills in a clearing publication. `orders` and `salt` are the revealed
/// ones (checked against the commitment); `fills` are packed words, one per filled order, in
/// strictly increasing order index.
struct MemberFills {
    address member;
    uint256[] orders;
    bytes32 salt;
    uint256[] fills;
}

/// @notice One member's validated deliveries: its cleared fills (checked against the hash stored
/// at clearing), the delivered Wh per fill, and a penalty in token base units. A cleared fill is
/// the fill word with its order's side, slot and limit price added (see `MarketMath`), so the
/// orders need not be sent again.
struct MemberDeliveries {
    address member;
    uint256[] fills;
    uint256[] delivered;
    uint256 penalty;
}

/// @title MarketMath
/// @notice Packed order and fill words, and the exact integer rules for money.
///
/// Order word: bits 0–63 limit price (base units per kWh), 64–127 quantity (Wh), 128–135 side
/// (0 buy, 1 sell), 136–151 slot; higher bits zero.
/// Fill word: bits 0–63 price, 64–127 quantity (Wh), 128–143 order index; higher bits zero.
/// Cleared fill word (stored by hash at clearing, sent at validation): the fill word, then bits
/// 144–151 side, 152–167 slot, 168–231 limit price of the filled order; higher bits zero.
/// Money for q Wh at p per kWh is q·p/1000: buyers pay and lock the ceiling, sellers receive the
/// floor, so the contract never pays out more than it took; the difference (dust) goes to the
/// treasury.
library MarketMath {
    uint256 internal constant MASK64 = type(uint64).max;

    function orderPrice(uint256 word) internal pure returns (uint256) {
        return word & MASK64;
    }

    function orderQuantity(uint256 word) internal pure returns (uint256) {
        return (word >> 64) & MASK64;
    }

    function orderSide(uint256 word) internal pure returns (uint256) {
        return (word >> 128) & 0xff;
    }

    function orderSlot(uint256 word) internal pure returns (uint256) {
        return (word >> 136) & 0xffff;
    }

    function orderHighBits(uint256 word) internal pure returns (uint256) {
        return word >> 152;
    }

    function fillPrice(uint256 word) internal pure returns (uint256) {
        return word & MASK64;
    }

    function fillQuantity(uint256 word) internal pure returns (uint256) {
        return (word >> 64) & MASK64;
    }

    function fillOrderIndex(uint256 word) internal pure returns (uint256) {
        return (word >> 128) & 0xffff;
    }

    function fillHighBits(uint256 word) internal pure returns (uint256) {
        return word >> 144;
    }

    /// @notice A fill word with its (checked) order's side, slot and limit price.
    function clearedFill(uint256 fill, uint256 order) internal pure returns (uint256) {
        return fill | ((order >> 128) << 144) | ((order & MASK64) << 168);
    }

    function clearedSide(uint256 word) internal pure returns (uint256) {
        return (word >> 144) & 0xff;
    }

    function clearedSlot(uint256 word) internal pure returns (uint256) {
        return (word >> 152) & 0xffff;
    }

    function clearedLimit(uint256 word) internal pure returns (uint256) {
        return (word >> 168) & MASK64;
    }

    /// @notice keccak256 of the words' concatenation (as `abi.encodePacked`).
    function hashWords(uint256[] memory words) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(add(words, 0x20), mul(mload(words), 0x20))
        }
    }

    /// @dev Bytes per packed word in events: an order fits 19 bytes (152 bits), a fill 18
    /// (144 bits), a delivered quantity 8 (64 bits).
    uint256 internal constant ORDER_BYTES = 19;
    uint256 internal constant FILL_BYTES = 18;
    uint256 internal constant DELIVERED_BYTES = 8;

    /// @notice The compact form events carry: each word as its `width` low bytes, big-endian,
    /// concatenated (so 24 orders take 456 bytes of log data instead of 768). The caller has
    /// checked that every word fits `width` bytes.
    function pack(uint256[] calldata words, uint256 width) internal pure returns (bytes memory packed) {
        assembly ("memory-safe") {
            packed := mload(0x40)
            mstore(packed, mul(words.length, width))
            let out := add(packed, 0x20)
            let shift := sub(256, mul(8, width))
            let src := words.offset
            for { let end := add(src, mul(words.length, 0x20)) } lt(src, end) { src := add(src, 0x20) } {
                // Writes 32 bytes: the value's `width` bytes, then zeros the next word overwrites.
                mstore(out, shl(shift, calldataload(src)))
                out := add(out, width)
            }
            // The last store may reach 32 bytes past `out`: allocate beyond it.
            mstore(0x40, and(add(out, 0x3f), not(0x1f)))
        }
    }

    function ceilDiv1000(uint256 x) internal pure returns (uint256) {
        return (x + 999) / 1000;
    }

    /// @notice Collateral an order locks: buyers quantity × limit, sellers quantity × bond.
    function collateral(uint256 side, uint256 quantity, uint256 limitPrice, uint256 bondPerKWh)
        internal
        pure
        returns (uint256)
    {
        return ceilDiv1000(quantity * (side == 0 ? limitPrice : bondPerKWh));
    }
}
