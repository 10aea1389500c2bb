// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SafeTransfer
/// @notice ERC-20 calls that work with tokens returning `true`, returning nothing (USDT-style),
/// or reverting; a `false` return or a call to an address without code is an error.
library SafeTransfer {
    error TokenCallFailed(address token, bytes4 selector);

    function safeTransfer(address token, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0xa9059cbb, to, amount));
    }

    function safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0x23b872dd, from, to, amount));
    }

    function _call(address token, bytes memory data) private {
        bytes4 selector;
        assembly ("memory-safe") {
            selector := mload(add(data, 32))
        }
        if (token.code.length == 0) revert TokenCallFailed(token, selector);
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && (ret.length < 32 || !abi.decode(ret, (bool))))) {
            revert TokenCallFailed(token, selector);
        }
    }
}
