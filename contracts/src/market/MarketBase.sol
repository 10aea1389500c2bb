// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeTransfer} from "../lib/SafeTransfer.sol";
import {MarketErrors} from "./MarketErrors.sol";
import {MemberStatus, SessionState, SessionParams} from "./MarketTypes.sol";

/// @title MarketBase
/// @notice Storage, roles, membership and member funds of the CER marketplace.
abstract contract MarketBase is MarketErrors {
    using SafeTransfer for address;

    /// @notice A member's internal account: free and locked token base units.
    struct Account {
        uint128 available;
        uint128 locked;
    }

    struct Member {
        MemberStatus status;
        uint64 registeredAt;
        bytes32 adhesionDocHash;
    }

    struct Session {
        uint64 commitDeadline;
        uint64 revealDeadline;
        uint64 deliveryStart;
        uint32 slotLength;
        uint16 slots;
        SessionState state;
        uint128 deposit;
        uint64 sellerBondPerKWh;
        uint32 commits;
        uint32 reveals;
        uint32 cleared;
        uint32 validated;
        uint32 settled;
        uint32 forfeited;
        uint128 pool;
        uint128 owed;
        bytes32 manifestHash;
        bytes32 resultHash;
        bytes32 validationHash;
    }

    /// @notice The settlement token (any standard ERC-20; tokens returning nothing work too).
    address public immutable token;
    address public admin;
    address public operator;
    /// @notice Forfeited deposits, penalties and rounding dust: the community's fund.
    uint256 public treasury;
    /// @notice When true (the seed's rule), a session opens only after the previous one is validated.
    bool public priorSessionValidationRequired = true;
    uint256 public lastSessionId;

    mapping(address => Member) public members;
    mapping(address => Account) internal accounts;
    mapping(uint256 => Session) internal sessions;
    /// @dev Per session and member, one word: the commitment, then the cleared fills' hash,
    /// then the settlement record (see the FLAG constants).
    mapping(uint256 => mapping(address => uint256)) internal participation;
    /// @dev Per session, bought minus sold per slot, four int64 slots per word: index 0–24 for
    /// clearing, 32–56 for deliveries. Chunks add to it; finalisation requires all zero.
    mapping(uint256 => mapping(uint256 => uint256)) internal slotNet;

    uint256 private _entered = 1;

    uint256 internal constant FLAG_MASK = 3;
    uint256 internal constant FLAG_COMMITTED = 1;
    uint256 internal constant FLAG_REVEALED = 2;
    uint256 internal constant FLAG_FORFEITED = 3;
    uint256 internal constant VALIDATED_BIT = 1 << 255;
    /// @dev Bits a commitment or fills hash keeps: the flag bits and bit 255 are cleared, so a
    /// stored hash can never look like a validated word.
    uint256 internal constant HASH_MASK = ~(FLAG_MASK | VALIDATED_BIT);
    /// @dev A revealed word keeps bits 2–159 of the commitment and, in bits 160–254, the
    /// collateral the reveal locked, so the clearing publication releases the rest without
    /// re-pricing every order. 158 bits: matching a given member's bits with other orders is a
    /// 2^158 search; a member choosing two order sets with the same bits (about 2^79 work) and an
    /// operator publishing fills against the second could only move that member's own limits
    /// (collateral and money stay as at reveal, every net write is bounds-checked).
    uint256 internal constant REVEALED_HASH_MASK = ((1 << 160) - 1) & ~FLAG_MASK;
    uint256 internal constant COLLATERAL_SHIFT = 160;
    uint256 internal constant COLLATERAL_BITS = 95;
    /// @dev At most this many orders per slot in one reveal (bounds gas and the 16-bit index).
    uint256 internal constant MAX_ORDERS_PER_SLOT = 16;
    uint256 internal constant SETTLED_BIT = 1;
    /// @dev A member whose locked funds were returned by a cancellation.
    uint256 internal constant RELEASED = VALIDATED_BIT | SETTLED_BIT;

    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event OperatorChanged(address indexed previousOperator, address indexed newOperator);
    event PriorSessionValidationSet(bool required);
    event MemberRegistered(address indexed member, bytes32 indexed adhesionDocHash);
    event MemberStatusChanged(address indexed member, MemberStatus from, MemberStatus to);
    event Deposited(address indexed member, uint256 amount);
    event Withdrawn(address indexed member, uint256 amount);
    event TreasuryWithdrawn(address indexed to, uint256 amount);

    constructor(address token_, address operator_) {
        if (token_ == address(0) || operator_ == address(0)) revert ZeroAddress();
        token = token_;
        admin = msg.sender;
        operator = operator_;
        emit AdminTransferred(address(0), msg.sender);
        emit OperatorChanged(address(0), operator_);
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (_entered != 1) revert Reentrancy();
        _entered = 2;
        _;
        _entered = 1;
    }

    // ---- roles ----

    function transferAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress();
        emit AdminTransferred(admin, newAdmin);
        admin = newAdmin;
    }

    function setOperator(address newOperator) external onlyAdmin {
        if (newOperator == address(0)) revert ZeroAddress();
        emit OperatorChanged(operator, newOperator);
        operator = newOperator;
    }

    function setPriorSessionValidation(bool required) external onlyAdmin {
        priorSessionValidationRequired = required;
        emit PriorSessionValidationSet(required);
    }

    // ---- membership ----

    /// @notice Notarises the hash of the caller's signed adhesion document; the admin approves.
    function registerUser(bytes32 adhesionDocHash) external {
        if (adhesionDocHash == bytes32(0)) revert EmptyDocumentHash();
        Member storage m = members[msg.sender];
        if (m.status != MemberStatus.None && m.status != MemberStatus.Rejected) {
            revert AlreadyRegistered(msg.sender, m.status);
        }
        MemberStatus previous = m.status;
        m.status = MemberStatus.Pending;
        m.registeredAt = uint64(block.timestamp);
        m.adhesionDocHash = adhesionDocHash;
        emit MemberRegistered(msg.sender, adhesionDocHash);
        emit MemberStatusChanged(msg.sender, previous, MemberStatus.Pending);
    }

    function approveMember(address member) external onlyAdmin {
        _changeStatus(member, MemberStatus.Pending, MemberStatus.Active);
    }

    function rejectMember(address member) external onlyAdmin {
        _changeStatus(member, MemberStatus.Pending, MemberStatus.Rejected);
    }

    function suspendMember(address member) external onlyAdmin {
        _changeStatus(member, MemberStatus.Active, MemberStatus.Suspended);
    }

    function reinstateMember(address member) external onlyAdmin {
        _changeStatus(member, MemberStatus.Suspended, MemberStatus.Active);
    }

    function _changeStatus(address member, MemberStatus from, MemberStatus to) private {
        Member storage m = members[member];
        if (m.status != from) revert InvalidStatusChange(member, m.status, to);
        m.status = to;
        emit MemberStatusChanged(member, from, to);
    }

    function _requireActive(address member) internal view {
        MemberStatus status = members[member].status;
        if (status != MemberStatus.Active) revert NotActiveMember(member, status);
    }

    // ---- funds ----

    /// @notice Moves `amount` tokens from the caller (after `approve`) into its account.
    function deposit(uint256 amount) external nonReentrant {
        _deposit(msg.sender, amount);
    }

    /// @notice `deposit` with an EIP-2612 permit instead of a prior approve.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A permit already used (e.g. front-run by someone who copied it) is fine as long as the
        // allowance is there; `transferFrom` then decides.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(msg.sender, amount);
    }

    function _deposit(address member, uint256 amount) private {
        if (amount == 0 || amount > type(uint128).max) revert ZeroAmount();
        MemberStatus status = members[member].status;
        if (status == MemberStatus.None || status == MemberStatus.Rejected) revert NotActiveMember(member, status);
        accounts[member].available += uint128(amount);
        emit Deposited(member, amount);
        token.safeTransferFrom(member, address(this), amount);
    }

    /// @notice Withdraws `amount` of the caller's available funds.
    function claimAvailableFunds(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @notice Withdraws all of the caller's available funds.
    function withdrawAllFunds() external nonReentrant {
        _withdraw(msg.sender, accounts[msg.sender].available);
    }

    function _withdraw(address member, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        Account storage a = accounts[member];
        if (a.available < amount) revert InsufficientFunds(member, a.available, amount);
        a.available -= uint128(amount);
        emit Withdrawn(member, amount);
        token.safeTransfer(member, amount);
    }

    /// @notice A member's available and locked funds.
    function checkFunds(address member) external view returns (uint256 available, uint256 locked) {
        Account memory a = accounts[member];
        return (a.available, a.locked);
    }

    /// @notice The status of every member of `list`, in order: one call instead of one
    /// `members(address)` per member (a relayed batch is refused if it names an inactive one).
    function statusesOf(address[] calldata list) external view returns (MemberStatus[] memory statuses) {
        statuses = new MemberStatus[](list.length);
        for (uint256 i = 0; i < list.length; i++) {
            statuses[i] = members[list[i]].status;
        }
    }

    /// @notice For every member of `list`, in order: its available and locked funds (as
    /// `checkFunds`), in one call.
    function fundsOf(address[] calldata list)
        external
        view
        returns (uint256[] memory available, uint256[] memory locked)
    {
        available = new uint256[](list.length);
        locked = new uint256[](list.length);
        for (uint256 i = 0; i < list.length; i++) {
            Account memory a = accounts[list[i]];
            available[i] = a.available;
            locked[i] = a.locked;
        }
    }

    /// @notice Sends treasury funds (forfeits, penalties, dust) to `to`.
    function withdrawTreasury(address to, uint256 amount) external onlyAdmin nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        if (treasury < amount) revert InsufficientFunds(address(this), treasury, amount);
        treasury -= amount;
        emit TreasuryWithdrawn(to, amount);
        token.safeTransfer(to, amount);
    }

    // ---- memory ----

    /// @dev The free memory pointer, to be restored after one entry of a batch: what an entry
    /// allocates (its encodings, event data) is dead once it is done, and without the reset
    /// memory grows with the chunk and its cost quadratically.
    function _freeMemory() internal pure returns (uint256 pointer) {
        assembly ("memory-safe") {
            pointer := mload(0x40)
        }
    }

    function _resetFreeMemory(uint256 pointer) internal pure {
        assembly ("memory-safe") {
            mstore(0x40, pointer)
        }
    }

    // ---- internal account moves ----

    function _lock(address member, uint256 amount) internal {
        Account storage a = accounts[member];
        if (a.available < amount) revert InsufficientFunds(member, a.available, amount);
        a.available -= uint128(amount);
        a.locked += uint128(amount);
    }
}

interface IERC20Permit {
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;
}
