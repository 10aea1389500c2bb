// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title AbiProbe
/// @notice Test-only contract: lets the Swift ABI codec be checked against solc's own encoder,
/// event encoder and revert encoder on a real EVM.
contract AbiProbe {
    struct Order {
        uint16 slot;
        bool buy;
        uint64 quantityWh;
        uint128 limitPrice;
    }

    event Probed(address indexed sender, string indexed tag, Order[] orders, bytes note);
    event Anonymous(address indexed sender, uint256 value) anonymous;

    error ProbeFailed(uint256 code, string why, address who);

    /// @notice keccak256(abi.encode(orders, note, tags)), computed by the EVM.
    function hashEncoding(Order[] calldata orders, bytes calldata note, string[] calldata tags)
        external
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(orders, note, tags));
    }

    /// @notice Returns its inputs, to check decoding of nested dynamic outputs.
    function echo(Order[] calldata orders, int64[3] calldata deltas, string calldata text)
        external
        pure
        returns (Order[] memory, int64[3] memory, string memory)
    {
        return (orders, deltas, text);
    }

    /// @notice Emits one `Probed` and one anonymous event.
    function emitEvents(string calldata tag, Order[] calldata orders, bytes calldata note) external {
        emit Probed(msg.sender, tag, orders, note);
        emit Anonymous(msg.sender, orders.length);
    }

    /// @notice Reverts in the way `kind` selects: 1 Error(string), 2 Panic (division by zero),
    /// 3 custom error, 4 bare revert.
    function fail(uint8 kind) external view returns (uint256) {
        if (kind == 1) revert("probe: message");
        if (kind == 2) {
            uint256 zero = 0;
            return 1 / zero;
        }
        if (kind == 3) revert ProbeFailed(42, "custom", msg.sender);
        if (kind == 4) revert();
        return kind;
    }
}
