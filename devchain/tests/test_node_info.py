"""Node information, accounts, fee and block lookup methods."""

from __future__ import annotations

import re

from eth_account import Account

from .conftest import CHAIN_ID, Node

QUANTITY = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")
ANVIL_ACCOUNT_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ONE_MILLION_ETH = 1_000_000 * 10**18


def test_client_version_and_network_ids(node: Node) -> None:
    assert node.call("web3_clientVersion").startswith("cer-devchain/v")
    assert node.call("net_version") == str(CHAIN_ID)
    assert node.call("eth_chainId") == hex(CHAIN_ID)
    assert node.call("eth_syncing") is False
    assert node.call("web3_sha3", "0x") == (
        "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


def test_accounts_are_the_standard_dev_mnemonic_accounts(node: Node) -> None:
    accounts = node.call("eth_accounts")
    assert len(accounts) == 10
    assert accounts[0] == ANVIL_ACCOUNT_0
    assert len(set(accounts)) == 10


def test_devchain_accounts_returns_matching_private_keys(node: Node) -> None:
    entries = node.call("devchain_accounts")
    assert [e["address"] for e in entries] == node.call("eth_accounts")
    assert entries[0]["privateKey"] == ANVIL_KEY_0
    for index, entry in enumerate(entries):
        assert Account.from_key(entry["privateKey"]).address.lower() == entry["address"]
        assert entry["derivationPath"] == f"m/44'/60'/0'/0/{index}"


def test_each_account_holds_one_million_eth(node: Node) -> None:
    for account in node.call("eth_accounts"):
        assert int(node.call("eth_getBalance", account, "latest"), 16) == ONE_MILLION_ETH
    assert node.call("eth_getBalance", "0x" + "12" * 20, "latest") == "0x0"


def test_block_number_starts_at_genesis_and_follows_transactions(node: Node) -> None:
    assert node.call("eth_blockNumber") == "0x0"
    node.send({"to": "0x" + "11" * 20, "value": 1})
    assert node.call("eth_blockNumber") == "0x1"


def test_genesis_block_shape(node: Node) -> None:
    block = node.call("eth_getBlockByNumber", "earliest", False)
    assert block["number"] == "0x0"
    assert block["gasLimit"] == hex(30_000_000)
    assert block["baseFeePerGas"] == hex(10**9)
    assert block["transactions"] == []
    assert block["parentHash"] == "0x" + "00" * 32
    for key in ("number", "gasLimit", "gasUsed", "timestamp", "size", "baseFeePerGas"):
        assert QUANTITY.match(block[key]), (key, block[key])
    for key in ("hash", "stateRoot", "transactionsRoot", "receiptsRoot", "mixHash"):
        assert len(block[key]) == 66
    assert len(block["logsBloom"]) == 2 + 512


def test_block_tags_resolve_to_head(node: Node) -> None:
    receipt = node.send({"to": "0x" + "11" * 20, "value": 1})
    latest = node.call("eth_getBlockByNumber", "latest", False)
    assert latest["hash"] == receipt["blockHash"]
    for tag in ("pending", "safe", "finalized"):
        assert node.call("eth_getBlockByNumber", tag, False)["hash"] == latest["hash"]
    assert node.call("eth_getBlockByNumber", "0x1", False)["hash"] == latest["hash"]
    assert node.call("eth_getBlockByNumber", "0x2", False) is None
    assert latest["transactions"] == [receipt["transactionHash"]]


def test_block_by_hash_with_full_transactions(node: Node) -> None:
    receipt = node.send({"to": "0x" + "11" * 20, "value": 5})
    block = node.call("eth_getBlockByHash", receipt["blockHash"], True)
    assert block["number"] == receipt["blockNumber"]
    (tx,) = block["transactions"]
    assert tx["hash"] == receipt["transactionHash"]
    assert tx["value"] == "0x5"
    assert node.call("eth_getBlockByHash", "0x" + "ab" * 32, False) is None
    assert node.call("eth_getBlockTransactionCountByHash", receipt["blockHash"]) == "0x1"
    assert node.call("eth_getBlockTransactionCountByNumber", "latest") == "0x1"
    by_index = node.call("eth_getTransactionByBlockNumberAndIndex", receipt["blockNumber"], "0x0")
    assert by_index["hash"] == receipt["transactionHash"]
    assert node.call("eth_getBlockReceipts", "latest")[0]["transactionHash"] == tx["hash"]


def test_fee_methods(node: Node) -> None:
    base_fee = node.chain.pending_base_fee
    assert int(node.call("eth_maxPriorityFeePerGas"), 16) == 10**9
    assert int(node.call("eth_gasPrice"), 16) == base_fee + 10**9
    for _ in range(3):
        node.send({"to": "0x" + "11" * 20, "value": 1})
    history = node.call("eth_feeHistory", "0x3", "latest", [25, 75])
    assert history["oldestBlock"] == "0x1"
    assert len(history["baseFeePerGas"]) == 4  # three blocks plus the next one
    assert len(history["gasUsedRatio"]) == 3
    assert all(0 < ratio < 1 for ratio in history["gasUsedRatio"])
    assert history["reward"] == [[hex(10**9), hex(10**9)]] * 3
    assert int(history["baseFeePerGas"][-1], 16) == node.chain.pending_base_fee
    # asking for more blocks than exist is clamped to genesis
    assert node.call("eth_feeHistory", "0x10", "latest", [])["oldestBlock"] == "0x0"
    assert node.error("eth_feeHistory", "0x0", "latest").code == -32602


def test_state_queries_at_historical_blocks(node: Node) -> None:
    sender = node.accounts[0].address
    node.send({"to": "0x" + "11" * 20, "value": 7})
    node.send({"to": "0x" + "11" * 20, "value": 8})
    target = "0x" + "11" * 20
    assert node.call("eth_getBalance", target, "0x0") == "0x0"
    assert node.call("eth_getBalance", target, "0x1") == "0x7"
    assert node.call("eth_getBalance", target, "latest") == "0xf"
    assert node.call("eth_getBalance", target, {"blockNumber": "0x1"}) == "0x7"
    block1 = node.call("eth_getBlockByNumber", "0x1", False)
    assert node.call("eth_getBalance", target, {"blockHash": block1["hash"]}) == "0x7"
    assert node.call("eth_getTransactionCount", sender, "0x1") == "0x1"
    assert node.call("eth_getTransactionCount", sender, "latest") == "0x2"
    assert node.call("eth_getTransactionCount", sender, "pending") == "0x2"
    assert node.call("eth_getTransactionCount", sender, "earliest") == "0x0"
    failure = node.error("eth_getBalance", target, "0x99")
    assert (failure.code, failure.message) == (-32000, "header not found")
