"""Convert py-evm blocks, transactions, receipts and logs to JSON-RPC objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import rlp
from eth.abc import BlockAPI, ReceiptAPI, SignedTransactionAPI
from eth_utils import keccak

from .admission import (
    ACCESS_LIST_TX_TYPE,
    DYNAMIC_FEE_TX_TYPE,
    LEGACY_TX_TYPE,
    SET_CODE_TX_TYPE,
    base_fee_of,
    effective_gas_price,
    legacy_chain_id,
    legacy_v,
    transaction_type,
)
from .encoding import address, data, optional_address, quantity, word
from .logs import topics_as_bytes

JsonObject = dict[str, Any]


def contract_address(sender: bytes, nonce: int) -> bytes:
    """Address of a contract created by ``sender`` with ``nonce`` (CREATE)."""
    return keccak(rlp.encode([sender, nonce]))[12:]


def receipt_status(receipt: ReceiptAPI) -> int:
    """1 for success, 0 for failure (post-Byzantium receipts store it in ``state_root``)."""
    return 1 if bytes(receipt.state_root) == b"\x01" else 0


def format_block(block: BlockAPI, *, full_transactions: bool) -> JsonObject:
    """A block object as returned by ``eth_getBlockByNumber``/``eth_getBlockByHash``."""
    header = block.header
    if full_transactions:
        transactions: list[Any] = [
            format_transaction(tx, block=block, index=i)
            for i, tx in enumerate(block.transactions)
        ]
    else:
        transactions = [data(tx.hash) for tx in block.transactions]
    result: JsonObject = {
        "number": quantity(header.block_number),
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "nonce": data(header.nonce),
        "mixHash": data(header.mix_hash),
        "sha3Uncles": data(header.uncles_hash),
        "logsBloom": data(int(header.bloom).to_bytes(256, "big")),
        "transactionsRoot": data(header.transaction_root),
        "stateRoot": data(header.state_root),
        "receiptsRoot": data(header.receipt_root),
        "miner": address(header.coinbase),
        "difficulty": quantity(header.difficulty),
        "totalDifficulty": quantity(header.difficulty),
        "extraData": data(header.extra_data),
        "size": quantity(len(rlp.encode(block))),
        "gasLimit": quantity(header.gas_limit),
        "gasUsed": quantity(header.gas_used),
        "timestamp": quantity(header.timestamp),
        "transactions": transactions,
        "uncles": [data(uncle.hash) for uncle in block.uncles],
        "baseFeePerGas": quantity(base_fee_of(header)),
    }
    optional_fields = (
        ("withdrawalsRoot", "withdrawals_root", data),
        ("blobGasUsed", "blob_gas_used", quantity),
        ("excessBlobGas", "excess_blob_gas", quantity),
        ("parentBeaconBlockRoot", "parent_beacon_block_root", data),
        ("requestsHash", "requests_hash", data),
    )
    for key, attribute, encode in optional_fields:
        value = getattr(header, attribute, None)
        if value is not None:
            result[key] = encode(value)
    if hasattr(block, "withdrawals"):
        result["withdrawals"] = [
            {
                "index": quantity(w.index),
                "validatorIndex": quantity(w.validator_index),
                "address": address(w.address),
                "amount": quantity(w.amount),
            }
            for w in block.withdrawals
        ]
    return result


def _access_list(tx: SignedTransactionAPI) -> list[JsonObject]:
    return [
        {"address": address(account), "storageKeys": [word(key) for key in storage_keys]}
        for account, storage_keys in (tx.access_list or ())
    ]


def format_transaction(
    tx: SignedTransactionAPI, *, block: BlockAPI | None, index: int | None
) -> JsonObject:
    """A transaction object as returned by ``eth_getTransactionByHash``."""
    tx_type = transaction_type(tx)
    result: JsonObject = {
        "type": quantity(tx_type),
        "hash": data(tx.hash),
        "nonce": quantity(tx.nonce),
        "blockHash": data(block.hash) if block is not None else None,
        "blockNumber": quantity(block.number) if block is not None else None,
        "transactionIndex": quantity(index) if index is not None else None,
        "from": address(tx.sender),
        "to": optional_address(tx.to),
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "input": data(tx.data),
    }
    if tx_type == LEGACY_TX_TYPE:
        result["gasPrice"] = quantity(tx.gas_price)
        v = legacy_v(tx)
        chain_id = legacy_chain_id(v)
        if chain_id is not None:
            result["chainId"] = quantity(chain_id)
        result["v"] = quantity(v)
    else:
        result["chainId"] = quantity(cast(int, tx.chain_id))
        result["accessList"] = _access_list(tx)
        if tx_type == ACCESS_LIST_TX_TYPE:
            result["gasPrice"] = quantity(tx.gas_price)
        if tx_type >= DYNAMIC_FEE_TX_TYPE:
            result["maxFeePerGas"] = quantity(tx.max_fee_per_gas)
            result["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas)
            result["gasPrice"] = quantity(
                effective_gas_price(tx, base_fee_of(block.header))
                if block is not None
                else tx.max_fee_per_gas
            )
        if tx_type == SET_CODE_TX_TYPE:
            result["authorizationList"] = [
                {
                    "chainId": quantity(auth.chain_id),
                    "address": address(auth.address),
                    "nonce": quantity(auth.nonce),
                    "yParity": quantity(auth.y_parity),
                    "r": quantity(auth.r),
                    "s": quantity(auth.s),
                }
                for auth in tx.authorization_list
            ]
        result["yParity"] = quantity(tx.y_parity)
        result["v"] = quantity(tx.y_parity)
    result["r"] = quantity(tx.r)
    result["s"] = quantity(tx.s)
    return result


def format_log(
    log: Any,
    *,
    block: BlockAPI,
    tx: SignedTransactionAPI,
    tx_index: int,
    log_index: int,
) -> JsonObject:
    """A log object; ``log_index`` is the position of the log within the block."""
    return {
        "address": address(log.address),
        "topics": [data(topic) for topic in topics_as_bytes(log.topics)],
        "data": data(log.data),
        "blockNumber": quantity(block.number),
        "blockHash": data(block.hash),
        "blockTimestamp": quantity(block.header.timestamp),
        "transactionHash": data(tx.hash),
        "transactionIndex": quantity(tx_index),
        "logIndex": quantity(log_index),
        "removed": False,
    }


def first_log_index(receipts: Sequence[ReceiptAPI], tx_index: int) -> int:
    """Block-wide index of the first log emitted by transaction ``tx_index``."""
    return sum(len(receipt.logs) for receipt in receipts[:tx_index])


def format_receipt(
    block: BlockAPI, tx_index: int, receipts: Sequence[ReceiptAPI]
) -> JsonObject:
    """A receipt object as returned by ``eth_getTransactionReceipt``."""
    tx = block.transactions[tx_index]
    receipt = receipts[tx_index]
    previous_cumulative = receipts[tx_index - 1].gas_used if tx_index > 0 else 0
    log_offset = first_log_index(receipts, tx_index)
    created = contract_address(tx.sender, tx.nonce) if not tx.to else None
    return {
        "transactionHash": data(tx.hash),
        "transactionIndex": quantity(tx_index),
        "blockHash": data(block.hash),
        "blockNumber": quantity(block.number),
        "from": address(tx.sender),
        "to": optional_address(tx.to),
        "cumulativeGasUsed": quantity(receipt.gas_used),
        "gasUsed": quantity(receipt.gas_used - previous_cumulative),
        "effectiveGasPrice": quantity(
            effective_gas_price(tx, base_fee_of(block.header))
        ),
        "contractAddress": optional_address(created),
        "logs": [
            format_log(log, block=block, tx=tx, tx_index=tx_index, log_index=log_offset + i)
            for i, log in enumerate(receipt.logs)
        ],
        "logsBloom": data(int(receipt.bloom).to_bytes(256, "big")),
        "type": quantity(transaction_type(tx)),
        "status": quantity(receipt_status(receipt)),
    }
