// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberStatus, SessionState} from "./MarketTypes.sol";

/// @notice Every revert of the marketplace, with the values an operator needs to understand it.
interface MarketErrors {
    error NotAdmin(address caller);
    error NotOperator(address caller);
    error ZeroAddress();
    error AlreadyRegistered(address member, MemberStatus status);
    error EmptyDocumentHash();
    error InvalidStatusChange(address member, MemberStatus from, MemberStatus to);
    error NotActiveMember(address member, MemberStatus status);
    error ZeroAmount();
    error InsufficientFunds(address member, uint256 available, uint256 needed);
    error Reentrancy();
    error InvalidSessionParams(string reason);
    error PriorSessionNotValidated(uint256 previousSessionId, SessionState state);
    error UnknownSession(uint256 sessionId);
    error WrongState(uint256 sessionId, SessionState expected, SessionState actual);
    error CommitPhaseOver(uint256 sessionId, uint64 deadline, uint256 nowTime);
    error RevealPhaseNotOpen(uint256 sessionId, uint64 commitDeadline, uint64 revealDeadline, uint256 nowTime);
    error RevealPhaseNotOver(uint256 sessionId, uint64 revealDeadline, uint256 nowTime);
    error DeliveryNotOver(uint256 sessionId, uint256 deliveryEnd, uint256 nowTime);
    error AlreadyCommitted(uint256 sessionId, address member);
    error NotCommitted(uint256 sessionId, address member);
    error ZeroCommitment();
    error CommitmentMismatch(uint256 sessionId, address member, bytes32 computed);
    error NoOrders();
    error TooManyOrders(uint256 count, uint256 maximum);
    error InvalidOrder(uint256 index, uint256 word, string reason);
    error SlotOutOfRange(uint256 index, uint256 slot, uint16 slots);
    /// @notice Revealed orders whose collateral does not fit the 95 bits kept for it (above
    /// 3.9 × 10^28 base units).
    error CollateralTooLarge(address member, uint256 collateral);
    error SignatureExpired(address member, uint256 deadline, uint256 nowTime);
    error InvalidSignature(address member);
    error NotRevealed(uint256 sessionId, address member);
    error InvalidFill(address member, uint256 fillIndex, uint256 word, string reason);
    error FillAboveLimit(address member, uint256 orderIndex, uint256 price, uint256 limitPrice);
    error FillBelowLimit(address member, uint256 orderIndex, uint256 price, uint256 limitPrice);
    error FillExceedsOrder(address member, uint256 orderIndex, uint256 fillQuantity, uint256 orderQuantity);
    error UnbalancedSlots(uint256 sessionId, uint256 unbalancedSlots);
    error SlotNetOverflow(uint256 sessionId, uint256 slot);
    error WrongPriceCount(uint256 sessionId, uint256 given, uint16 slots);
    error MembersNotCleared(uint256 sessionId, uint256 cleared, uint256 revealed);
    error FillsMismatch(uint256 sessionId, address member);
    error WrongDeliveryCount(address member, uint256 given, uint256 fills);
    error DeliveredExceedsFill(address member, uint256 fillIndex, uint256 delivered, uint256 filled);
    error PenaltyTooHigh(address member, uint256 penalty, uint256 maximum);
    error MembersNotValidated(uint256 sessionId, uint256 validated, uint256 cleared);
    error ValueImbalance(uint256 sessionId, uint256 pool, uint256 owed);
    error NotValidated(uint256 sessionId, address member);
    error AlreadySettled(uint256 sessionId, address member);
    error ValidationStarted(uint256 sessionId, uint256 validated);
}
