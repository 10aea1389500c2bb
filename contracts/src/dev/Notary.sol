// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Notary
/// @notice Notarises the hash of a document (e.g. a member's signed adhesion contract) on chain,
/// once. The foundation's demo deploys it and notarises a document with a locally signed
/// transaction; the market contracts carry the same idea into membership.
contract Notary {
    struct Record {
        address by;
        uint64 at;
    }

    /// @notice Who notarised each document hash, and when (block timestamp).
    mapping(bytes32 => Record) public records;

    /// @notice Emitted once per document.
    event Notarised(address indexed by, bytes32 indexed docHash, string label, uint64 at);

    /// @notice The document was already notarised.
    error AlreadyNotarised(bytes32 docHash, address by, uint64 at);

    /// @notice The document hash is zero.
    error EmptyHash();

    /// @notice Records `docHash` with a free-text label.
    function notarise(bytes32 docHash, string calldata label) external {
        if (docHash == bytes32(0)) revert EmptyHash();
        Record memory existing = records[docHash];
        if (existing.by != address(0)) revert AlreadyNotarised(docHash, existing.by, existing.at);
        records[docHash] = Record(msg.sender, uint64(block.timestamp));
        emit Notarised(msg.sender, docHash, label, uint64(block.timestamp));
    }

    /// @notice True when `docHash` was notarised.
    function isNotarised(bytes32 docHash) external view returns (bool) {
        return records[docHash].by != address(0);
    }
}
