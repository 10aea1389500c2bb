// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketBase} from "./MarketBase.sol";
import {SessionOrders} from "./SessionOrders.sol";
import {MarketMath, MemberDeliveries, MemberFills, SessionState} from "./MarketTypes.sol";

/// @title Marketplace
/// @notice The CER local energy market: membership, funds, sessions with sealed orders, clearing
/// publication, validation publication, settlement. See docs/protocol.md.
contract Marketplace is SessionOrders {
    using MarketMath for uint256;

    /// @notice `fills` is packed: 18 bytes per fill word (bits 0–143), big-endian. What was
    /// released follows from the revealed orders and the fills.
    event MemberCleared(uint256 indexed sessionId, address indexed member, bytes fills);
    event ClearingPublished(uint256 indexed sessionId, uint64[] clearingPrices, bytes32 resultHash);
    /// @notice `delivered` is packed: 8 bytes (uint64, big-endian) per fill, in fill order.
    event MemberValidated(
        uint256 indexed sessionId,
        address indexed member,
        bytes delivered,
        uint256 paid,
        uint256 receivable,
        uint256 penalty
    );
    event ValidationPublished(uint256 indexed sessionId, bytes32 validationHash, uint256 dust);
    event Executed(uint256 indexed sessionId, address indexed member, uint256 amount);
    event SessionSettled(uint256 indexed sessionId);
    event SessionCancelled(uint256 indexed sessionId, string reason);
    event LockReleased(uint256 indexed sessionId, address indexed member, uint256 amount);

    constructor(address token_, address operator_) MarketBase(token_, operator_) {}

    // ---- clearing publication ----

    /// @notice Publishes one chunk of the clearing result: per member its revealed orders and
    /// salt (checked against the commitment) and its fills. Rejects fills above a buyer's limit,
    /// below a seller's, larger than the order, or out of order; tracks per-slot balance.
    /// Releases the collateral of what was not filled. Call `finalizeClearing` after the last chunk.
    function setFinalOrders(uint256 sessionId, MemberFills[] calldata entries) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Open);
        if (block.timestamp < s.revealDeadline) revert RevealPhaseNotOver(sessionId, s.revealDeadline, block.timestamp);
        int256[] memory net = new int256[](s.slots);
        for (uint256 i = 0; i < entries.length; i++) {
            uint256 fmp = _freeMemory();
            _clearMember(sessionId, s, entries[i], net);
            _resetFreeMemory(fmp);
        }
        _addNet(sessionId, CLEARING_NET, net);
    }

    function _clearMember(uint256 sessionId, Session storage s, MemberFills calldata e, int256[] memory net) private {
        uint256 word = participation[sessionId][e.member];
        if (word & FLAG_MASK != FLAG_REVEALED || word & VALIDATED_BIT != 0) revert NotRevealed(sessionId, e.member);
        bytes32 computed = computeCommitment(sessionId, e.member, e.orders, e.salt);
        if ((uint256(computed) & REVEALED_HASH_MASK) != (word & REVEALED_HASH_MASK)) {
            revert CommitmentMismatch(sessionId, e.member, computed);
        }
        uint256 bond = s.sellerBondPerKWh;
        uint256[] calldata orders = e.orders;
        uint256[] calldata fills = e.fills;
        // The orders are the revealed ones (checked there): the collateral they locked is kept.
        uint256 lockedAtReveal = word >> COLLATERAL_SHIFT;
        uint256[] memory cleared = new uint256[](fills.length);
        (uint256 stillLocked, bool bad) = _clearFills(orders, fills, bond, net, cleared);
        if (bad) _rejectFills(e.member, orders, fills);
        uint256 released = lockedAtReveal - stillLocked;
        if (released > 0) {
            MarketBase.Account storage acc = accounts[e.member];
            acc.locked -= uint128(released);
            acc.available += uint128(released);
        }
        bytes32 fillsHash = MarketMath.hashWords(cleared);
        participation[sessionId][e.member] = uint256(fillsHash) & HASH_MASK;
        // The result hash chains (member, hash of its cleared fills) in publication order.
        s.resultHash = keccak256(abi.encode(s.resultHash, e.member, fillsHash));
        s.cleared += 1;
        emit MemberCleared(sessionId, e.member, MarketMath.pack(e.fills, MarketMath.FILL_BYTES));
    }

    /// @dev One assembly pass over a member's fills: checks each against its order (as
    /// `_rejectFills` does), sums the collateral still locked, adds to the per-slot nets and writes
    /// the cleared words. Stops at the first bad fill and reports it (nets and `cleared` are then
    /// partial: the caller reverts). The orders were checked at reveal (`_checkOrders`): side 0 or 1, slot
    /// in range, every field below 2^64, so no product, sum or net can overflow.
    function _clearFills(
        uint256[] calldata orders,
        uint256[] calldata fills,
        uint256 bond,
        int256[] memory net,
        uint256[] memory cleared
    ) private pure returns (uint256 stillLocked, bool bad) {
        assembly ("memory-safe") {
            let mask := 0xffffffffffffffff
            let nextIndex := 0
            let nets := add(net, 0x20)
            let out := add(cleared, 0x20)
            for {
                let p := fills.offset
                let end := add(p, shl(5, fills.length))
            } lt(p, end) {
                p := add(p, 0x20)
                out := add(out, 0x20)
            } {
                let fill := calldataload(p)
                let index := and(shr(128, fill), 0xffff)
                let quantity := and(shr(64, fill), mask)
                if or(or(shr(144, fill), iszero(quantity)), or(lt(index, nextIndex), iszero(lt(index, orders.length)))) {
                    bad := 1
                    break
                }
                nextIndex := add(index, 1)
                let order := calldataload(add(orders.offset, shl(5, index)))
                let price := and(fill, mask)
                let limit := and(order, mask)
                let slot := and(shr(136, order), 0xffff)
                // A revealed order's slot is in range; checked again so that no order word can
                // make the net write leave its array.
                if iszero(lt(slot, mload(net))) {
                    bad := 1
                    break
                }
                let cell := add(nets, shl(5, slot))
                switch and(shr(128, order), 0xff)
                case 0 {
                    if or(gt(quantity, and(shr(64, order), mask)), gt(price, limit)) {
                        bad := 1
                        break
                    }
                    stillLocked := add(stillLocked, div(add(mul(quantity, limit), 999), 1000))
                    mstore(cell, add(mload(cell), quantity))
                }
                default {
                    if or(gt(quantity, and(shr(64, order), mask)), lt(price, limit)) {
                        bad := 1
                        break
                    }
                    stillLocked := add(stillLocked, div(add(mul(quantity, bond), 999), 1000))
                    mstore(cell, sub(mload(cell), quantity))
                }
                // The cleared word: the fill, then the order's side and slot, then its limit.
                mstore(out, or(or(fill, shl(144, shr(128, order))), shl(168, limit)))
            }
        }
    }

    /// @dev Reverts with the error of a member's first bad fill (the slow, explicit walk).
    function _rejectFills(address member, uint256[] calldata orders, uint256[] calldata fills) private pure {
        uint256 nextIndex = 0;
        for (uint256 f = 0; f < fills.length; ++f) {
            uint256 fill = fills[f];
            if (fill.fillHighBits() != 0) revert InvalidFill(member, f, fill, "non-zero high bits");
            uint256 index = fill.fillOrderIndex();
            if (index < nextIndex || index >= orders.length) {
                revert InvalidFill(member, f, fill, "order index out of range or not increasing");
            }
            nextIndex = index + 1;
            uint256 order = orders[index];
            uint256 quantity = fill.fillQuantity();
            if (quantity == 0) revert InvalidFill(member, f, fill, "zero quantity");
            if (quantity > order.orderQuantity()) revert FillExceedsOrder(member, index, quantity, order.orderQuantity());
            uint256 price = fill.fillPrice();
            uint256 limit = order.orderPrice();
            if (order.orderSide() == 0) {
                if (price > limit) revert FillAboveLimit(member, index, price, limit);
            } else if (price < limit) {
                revert FillBelowLimit(member, index, price, limit);
            }
        }
        // Only an order word outside the checks made at reveal (its slot out of range) gets here.
        revert InvalidFill(member, fills.length, 0, "an order's slot is out of range");
    }

    uint256 private constant CLEARING_NET = 0;
    uint256 private constant DELIVERY_NET = 32;

    /// @dev Adds a chunk's per-slot nets to storage: one read and one write per group of four
    /// slots touched, whatever the number of fills.
    function _addNet(uint256 sessionId, uint256 base, int256[] memory net) private {
        for (uint256 group = 0; group * 4 < net.length; group++) {
            bool touched = false;
            for (uint256 k = 0; k < 4 && group * 4 + k < net.length; k++) {
                if (net[group * 4 + k] != 0) touched = true;
            }
            if (!touched) continue;
            uint256 word = slotNet[sessionId][base + group];
            for (uint256 k = 0; k < 4 && group * 4 + k < net.length; k++) {
                int256 updated = int256(int64(uint64(word >> (64 * k)))) + net[group * 4 + k];
                if (updated > type(int64).max || updated < type(int64).min) revert SlotNetOverflow(sessionId, group * 4 + k);
                word = (word & ~(uint256(type(uint64).max) << (64 * k))) | (uint256(uint64(int64(updated))) << (64 * k));
            }
            slotNet[sessionId][base + group] = word;
        }
    }

    /// @dev The number of slots whose net is not zero.
    function _unbalanced(uint256 sessionId, uint256 base, uint256 slots) private view returns (uint256 count) {
        for (uint256 group = 0; group * 4 < slots; group++) {
            uint256 word = slotNet[sessionId][base + group];
            for (uint256 k = 0; k < 4; k++) {
                if ((word >> (64 * k)) & type(uint64).max != 0) count += 1;
            }
        }
    }

    /// @notice Closes clearing: every revealed member cleared, every slot balanced (bought ==
    /// sold); records the clearing prices with the result hash.
    function finalizeClearing(uint256 sessionId, uint64[] calldata clearingPrices) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Open);
        if (block.timestamp < s.revealDeadline) revert RevealPhaseNotOver(sessionId, s.revealDeadline, block.timestamp);
        if (clearingPrices.length != s.slots) revert WrongPriceCount(sessionId, clearingPrices.length, s.slots);
        if (s.cleared != s.reveals) revert MembersNotCleared(sessionId, s.cleared, s.reveals);
        uint256 unbalanced = _unbalanced(sessionId, CLEARING_NET, s.slots);
        if (unbalanced != 0) revert UnbalancedSlots(sessionId, unbalanced);
        s.resultHash = keccak256(abi.encode(s.resultHash, clearingPrices));
        s.state = SessionState.Cleared;
        emit ClearingPublished(sessionId, clearingPrices, s.resultHash);
    }

    // ---- validation publication ----

    /// @notice Publishes one chunk of validated deliveries: per member its cleared fills (checked
    /// against the hash stored at clearing, so the orders are not sent again). Buyers pay
    /// ceil(delivered × price / 1000) into the session pool, sellers are owed floor(delivered ×
    /// price / 1000); penalties (capped by what the member still has locked) go to the treasury;
    /// all collateral is released.
    function setValidTransactions(uint256 sessionId, MemberDeliveries[] calldata entries) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Cleared);
        uint256 deliveryEnd = uint256(s.deliveryStart) + uint256(s.slots) * s.slotLength;
        if (block.timestamp < deliveryEnd) revert DeliveryNotOver(sessionId, deliveryEnd, block.timestamp);
        int256[] memory net = new int256[](s.slots);
        for (uint256 i = 0; i < entries.length; i++) {
            uint256 fmp = _freeMemory();
            _validateMember(sessionId, s, entries[i], net);
            _resetFreeMemory(fmp);
        }
        _addNet(sessionId, DELIVERY_NET, net);
    }

    function _validateMember(uint256 sessionId, Session storage s, MemberDeliveries calldata e, int256[] memory net)
        private
    {
        uint256 word = participation[sessionId][e.member];
        if (word == 0 || word & (FLAG_MASK | VALIDATED_BIT) != 0) revert FillsMismatch(sessionId, e.member);
        if ((uint256(_hashCalldataWords(e.fills)) & HASH_MASK) != word) revert FillsMismatch(sessionId, e.member);
        if (e.delivered.length != e.fills.length) revert WrongDeliveryCount(e.member, e.delivered.length, e.fills.length);
        (uint256 locked, uint256 pay, uint256 receive_, bool bad) =
            _validateFills(e.fills, e.delivered, s.sellerBondPerKWh, net);
        if (bad) _rejectDeliveries(e.member, e.fills, e.delivered);
        if (e.penalty > locked - pay) revert PenaltyTooHigh(e.member, e.penalty, locked - pay);
        MarketBase.Account storage acc = accounts[e.member];
        acc.locked -= uint128(locked);
        acc.available += uint128(locked - pay - e.penalty);
        s.pool += uint128(pay);
        s.owed += uint128(receive_);
        treasury += e.penalty;
        participation[sessionId][e.member] = VALIDATED_BIT | (receive_ << 2);
        s.validationHash = keccak256(abi.encode(s.validationHash, e.member, _hashEncodedWords(e.delivered), e.penalty));
        s.validated += 1;
        emit MemberValidated(
            sessionId, e.member, MarketMath.pack(e.delivered, MarketMath.DELIVERED_BYTES), pay, receive_, e.penalty
        );
    }

    /// @dev One assembly pass over a member's cleared fills and delivered Wh: what it had
    /// locked for them, pays (buyers, ceiling) and receives (sellers, floor), and the per-slot
    /// delivery nets. Stops at the first delivery above its fill (`_rejectDeliveries` reverts).
    /// The cleared words match the hash stored at clearing, so every field is below 2^64, side
    /// is 0 or 1 and the slot is in range; delivered Wh are checked before use.
    function _validateFills(uint256[] calldata fills, uint256[] calldata delivered, uint256 bond, int256[] memory net)
        private
        pure
        returns (uint256 locked, uint256 pay, uint256 receive_, bool bad)
    {
        assembly ("memory-safe") {
            let mask := 0xffffffffffffffff
            let nets := add(net, 0x20)
            let d := delivered.offset
            for {
                let p := fills.offset
                let end := add(p, shl(5, fills.length))
            } lt(p, end) {
                p := add(p, 0x20)
                d := add(d, 0x20)
            } {
                let fill := calldataload(p)
                let quantity := and(shr(64, fill), mask)
                let wh := calldataload(d)
                let slot := and(shr(152, fill), 0xffff)
                // The cleared words match their stored hash, so the slot is in range; checked
                // again so that no word can make the net write leave its array.
                if or(gt(wh, quantity), iszero(lt(slot, mload(net)))) {
                    bad := 1
                    break
                }
                let price := and(fill, mask)
                let cell := add(nets, shl(5, slot))
                switch and(shr(144, fill), 0xff)
                case 0 {
                    locked := add(locked, div(add(mul(quantity, and(shr(168, fill), mask)), 999), 1000))
                    pay := add(pay, div(add(mul(wh, price), 999), 1000))
                    mstore(cell, add(mload(cell), wh))
                }
                default {
                    locked := add(locked, div(add(mul(quantity, bond), 999), 1000))
                    receive_ := add(receive_, div(mul(wh, price), 1000))
                    mstore(cell, sub(mload(cell), wh))
                }
            }
        }
    }

    /// @dev Reverts with the error of a member's first delivery above its fill.
    function _rejectDeliveries(address member, uint256[] calldata fills, uint256[] calldata delivered) private pure {
        for (uint256 f = 0; f < fills.length; ++f) {
            uint256 quantity = fills[f].fillQuantity();
            if (delivered[f] > quantity) revert DeliveredExceedsFill(member, f, delivered[f], quantity);
        }
        // Only a cleared word with a slot out of range gets here (its hash matched: never).
        revert FillsMismatch(0, member);
    }

    /// @dev keccak256(abi.encodePacked(words)) for a calldata array.
    function _hashCalldataWords(uint256[] calldata words) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            let size := shl(5, words.length)
            calldatacopy(p, words.offset, size)
            h := keccak256(p, size)
        }
    }

    /// @dev keccak256(abi.encode(words)) for a calldata array: offset, length, words.
    function _hashEncodedWords(uint256[] calldata words) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 0x20), words.length)
            let size := shl(5, words.length)
            calldatacopy(add(p, 0x40), words.offset, size)
            h := keccak256(p, add(0x40, size))
        }
    }

    /// @notice Closes validation: every cleared member validated, deliveries balanced per slot,
    /// and the pool covers what sellers are owed; the remainder (rounding dust and any spread of
    /// discriminatory pricing) goes to the treasury.
    function finalizeValidation(uint256 sessionId) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Cleared);
        if (s.validated != s.cleared) revert MembersNotValidated(sessionId, s.validated, s.cleared);
        uint256 unbalanced = _unbalanced(sessionId, DELIVERY_NET, s.slots);
        if (unbalanced != 0) revert UnbalancedSlots(sessionId, unbalanced);
        if (s.pool < s.owed) revert ValueImbalance(sessionId, s.pool, s.owed);
        uint256 dust = s.pool - s.owed;
        s.pool = s.owed;
        treasury += dust;
        s.state = s.validated == 0 ? SessionState.Settled : SessionState.Validated;
        emit ValidationPublished(sessionId, s.validationHash, dust);
        if (s.validated == 0) emit SessionSettled(sessionId);
    }

    // ---- cancellation ----

    /// @notice The admin's way out of a session that cannot complete (a clearing chunk that can
    /// never balance, wrong parameters, an operator gone): allowed until validation has started.
    /// Nothing moves here; `releaseCancelled` then returns what each member has locked.
    function cancelSession(uint256 sessionId, string calldata reason) external onlyAdmin {
        Session storage s = _session(sessionId);
        if (s.state == SessionState.Cleared) {
            if (s.validated != 0) revert ValidationStarted(sessionId, s.validated);
        } else {
            _requireState(sessionId, s, SessionState.Open);
        }
        s.state = SessionState.Cancelled;
        emit SessionCancelled(sessionId, reason);
    }

    /// @notice Returns, for members of a cancelled session, what they still have locked for it:
    /// the deposit of a commitment, the collateral of revealed orders (orders and salt checked
    /// against the commitment), or the collateral of cleared fills (checked against the stored
    /// hash). Anyone may call it; members already released or forfeited are skipped.
    function releaseCancelled(uint256 sessionId, MemberFills[] calldata entries) external {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Cancelled);
        for (uint256 i = 0; i < entries.length; i++) {
            MemberFills calldata e = entries[i];
            uint256 word = participation[sessionId][e.member];
            uint256 flag = word & FLAG_MASK;
            if (word == 0 || word & VALIDATED_BIT != 0 || flag == FLAG_FORFEITED) continue;
            uint256 amount;
            if (flag == FLAG_COMMITTED) {
                amount = s.deposit;
            } else if (flag == FLAG_REVEALED) {
                bytes32 computed = computeCommitment(sessionId, e.member, e.orders, e.salt);
                if ((uint256(computed) & REVEALED_HASH_MASK) != (word & REVEALED_HASH_MASK)) {
                    revert CommitmentMismatch(sessionId, e.member, computed);
                }
                amount = word >> COLLATERAL_SHIFT;
            } else {
                uint256[] memory cleared = new uint256[](e.fills.length);
                for (uint256 f = 0; f < e.fills.length; f++) {
                    uint256 index = e.fills[f].fillOrderIndex();
                    if (index >= e.orders.length) revert FillsMismatch(sessionId, e.member);
                    uint256 order = e.orders[index];
                    cleared[f] = MarketMath.clearedFill(e.fills[f], order);
                    amount += MarketMath.collateral(
                        order.orderSide(), e.fills[f].fillQuantity(), order.orderPrice(), s.sellerBondPerKWh
                    );
                }
                if ((uint256(MarketMath.hashWords(cleared)) & HASH_MASK) != word) {
                    revert FillsMismatch(sessionId, e.member);
                }
            }
            participation[sessionId][e.member] = RELEASED;
            MarketBase.Account storage acc = accounts[e.member];
            acc.locked -= uint128(amount);
            acc.available += uint128(amount);
            emit LockReleased(sessionId, e.member, amount);
        }
    }

    // ---- settlement ----

    /// @notice Settles the caller's fills in a validated session: pays what it is owed.
    function execute(uint256 sessionId) external {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Validated);
        uint256 word = participation[sessionId][msg.sender];
        if (word & VALIDATED_BIT == 0) revert NotValidated(sessionId, msg.sender);
        if (word & SETTLED_BIT != 0) revert AlreadySettled(sessionId, msg.sender);
        _settle(sessionId, s, msg.sender, word);
    }

    /// @notice Settles many members (anyone may call); members already settled or not
    /// validated are skipped, so chunks can be retried safely.
    function settleBatch(uint256 sessionId, address[] calldata list) external {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Validated);
        for (uint256 i = 0; i < list.length && s.state == SessionState.Validated; i++) {
            uint256 word = participation[sessionId][list[i]];
            if (word & VALIDATED_BIT == 0 || word & SETTLED_BIT != 0) continue;
            _settle(sessionId, s, list[i], word);
        }
    }

    function _settle(uint256 sessionId, Session storage s, address member, uint256 word) private {
        uint256 amount = (word & ~VALIDATED_BIT) >> 2;
        participation[sessionId][member] = word | SETTLED_BIT;
        s.pool -= uint128(amount);
        accounts[member].available += uint128(amount);
        s.settled += 1;
        emit Executed(sessionId, member, amount);
        if (s.settled == s.validated) {
            s.state = SessionState.Settled;
            emit SessionSettled(sessionId);
        }
    }
}
