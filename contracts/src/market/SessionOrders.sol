// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketBase} from "./MarketBase.sol";
import {CommitAuth, MarketMath, RevealEntry, SessionParams, SessionState} from "./MarketTypes.sol";

/// @title SessionOrders
/// @notice Sessions and sealed orders: commit (hash + deposit), reveal (orders checked against
/// the commitment, collateral locked), forfeit of unrevealed deposits, and the relayed entry
/// points for members without gas (EIP-712 signed commits, reveals bound by the commitment).
abstract contract SessionOrders is MarketBase {
    using MarketMath for uint256;

    bytes32 public constant COMMIT_TYPEHASH =
        keccak256("Commit(uint256 sessionId,bytes32 commitment,uint256 deadline)");
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    event SessionCreated(uint256 indexed sessionId, SessionParams params);
    event CommitmentSubmitted(uint256 indexed sessionId, address indexed member, bytes32 commitment);
    /// @notice `orders` is packed: 19 bytes per order word (bits 0–151), big-endian, in revealed
    /// order. With the salt, anyone can recompute the commitment; the collateral follows from
    /// the orders and the session's bond.
    event OrdersRevealed(uint256 indexed sessionId, address indexed member, bytes orders, bytes32 salt);
    event DepositForfeited(uint256 indexed sessionId, address indexed member, uint256 amount);
    /// @notice A relayed entry skipped because its member had already done that step (e.g. the
    /// same authorisation was submitted by someone else first).
    event RelaySkipped(uint256 indexed sessionId, address indexed member);

    // ---- sessions ----

    /// @notice Opens a session for a delivery day. Ids are sequential from 1.
    function newSession(SessionParams calldata p) external onlyOperator returns (uint256 sessionId) {
        if (p.commitDeadline <= block.timestamp) revert InvalidSessionParams("commit deadline is not in the future");
        if (p.revealDeadline <= p.commitDeadline) revert InvalidSessionParams("reveal deadline not after commit deadline");
        if (p.deliveryStart < p.revealDeadline) revert InvalidSessionParams("delivery starts before the reveal deadline");
        if (p.slots == 0 || p.slots > 100) revert InvalidSessionParams("slots must be 1..100");
        if (p.slotLength == 0) revert InvalidSessionParams("slot length must be positive");
        uint256 previous = lastSessionId;
        if (priorSessionValidationRequired && previous != 0) {
            SessionState state = sessions[previous].state;
            if (state != SessionState.Validated && state != SessionState.Settled && state != SessionState.Cancelled) {
                revert PriorSessionNotValidated(previous, state);
            }
        }
        sessionId = previous + 1;
        lastSessionId = sessionId;
        Session storage s = sessions[sessionId];
        s.commitDeadline = p.commitDeadline;
        s.revealDeadline = p.revealDeadline;
        s.deliveryStart = p.deliveryStart;
        s.slotLength = p.slotLength;
        s.slots = p.slots;
        s.state = SessionState.Open;
        s.deposit = p.deposit;
        s.sellerBondPerKWh = p.sellerBondPerKWh;
        s.manifestHash = p.manifestHash;
        emit SessionCreated(sessionId, p);
    }

    function getCommitDeadline(uint256 sessionId) external view returns (uint64) {
        return _session(sessionId).commitDeadline;
    }

    function getRevealDeadline(uint256 sessionId) external view returns (uint64) {
        return _session(sessionId).revealDeadline;
    }

    /// @notice All stored fields of a session.
    function getSession(uint256 sessionId) external view returns (Session memory) {
        return _session(sessionId);
    }

    /// @notice The participation word of a member. Top bit clear: 0 none; otherwise the low bits
    /// say 1 committed (the commitment in bits 2–254), 2 revealed (bits 2–159 of the commitment,
    /// the collateral locked in bits 160–254), 3 forfeited, 0 cleared (a hash in bits 2–254). Top bit
    /// set: validated, with bit 0 = settled and bits 2–129 = the amount the member receives
    /// (`RELEASED`, top bit and bit 0 only, marks a member of a cancelled session paid back).
    function participationOf(uint256 sessionId, address member) external view returns (uint256) {
        return participation[sessionId][member];
    }

    function _session(uint256 sessionId) internal view returns (Session storage s) {
        s = sessions[sessionId];
        if (s.state == SessionState.None) revert UnknownSession(sessionId);
    }

    function _requireState(uint256 sessionId, Session storage s, SessionState expected) internal view {
        if (s.state != expected) revert WrongState(sessionId, expected, s.state);
    }

    // ---- commit ----

    /// @notice The commitment a member must submit for `orders` and `salt`; bound to this chain,
    /// this contract, the session and the member, so it can be neither copied nor replayed.
    function computeCommitment(uint256 sessionId, address member, uint256[] calldata orders, bytes32 salt)
        public
        view
        returns (bytes32 commitment)
    {
        // keccak256(abi.encode(block.chainid, address(this), sessionId, member, orders, salt)),
        // laid out by hand in scratch memory past the free pointer (not kept).
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, chainid())
            mstore(add(p, 0x20), address())
            mstore(add(p, 0x40), sessionId)
            mstore(add(p, 0x60), and(member, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x80), 0xc0)
            mstore(add(p, 0xa0), salt)
            mstore(add(p, 0xc0), orders.length)
            let size := shl(5, orders.length)
            calldatacopy(add(p, 0xe0), orders.offset, size)
            commitment := keccak256(p, add(0xe0, size))
        }
    }

    /// @notice Posts a sealed commitment and locks the session's deposit.
    function submitCommitments(uint256 sessionId, bytes32 commitment) external {
        _commit(sessionId, msg.sender, commitment);
    }

    /// @notice Relays members' signed commitments (anyone may relay; each signature names the
    /// session and a deadline). No nonce: an authorisation is single-use because a member commits
    /// once per session, so a replay finds the member committed and is skipped (`RelaySkipped`).
    function submitCommitmentsBySig(uint256 sessionId, CommitAuth[] calldata auths) external {
        for (uint256 i = 0; i < auths.length; i++) {
            CommitAuth calldata a = auths[i];
            if (participation[sessionId][a.member] != 0) {
                emit RelaySkipped(sessionId, a.member);
                continue;
            }
            uint256 fmp = _freeMemory();
            bytes32 structHash = keccak256(abi.encode(COMMIT_TYPEHASH, sessionId, a.commitment, a.deadline));
            _checkSignature(a.member, structHash, a.deadline, a.v, a.r, a.s);
            _commit(sessionId, a.member, a.commitment);
            _resetFreeMemory(fmp);
        }
    }

    function _commit(uint256 sessionId, address member, bytes32 commitment) private {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Open);
        if (block.timestamp >= s.commitDeadline) revert CommitPhaseOver(sessionId, s.commitDeadline, block.timestamp);
        _requireActive(member);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        if (participation[sessionId][member] != 0) revert AlreadyCommitted(sessionId, member);
        participation[sessionId][member] = (uint256(commitment) & HASH_MASK) | FLAG_COMMITTED;
        s.commits += 1;
        _lock(member, s.deposit);
        emit CommitmentSubmitted(sessionId, member, commitment);
    }

    // ---- reveal ----

    /// @notice Reveals the caller's orders; they must match its commitment. Releases the
    /// deposit and locks the orders' collateral.
    function revealOrders(uint256 sessionId, uint256[] calldata orders, bytes32 salt) external {
        _reveal(sessionId, msg.sender, orders, salt);
    }

    /// @notice Relays members' reveals (anyone may relay). No signature is needed: the
    /// commitment binds orders and salt to the member, and only the member knows the salt.
    /// Members already past the commit step are skipped (`RelaySkipped`).
    function revealOrdersRelayed(uint256 sessionId, RevealEntry[] calldata entries) external {
        for (uint256 i = 0; i < entries.length; i++) {
            RevealEntry calldata e = entries[i];
            uint256 current = participation[sessionId][e.member];
            if (current != 0 && current & FLAG_MASK != FLAG_COMMITTED) {
                emit RelaySkipped(sessionId, e.member);
                continue;
            }
            uint256 fmp = _freeMemory();
            _reveal(sessionId, e.member, e.orders, e.salt);
            _resetFreeMemory(fmp);
        }
    }

    function _reveal(uint256 sessionId, address member, uint256[] calldata orders, bytes32 salt) private {
        Session storage s = _session(sessionId);
        _requireState(sessionId, s, SessionState.Open);
        if (block.timestamp < s.commitDeadline || block.timestamp >= s.revealDeadline) {
            revert RevealPhaseNotOpen(sessionId, s.commitDeadline, s.revealDeadline, block.timestamp);
        }
        _requireActive(member);
        uint256 word = participation[sessionId][member];
        if (word & FLAG_MASK != FLAG_COMMITTED || word & VALIDATED_BIT != 0) revert NotCommitted(sessionId, member);
        bytes32 computed = computeCommitment(sessionId, member, orders, salt);
        if ((uint256(computed) & HASH_MASK) != (word & HASH_MASK)) {
            revert CommitmentMismatch(sessionId, member, computed);
        }
        uint256 collateral = _checkOrders(orders, s.slots, s.sellerBondPerKWh);
        Account storage acc = accounts[member];
        uint256 available = uint256(acc.available) + s.deposit;
        if (available < collateral) revert InsufficientFunds(member, available, collateral);
        // Only reachable with more than 2^95 base units available.
        if (collateral >> COLLATERAL_BITS != 0) revert CollateralTooLarge(member, collateral);
        participation[sessionId][member] =
            (word & REVEALED_HASH_MASK) | (collateral << COLLATERAL_SHIFT) | FLAG_REVEALED;
        s.reveals += 1;
        acc.available = uint128(available - collateral);
        acc.locked = uint128(uint256(acc.locked) - s.deposit + collateral);
        emit OrdersRevealed(sessionId, member, MarketMath.pack(orders, MarketMath.ORDER_BYTES), salt);
    }

    /// @notice Validates packed orders and returns the collateral they lock.
    /// @dev One assembly pass checks every word and sums the collateral; only when a word is bad
    /// does `_rejectOrders` walk them again to revert with the first bad word's error. No
    /// overflow: for valid words quantities, prices and the bond are below 2^64, so each product
    /// is below 2^128 and a sum of at most 1,600 of them cannot overflow (bad words revert).
    function _checkOrders(uint256[] calldata orders, uint16 slots, uint256 bond) internal pure returns (uint256 total) {
        uint256 n = orders.length;
        if (n == 0) revert NoOrders();
        if (n > uint256(slots) * MAX_ORDERS_PER_SLOT) revert TooManyOrders(n, uint256(slots) * MAX_ORDERS_PER_SLOT);
        uint256 bad = 0;
        assembly ("memory-safe") {
            let mask := 0xffffffffffffffff
            for {
                let p := orders.offset
                let end := add(p, shl(5, n))
            } lt(p, end) { p := add(p, 0x20) } {
                let w := calldataload(p)
                let side := and(shr(128, w), 0xff)
                let quantity := and(shr(64, w), mask)
                // High bits set, side above 1, zero quantity or slot out of range.
                bad := or(
                    bad,
                    or(or(shr(152, w), gt(side, 1)), or(iszero(quantity), iszero(lt(and(shr(136, w), 0xffff), and(slots, 0xffff)))))
                )
                // Buyers lock at their limit price, sellers at the bond.
                let unit := and(w, mask)
                if side { unit := bond }
                total := add(total, div(add(mul(quantity, unit), 999), 1000))
            }
        }
        if (bad != 0) _rejectOrders(orders, slots);
    }

    /// @dev Reverts with the error of the first bad order word (the slow, explicit walk).
    function _rejectOrders(uint256[] calldata orders, uint16 slots) private pure {
        uint256 n = orders.length;
        unchecked {
            for (uint256 i = 0; i < n; ++i) {
                uint256 w = orders[i];
                if (w.orderHighBits() != 0) revert InvalidOrder(i, w, "non-zero high bits");
                uint256 side = w.orderSide();
                if (side > 1) revert InvalidOrder(i, w, "side must be 0 (buy) or 1 (sell)");
                uint256 quantity = w.orderQuantity();
                if (quantity == 0) revert InvalidOrder(i, w, "zero quantity");
                uint256 slot = w.orderSlot();
                if (slot >= slots) revert SlotOutOfRange(i, slot, slots);
            }
        }
        // The fast pass and this walk check the same conditions: never reached.
        revert InvalidOrder(n, 0, "order checks disagree");
    }

    // ---- forfeit ----

    /// @notice After the reveal deadline, anyone may move the deposits of members who committed
    /// but did not reveal to the treasury. Members in any other state are skipped.
    function forfeitUnrevealed(uint256 sessionId, address[] calldata list) external {
        Session storage s = _session(sessionId);
        // A cancelled session returns deposits instead (`releaseCancelled`).
        if (s.state == SessionState.Cancelled) revert WrongState(sessionId, SessionState.Open, s.state);
        if (block.timestamp < s.revealDeadline) revert RevealPhaseNotOver(sessionId, s.revealDeadline, block.timestamp);
        uint256 amount = s.deposit;
        for (uint256 i = 0; i < list.length; i++) {
            address member = list[i];
            uint256 word = participation[sessionId][member];
            // Only a commitment never revealed: validated, settled and released words have bit 255.
            if (word & FLAG_MASK != FLAG_COMMITTED || word & VALIDATED_BIT != 0) continue;
            participation[sessionId][member] = FLAG_FORFEITED;
            s.forfeited += 1;
            accounts[member].locked -= uint128(amount);
            treasury += amount;
            emit DepositForfeited(sessionId, member, amount);
        }
    }

    // ---- EIP-712 ----

    /// @notice The EIP-712 domain separator (name "CER Marketplace", version "1").
    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("CER Marketplace"),
                keccak256("1"),
                block.chainid,
                address(this)
            )
        );
    }

    function _checkSignature(address member, bytes32 structHash, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        private
        view
    {
        if (block.timestamp > deadline) revert SignatureExpired(member, deadline, block.timestamp);
        if (uint256(s) > HALF_ORDER) revert InvalidSignature(member);
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0) || signer != member) revert InvalidSignature(member);
    }
}
