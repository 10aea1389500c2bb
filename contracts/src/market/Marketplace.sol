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

    event MemberCleared(uint256 indexed sessionId, address indexed member, uint256[] fills, uint256 released);
    event ClearingPublished(uint256 indexed sessionId, uint64[] clearingPrices, bytes32 resultHash);
    event MemberValidated(
        uint256 indexed sessionId,
        address indexed member,
        uint256[] delivered,
        uint256 paid,
        uint256 receivable,
        uint256 penalty
    );
    event ValidationPublished(uint256 indexed sessionId, bytes32 validationHash, uint256 dust);
    event Executed(uint256 indexed sessionId, address indexed member, uint256 amount);
    event SessionSettled(uint256 indexed sessionId);

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
        for (uint256 i = 0; i < entries.length; i++) {
            _clearMember(sessionId, s, entries[i]);
        }
        s.resultHash = keccak256(abi.encode(s.resultHash, keccak256(abi.encode(entries))));
    }

    function _clearMember(uint256 sessionId, Session storage s, MemberFills calldata e) private {
        uint256 word = participation[sessionId][e.member];
        if (word & FLAG_MASK != FLAG_REVEALED) revert NotRevealed(sessionId, e.member);
        bytes32 computed = computeCommitment(sessionId, e.member, e.orders, e.salt);
        if ((uint256(computed) & ~FLAG_MASK) != (word & ~FLAG_MASK)) {
            revert CommitmentMismatch(sessionId, e.member, computed);
        }
        uint256 bond = s.sellerBondPerKWh;
        uint256 lockedAtReveal = _checkOrders(e.orders, s.slots, bond);
        uint256 stillLocked = 0;
        uint256 nextIndex = 0;
        for (uint256 f = 0; f < e.fills.length; f++) {
            uint256 fill = e.fills[f];
            if (fill.fillHighBits() != 0) revert InvalidFill(e.member, f, fill, "non-zero high bits");
            uint256 index = fill.fillOrderIndex();
            if (index < nextIndex || index >= e.orders.length) {
                revert InvalidFill(e.member, f, fill, "order index out of range or not increasing");
            }
            nextIndex = index + 1;
            uint256 order = e.orders[index];
            uint256 quantity = fill.fillQuantity();
            if (quantity == 0) revert InvalidFill(e.member, f, fill, "zero quantity");
            if (quantity > order.orderQuantity()) {
                revert FillExceedsOrder(e.member, index, quantity, order.orderQuantity());
            }
            uint256 price = fill.fillPrice();
            uint256 side = order.orderSide();
            if (side == 0 && price > order.orderPrice()) revert FillAboveLimit(e.member, index, price, order.orderPrice());
            if (side == 1 && price < order.orderPrice()) revert FillBelowLimit(e.member, index, price, order.orderPrice());
            stillLocked += MarketMath.collateral(side, quantity, order.orderPrice(), bond);
            _addNet(sessionId, s, clearingNet, order.orderSlot(), side == 0 ? int256(quantity) : -int256(quantity));
        }
        uint256 released = lockedAtReveal - stillLocked;
        if (released > 0) {
            MarketBase.Account storage acc = accounts[e.member];
            acc.locked -= uint128(released);
            acc.available += uint128(released);
        }
        participation[sessionId][e.member] =
            uint256(keccak256(abi.encode(e.orders, e.fills))) & ~(FLAG_MASK | VALIDATED_BIT);
        s.cleared += 1;
        emit MemberCleared(sessionId, e.member, e.fills, released);
    }

    function _addNet(
        uint256 sessionId,
        Session storage s,
        mapping(uint256 => mapping(uint256 => int256)) storage net,
        uint256 slot,
        int256 delta
    ) private {
        int256 before = net[sessionId][slot];
        int256 next = before + delta;
        net[sessionId][slot] = next;
        if (before == 0 && next != 0) s.unbalancedSlots += 1;
        else if (before != 0 && next == 0) s.unbalancedSlots -= 1;
    }

    /// @notice Closes clearing: every revealed member cleared, every slot balanced (bought ==
    /// sold); records the clearing prices with the result hash.
    function finalizeClearing(uint256 sessionId, uint64[] calldata clearingPrices) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Open);
        if (block.timestamp < s.revealDeadline) revert RevealPhaseNotOver(sessionId, s.revealDeadline, block.timestamp);
        if (clearingPrices.length != s.slots) revert WrongPriceCount(sessionId, clearingPrices.length, s.slots);
        if (s.cleared != s.reveals) revert MembersNotCleared(sessionId, s.cleared, s.reveals);
        if (s.unbalancedSlots != 0) revert UnbalancedSlots(sessionId, s.unbalancedSlots);
        s.resultHash = keccak256(abi.encode(s.resultHash, clearingPrices));
        s.state = SessionState.Cleared;
        emit ClearingPublished(sessionId, clearingPrices, s.resultHash);
    }

    // ---- validation publication ----

    /// @notice Publishes one chunk of validated deliveries. Buyers pay ceil(delivered × price /
    /// 1000) into the session pool, sellers are owed floor(delivered × price / 1000); penalties
    /// (capped by what the member still has locked) go to the treasury; all collateral is released.
    function setValidTransactions(uint256 sessionId, MemberDeliveries[] calldata entries) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Cleared);
        uint256 deliveryEnd = uint256(s.deliveryStart) + uint256(s.slots) * s.slotLength;
        if (block.timestamp < deliveryEnd) revert DeliveryNotOver(sessionId, deliveryEnd, block.timestamp);
        for (uint256 i = 0; i < entries.length; i++) {
            _validateMember(sessionId, s, entries[i]);
        }
        s.validationHash = keccak256(abi.encode(s.validationHash, keccak256(abi.encode(entries))));
    }

    function _validateMember(uint256 sessionId, Session storage s, MemberDeliveries calldata e) private {
        uint256 word = participation[sessionId][e.member];
        if (word == 0 || word & (FLAG_MASK | VALIDATED_BIT) != 0) revert FillsMismatch(sessionId, e.member);
        if ((uint256(keccak256(abi.encode(e.orders, e.fills))) & ~(FLAG_MASK | VALIDATED_BIT)) != word) {
            revert FillsMismatch(sessionId, e.member);
        }
        if (e.delivered.length != e.fills.length) revert WrongDeliveryCount(e.member, e.delivered.length, e.fills.length);
        uint256 bond = s.sellerBondPerKWh;
        uint256 locked = 0;
        uint256 pay = 0;
        uint256 receive_ = 0;
        for (uint256 f = 0; f < e.fills.length; f++) {
            uint256 fill = e.fills[f];
            uint256 order = e.orders[fill.fillOrderIndex()];
            uint256 quantity = fill.fillQuantity();
            uint256 delivered = e.delivered[f];
            if (delivered > quantity) revert DeliveredExceedsFill(e.member, f, delivered, quantity);
            uint256 side = order.orderSide();
            locked += MarketMath.collateral(side, quantity, order.orderPrice(), bond);
            if (side == 0) {
                pay += MarketMath.ceilDiv1000(delivered * fill.fillPrice());
            } else {
                receive_ += (delivered * fill.fillPrice()) / 1000;
            }
            _addNet(sessionId, s, deliveryNet, order.orderSlot(), side == 0 ? int256(delivered) : -int256(delivered));
        }
        if (e.penalty > locked - pay) revert PenaltyTooHigh(e.member, e.penalty, locked - pay);
        MarketBase.Account storage acc = accounts[e.member];
        acc.locked -= uint128(locked);
        acc.available += uint128(locked - pay - e.penalty);
        s.pool += uint128(pay);
        s.owed += uint128(receive_);
        treasury += e.penalty;
        participation[sessionId][e.member] = VALIDATED_BIT | (receive_ << 2);
        s.validated += 1;
        emit MemberValidated(sessionId, e.member, e.delivered, pay, receive_, e.penalty);
    }

    /// @notice Closes validation: every cleared member validated, deliveries balanced per slot,
    /// and the pool covers what sellers are owed; the remainder (rounding dust and any spread of
    /// discriminatory pricing) goes to the treasury.
    function finalizeValidation(uint256 sessionId) external onlyOperator {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Cleared);
        if (s.validated != s.cleared) revert MembersNotValidated(sessionId, s.validated, s.cleared);
        if (s.unbalancedSlots != 0) revert UnbalancedSlots(sessionId, s.unbalancedSlots);
        if (s.pool < s.owed) revert ValueImbalance(sessionId, s.pool, s.owed);
        uint256 dust = s.pool - s.owed;
        s.pool = s.owed;
        treasury += dust;
        s.state = s.validated == 0 ? SessionState.Settled : SessionState.Validated;
        emit ValidationPublished(sessionId, s.validationHash, dust);
        if (s.validated == 0) emit SessionSettled(sessionId);
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
