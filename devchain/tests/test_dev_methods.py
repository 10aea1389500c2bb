"""Time travel, manual mining, snapshots and balance overrides."""

from __future__ import annotations

from .conftest import Node
from .evm import returns_word

RECIPIENT = "0x" + "11" * 20


def _timestamp(node: Node, tag: str = "latest") -> int:
    return int(node.call("eth_getBlockByNumber", tag, False)["timestamp"], 16)


def test_automine_timestamps_are_strictly_increasing(node: Node) -> None:
    stamps = [_timestamp(node)]
    for _ in range(4):
        node.send({"to": RECIPIENT, "value": 1})
        stamps.append(_timestamp(node))
    assert stamps == sorted(set(stamps))


def test_increase_time_moves_the_next_block(node: Node) -> None:
    before = _timestamp(node)
    offset = int(node.call("evm_increaseTime", 3600), 16)
    assert offset >= 3600
    assert int(node.call("evm_increaseTime", "0xe10"), 16) >= offset + 3600  # hex works too
    node.call("evm_mine")
    after = _timestamp(node)
    assert after >= before + 7200
    assert after < before + 7200 + 60
    # time keeps flowing from there for transactions
    node.send({"to": RECIPIENT})
    assert _timestamp(node) > after


def test_set_next_block_timestamp_and_contract_sees_it(node: Node) -> None:
    target = _timestamp(node) + 86_400
    assert node.call("evm_setNextBlockTimestamp", target) is None
    receipt = node.send({"to": RECIPIENT})
    block = node.call("eth_getBlockByNumber", receipt["blockNumber"], False)
    assert int(block["timestamp"], 16) == target
    clock = node.deploy(returns_word("TIMESTAMP"))
    now = int(node.call("eth_call", {"to": clock}), 16)
    assert now == _timestamp(node) >= target + 1
    failure = node.error("evm_setNextBlockTimestamp", target)
    assert failure.code == -32000


def test_evm_mine_with_timestamp(node: Node) -> None:
    target = _timestamp(node) + 1000
    assert node.call("evm_mine", hex(target)) == "0x0"
    assert node.call("eth_blockNumber") == "0x1"
    assert _timestamp(node) == target
    node.call("evm_mine", {"blocks": 3})
    assert node.call("eth_blockNumber") == "0x4"
    assert node.error("evm_mine", hex(target)).code == -32000
    node.call("anvil_mine", "0x2", "0x3c")
    assert node.call("eth_blockNumber") == "0x6"
    assert _timestamp(node) - _timestamp(node, "0x5") == 60


def test_snapshot_and_revert(node: Node) -> None:
    node.send({"to": RECIPIENT, "value": 1})
    snapshot = node.call("evm_snapshot")
    assert snapshot == "0x1"
    receipt = node.send({"to": RECIPIENT, "value": 2})
    node.send({"to": RECIPIENT, "value": 4})
    assert node.call("eth_getBalance", RECIPIENT) == "0x7"
    assert node.call("eth_blockNumber") == "0x3"

    assert node.call("evm_revert", snapshot) is True
    assert node.call("eth_blockNumber") == "0x1"
    assert node.call("eth_getBalance", RECIPIENT) == "0x1"
    assert node.call("eth_getTransactionReceipt", receipt["transactionHash"]) is None
    assert node.call("eth_getTransactionByHash", receipt["transactionHash"]) is None
    assert node.call("eth_getBlockByNumber", "0x2", False) is None
    assert node.call("eth_getBlockByHash", receipt["blockHash"], False) is None
    assert node.nonce(node.accounts[0]) == 1
    # a snapshot is consumed by reverting to it
    assert node.call("evm_revert", snapshot) is False

    # the chain continues normally; the same nonce can be used again
    again = node.send({"to": RECIPIENT, "value": 8})
    assert again["blockNumber"] == "0x2"
    assert node.call("eth_getBalance", RECIPIENT) == "0x9"
    logs_range = node.call("eth_getLogs", {"fromBlock": "0x0"})
    assert logs_range == []


def test_nested_snapshots(node: Node) -> None:
    outer = node.call("evm_snapshot")
    node.send({"to": RECIPIENT, "value": 1})
    inner = node.call("evm_snapshot")
    node.send({"to": RECIPIENT, "value": 1})
    assert node.call("evm_revert", inner) is True
    assert node.call("eth_getBalance", RECIPIENT) == "0x1"
    assert node.call("evm_revert", outer) is True
    assert node.call("eth_getBalance", RECIPIENT) == "0x0"
    assert node.call("eth_blockNumber") == "0x0"
    # reverting to outer dropped inner as well
    assert node.call("evm_revert", inner) is False


def test_revert_restores_clock_settings(node: Node) -> None:
    snapshot = node.call("evm_snapshot")
    node.call("evm_increaseTime", 10 * 86_400)
    node.call("evm_revert", snapshot)
    node.call("evm_mine")
    assert _timestamp(node) < _timestamp(node, "earliest") + 86_400


def test_set_balance(node: Node) -> None:
    target = "0x" + "55" * 20
    assert node.call("anvil_setBalance", target, hex(10**18)) is None
    assert node.call("eth_getBalance", target, "latest") == hex(10**18)
    assert node.call("hardhat_setBalance", target, "0x0") is True
    assert node.call("eth_getBalance", target) == "0x0"
    sender = node.accounts[2]
    node.call("anvil_setBalance", sender.address, "0x1")
    raw = node.sign({"to": RECIPIENT, "gas": 21000}, sender)
    failure = node.error("eth_sendRawTransaction", "0x" + raw.hex())
    assert failure.code == -32004


def test_genesis_time_in_the_past_starts_the_clock_there() -> None:
    """--genesis-time: block 0 carries it and later blocks follow on from it, not from now."""
    from cer_devchain.chain import DevChain
    from cer_devchain.config import ChainConfig

    now = 1_800_000_000.0
    genesis = 1_793_000_000  # about 81 days earlier
    chain = DevChain(
        ChainConfig(chain_id=1337, accounts=2, gas_limit=30_000_000, zero_base_fee=False),
        genesis_timestamp=genesis,
        clock=lambda: now,
    )
    assert chain.head.timestamp == genesis
    assert chain.time_offset == genesis - int(now)
    assert chain.now() == genesis
