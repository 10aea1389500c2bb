"""devchain_stats / devchain_resetStats: per-method timings and chain counters."""

from __future__ import annotations

from .conftest import Node

RECIPIENT = "0x" + "11" * 20


def test_stats_count_calls_errors_blocks_and_gas(node: Node) -> None:
    assert node.call("devchain_resetStats") is True
    for _ in range(3):
        node.send({"to": RECIPIENT, "value": 1, "gas": 21_000})
    node.call("evm_mine")
    node.error("eth_getBalance", "0x1234")  # invalid params: an error inside the handler
    node.error("no_such_method")  # not a method: not counted

    stats = node.call("devchain_stats")
    methods = stats["methods"]
    # node.send: eth_getTransactionCount, eth_sendRawTransaction, eth_getTransactionReceipt
    assert methods["eth_sendRawTransaction"]["calls"] == 3
    assert methods["eth_sendRawTransaction"]["errors"] == 0
    assert methods["eth_getTransactionReceipt"]["calls"] == 3
    assert methods["eth_getBalance"] == {
        "calls": 1, "errors": 1, "seconds": methods["eth_getBalance"]["seconds"]
    }
    assert methods["devchain_resetStats"]["calls"] == 1  # the reset itself opens the window
    assert "no_such_method" not in methods
    assert "devchain_stats" not in methods  # this call is counted after its answer
    assert all(m["seconds"] >= 0 for m in methods.values())
    assert methods["eth_sendRawTransaction"]["seconds"] > 0
    totals = stats["totals"]
    assert totals["calls"] == sum(m["calls"] for m in methods.values())
    assert totals["errors"] == 1
    assert abs(totals["seconds"] - sum(m["seconds"] for m in methods.values())) < 1e-5
    assert stats["blocks"] == 4
    assert stats["transactions"] == 3
    assert stats["gasUsed"] == 3 * 21_000
    assert 0 < stats["miningSeconds"] <= totals["seconds"]
    assert stats["elapsedSeconds"] >= totals["seconds"]

    again = node.call("devchain_stats")
    assert again["methods"]["devchain_stats"]["calls"] == 1


def test_reset_starts_a_new_window_and_batches_count_each_request(node: Node) -> None:
    node.send({"to": RECIPIENT, "value": 1, "gas": 21_000})
    assert node.call("devchain_resetStats") is True
    node.client.post(
        [{"jsonrpc": "2.0", "id": i, "method": "eth_blockNumber", "params": []} for i in range(5)]
    )
    stats = node.call("devchain_stats")
    assert set(stats["methods"]) == {"devchain_resetStats", "eth_blockNumber"}
    assert stats["methods"]["eth_blockNumber"]["calls"] == 5
    assert (stats["blocks"], stats["transactions"], stats["gasUsed"]) == (0, 0, 0)
    assert node.error("devchain_stats", 1).code == -32602
