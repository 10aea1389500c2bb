"""Transaction admission, mining and the receipt/transaction objects."""

from __future__ import annotations

import rlp
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from .conftest import CHAIN_ID, GWEI, Node
from .evm import EMITTER, reverter

RECIPIENT = "0x" + "11" * 20


def test_legacy_eip155_transaction_is_mined(node: Node) -> None:
    raw = node.sign({"to": RECIPIENT, "value": 1000, "gas": 21000, "gasPrice": 2 * GWEI})
    tx_hash = node.call("eth_sendRawTransaction", "0x" + raw.hex())
    receipt = node.call("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["type"] == "0x0"
    assert receipt["gasUsed"] == hex(21000)
    assert receipt["cumulativeGasUsed"] == hex(21000)
    assert receipt["effectiveGasPrice"] == hex(2 * GWEI)
    assert receipt["from"] == node.accounts[0].address.lower()
    assert receipt["to"] == RECIPIENT
    assert receipt["contractAddress"] is None
    assert receipt["logs"] == []
    assert receipt["blockNumber"] == "0x1"
    assert receipt["transactionIndex"] == "0x0"

    tx = node.call("eth_getTransactionByHash", tx_hash)
    assert tx["type"] == "0x0"
    assert tx["chainId"] == hex(CHAIN_ID)
    assert int(tx["v"], 16) in (CHAIN_ID * 2 + 35, CHAIN_ID * 2 + 36)
    assert tx["nonce"] == "0x0"
    assert tx["input"] == "0x"
    assert tx["value"] == hex(1000)
    assert tx["gasPrice"] == hex(2 * GWEI)
    assert tx["blockHash"] == receipt["blockHash"]
    assert int(tx["r"], 16) > 0 and int(tx["s"], 16) > 0
    assert node.call("eth_getBalance", RECIPIENT, "latest") == hex(1000)


def test_unprotected_legacy_transaction_is_accepted(node: Node) -> None:
    account = node.accounts[0]
    signed = account.sign_transaction(
        {"nonce": 0, "to": to_checksum_address(RECIPIENT), "value": 1, "gas": 21000,
         "gasPrice": 2 * GWEI}
    )
    tx_hash = node.call("eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
    tx = node.call("eth_getTransactionByHash", tx_hash)
    assert tx["v"] in ("0x1b", "0x1c")
    assert "chainId" not in tx
    assert node.call("eth_getTransactionReceipt", tx_hash)["status"] == "0x1"


def test_eip1559_transaction_is_mined_with_effective_price(node: Node) -> None:
    base_fee = node.chain.pending_base_fee
    raw = node.sign(
        {"to": RECIPIENT, "value": 1, "gas": 30000, "maxFeePerGas": 5 * GWEI,
         "maxPriorityFeePerGas": 3}
    )
    tx_hash = node.call("eth_sendRawTransaction", "0x" + raw.hex())
    receipt = node.call("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["type"] == "0x2"
    assert int(receipt["effectiveGasPrice"], 16) == base_fee + 3
    tx = node.call("eth_getTransactionByHash", tx_hash)
    assert tx["type"] == "0x2"
    assert tx["chainId"] == hex(CHAIN_ID)
    assert tx["maxFeePerGas"] == hex(5 * GWEI)
    assert tx["maxPriorityFeePerGas"] == "0x3"
    assert tx["gasPrice"] == hex(base_fee + 3)
    assert tx["yParity"] in ("0x0", "0x1")
    assert tx["v"] == tx["yParity"]
    assert tx["accessList"] == []
    block = node.call("eth_getBlockByNumber", receipt["blockNumber"], False)
    assert int(block["baseFeePerGas"], 16) == base_fee
    sender_cost = 21000 * (base_fee + 3) + 1
    balance = int(node.call("eth_getBalance", node.accounts[0].address), 16)
    assert balance == 1_000_000 * 10**18 - sender_cost


def test_access_list_transaction_is_accepted(node: Node) -> None:
    raw = node.sign(
        {"to": RECIPIENT, "gas": 30000, "gasPrice": 2 * GWEI, "type": 1,
         "accessList": [{"address": RECIPIENT, "storageKeys": ["0x" + "00" * 31 + "01"]}]}
    )
    tx_hash = node.call("eth_sendRawTransaction", "0x" + raw.hex())
    tx = node.call("eth_getTransactionByHash", tx_hash)
    assert tx["type"] == "0x1"
    assert tx["accessList"] == [
        {"address": RECIPIENT, "storageKeys": ["0x" + "00" * 31 + "01"]}
    ]


def test_wrong_chain_id_is_rejected(node: Node) -> None:
    for fields in (
        {"to": RECIPIENT, "chainId": 1, "gasPrice": 2 * GWEI, "gas": 21000},
        {"to": RECIPIENT, "chainId": 31337, "gas": 21000},
    ):
        raw = node.sign(fields)
        failure = node.error("eth_sendRawTransaction", "0x" + raw.hex())
        assert (failure.code, failure.message) == (-32000, "Wrong chainId")
    assert node.call("eth_blockNumber") == "0x0"


def test_resending_a_mined_transaction_is_nonce_too_low(node: Node) -> None:
    raw = "0x" + node.sign({"to": RECIPIENT, "value": 1}).hex()
    node.call("eth_sendRawTransaction", raw)
    failure = node.error("eth_sendRawTransaction", raw)
    assert (failure.code, failure.message) == (-32001, "Nonce too low")


def test_nonce_too_high_is_rejected(node: Node) -> None:
    raw = node.sign({"to": RECIPIENT, "nonce": 5})
    failure = node.error("eth_sendRawTransaction", "0x" + raw.hex())
    assert (failure.code, failure.message) == (-32006, "Nonce too high")


def test_insufficient_funds_is_rejected(node: Node) -> None:
    pauper = Account.from_key("0x" + "42" * 32)
    raw = node.sign({"to": RECIPIENT, "value": 1, "gas": 21000}, account=pauper)
    failure = node.error("eth_sendRawTransaction", "0x" + raw.hex())
    assert (failure.code, failure.message) == (-32004, "Upfront cost exceeds account balance")


def test_gas_checks(node: Node) -> None:
    too_little = node.sign({"to": RECIPIENT, "gas": 20_000})
    failure = node.error("eth_sendRawTransaction", "0x" + too_little.hex())
    assert (failure.code, failure.message) == (-32003, "Intrinsic gas exceeds gas limit")
    too_much = node.sign({"to": RECIPIENT, "gas": 30_000_001})
    failure = node.error("eth_sendRawTransaction", "0x" + too_much.hex())
    assert (failure.code, failure.message) == (
        -32005, "Transaction gas limit exceeds block gas limit"
    )
    cheap = node.sign({"to": RECIPIENT, "gas": 21000, "gasPrice": 1})
    failure = node.error("eth_sendRawTransaction", "0x" + cheap.hex())
    assert (failure.code, failure.message) == (-32009, "Gas price below current base fee")
    assert node.call("eth_blockNumber") == "0x0"


def test_invalid_signature_and_garbage_are_rejected(node: Node) -> None:
    unsigned = rlp.encode([0, 2 * GWEI, 21000, bytes.fromhex("11" * 20), 1, b"", 2709, 0, 0])
    failure = node.error("eth_sendRawTransaction", "0x" + unsigned.hex())
    assert (failure.code, failure.message) == (-32002, "Invalid signature")
    assert node.error("eth_sendRawTransaction", "0xdeadbeef").code == -32602
    assert node.error("eth_sendRawTransaction", "0x03c0").message == "Invalid transaction type"
    assert node.error("eth_sendRawTransaction", "not hex").code == -32602


def test_reverting_transaction_is_mined_with_status_zero(node: Node) -> None:
    contract = node.deploy(reverter(b"\x01\x02"))
    receipt = node.send({"to": contract, "gas": 100_000})
    assert receipt["status"] == "0x0"
    assert int(receipt["gasUsed"], 16) > 21000
    assert node.nonce(node.accounts[0]) == 2


def test_contract_creation_receipt_and_code(node: Node) -> None:
    sender = node.accounts[0].address
    address = node.deploy(EMITTER)
    expected = keccak(rlp.encode([bytes.fromhex(sender[2:]), 0]))[12:]
    assert address == "0x" + expected.hex()
    assert node.call("eth_getTransactionCount", sender, "latest") == "0x1"
    assert node.call("eth_getCode", address, "0x0") == "0x"
    assert node.call("eth_getCode", address, "latest") == "0x" + EMITTER.hex()


def test_unknown_transaction_is_null(node: Node) -> None:
    unknown = "0x" + "77" * 32
    assert node.call("eth_getTransactionReceipt", unknown) is None
    assert node.call("eth_getTransactionByHash", unknown) is None


def test_send_transaction_from_unlocked_dev_account(node: Node) -> None:
    accounts = node.call("eth_accounts")
    tx_hash = node.call(
        "eth_sendTransaction", {"from": accounts[1], "to": RECIPIENT, "value": "0x2a"}
    )
    receipt = node.call("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["from"] == accounts[1]
    assert receipt["type"] == "0x2"
    assert node.call("eth_getBalance", RECIPIENT) == "0x2a"
    legacy = node.call(
        "eth_sendTransaction",
        {"from": accounts[1], "to": RECIPIENT, "gasPrice": hex(3 * GWEI)},
    )
    assert node.call("eth_getTransactionByHash", legacy)["type"] == "0x0"
    failure = node.error("eth_sendTransaction", {"from": "0x" + "99" * 20, "to": RECIPIENT})
    assert (failure.code, failure.message) == (-32000, "unknown account")


def test_cumulative_gas_and_log_fields_in_receipt(node: Node) -> None:
    contract = node.deploy(EMITTER)
    receipt = node.send({"to": contract, "data": "0x" + "00" * 31 + "05"})
    assert receipt["status"] == "0x1"
    (log,) = receipt["logs"]
    assert log["address"] == contract
    assert log["logIndex"] == "0x0"
    assert log["blockNumber"] == receipt["blockNumber"]
    assert log["transactionHash"] == receipt["transactionHash"]
    assert log["data"] == "0x" + "00" * 31 + "05"
    assert log["topics"][1] == "0x" + "00" * 12 + node.accounts[0].address[2:].lower()
    assert receipt["cumulativeGasUsed"] == receipt["gasUsed"]
