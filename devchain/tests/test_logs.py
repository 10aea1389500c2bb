"""eth_getLogs filtering and the block range limit."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Node
from .evm import EMITTER, EMITTER_TOPIC

TOPIC0 = "0x" + EMITTER_TOPIC.hex()
RANGE_ERROR = (-32005, "Requested range exceeds maximum RPC range limit")


def _topic_for(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


@pytest.fixture
def emitted(node: Node) -> dict[str, Any]:
    """Two emitter contracts (blocks 1-2) and three logs (blocks 3-5)."""
    first = node.deploy(EMITTER)
    second = node.deploy(EMITTER)
    alice, bob = node.accounts[0], node.accounts[1]
    receipts = [
        node.send({"to": first, "data": "0x01"}, alice),
        node.send({"to": second, "data": "0x02"}, bob),
        node.send({"to": first, "data": "0x03"}, bob),
    ]
    return {"first": first, "second": second, "alice": alice.address, "bob": bob.address,
            "receipts": receipts}


def _data(logs: list[dict[str, Any]]) -> list[str]:
    return [log["data"] for log in logs]


def test_log_objects_match_receipts(node: Node, emitted: dict[str, Any]) -> None:
    logs = node.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest"})
    assert len(logs) == 3
    for log, receipt in zip(logs, emitted["receipts"], strict=True):
        assert log == receipt["logs"][0]
        assert log["blockNumber"] == receipt["blockNumber"]
        assert log["transactionHash"] == receipt["transactionHash"]
        assert log["topics"][0] == TOPIC0
        assert log["removed"] is False


def test_filter_by_address_single_and_list(node: Node, emitted: dict[str, Any]) -> None:
    first = {"fromBlock": "0x0", "address": emitted["first"]}
    assert _data(node.call("eth_getLogs", first)) == ["0x01", "0x03"]
    both = {"fromBlock": "0x0", "address": [emitted["first"], emitted["second"]]}
    assert _data(node.call("eth_getLogs", both)) == ["0x01", "0x02", "0x03"]
    nobody = {"fromBlock": "0x0", "address": "0x" + "44" * 20}
    assert node.call("eth_getLogs", nobody) == []


def test_filter_by_topics_with_wildcards_and_or_lists(node: Node, emitted: dict[str, Any]) -> None:
    bob = _topic_for(emitted["bob"])
    alice = _topic_for(emitted["alice"])
    by_sender = {"fromBlock": "0x0", "topics": [None, bob]}
    assert _data(node.call("eth_getLogs", by_sender)) == ["0x02", "0x03"]
    exact = {"fromBlock": "0x0", "topics": [TOPIC0, alice]}
    assert _data(node.call("eth_getLogs", exact)) == ["0x01"]
    either = {"fromBlock": "0x0", "topics": [[TOPIC0], [alice, bob]]}
    assert _data(node.call("eth_getLogs", either)) == ["0x01", "0x02", "0x03"]
    wrong_topic0 = {"fromBlock": "0x0", "topics": ["0x" + "01" * 32]}
    assert node.call("eth_getLogs", wrong_topic0) == []
    too_many_positions = {"fromBlock": "0x0", "topics": [None, None, TOPIC0]}
    assert node.call("eth_getLogs", too_many_positions) == []
    combined = {"fromBlock": "0x0", "address": emitted["first"], "topics": [None, bob]}
    assert _data(node.call("eth_getLogs", combined)) == ["0x03"]


def test_block_range_and_block_hash(node: Node, emitted: dict[str, Any]) -> None:
    second_log_block = emitted["receipts"][1]["blockNumber"]
    ranged = {"fromBlock": second_log_block, "toBlock": second_log_block}
    assert _data(node.call("eth_getLogs", ranged)) == ["0x02"]
    assert _data(node.call("eth_getLogs", {})) == ["0x03"]  # latest..latest
    by_hash = {"blockHash": emitted["receipts"][0]["blockHash"]}
    assert _data(node.call("eth_getLogs", by_hash)) == ["0x01"]
    beyond_head = {"fromBlock": "0x10", "toBlock": "0x20"}
    assert node.call("eth_getLogs", beyond_head) == []
    conflicting = {"blockHash": emitted["receipts"][0]["blockHash"], "fromBlock": "0x0"}
    assert node.error("eth_getLogs", conflicting).code == -32602


def test_range_limit_matches_besu(node: Node) -> None:
    node.send({"to": "0x" + "11" * 20})
    allowed = node.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(5000)})
    assert allowed == []
    failure = node.error("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(5001)})
    assert (failure.code, failure.message) == RANGE_ERROR
    failure = node.error("eth_getLogs", {"fromBlock": "0x1", "toBlock": hex(100_000)})
    assert (failure.code, failure.message) == RANGE_ERROR


def test_from_block_after_to_block_is_an_error(node: Node) -> None:
    node.send({"to": "0x" + "11" * 20})
    failure = node.error("eth_getLogs", {"fromBlock": "0x1", "toBlock": "0x0"})
    assert failure.code == -32602
    failure = node.error("eth_getLogs", {"fromBlock": "0x5", "toBlock": "latest"})
    assert failure.code == -32602
