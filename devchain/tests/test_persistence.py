"""--state persistence: checkpoint format, journal replay and restarts of the CLI."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import Address

from cer_devchain import persistence
from cer_devchain.chain import DevChain
from cer_devchain.config import ChainConfig
from cer_devchain.persistence import (
    CHECKPOINT_FILE,
    JOURNAL_FILE,
    PersistentChain,
    StateError,
    decode_checkpoint,
    encode_checkpoint,
)

from .conftest import CHAIN_ID, GWEI, RpcClient

RECIPIENT = "0x" + "11" * 20
KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _transfer(client: RpcClient, value: int) -> str:
    account = Account.from_key(KEY_0)
    nonce = int(client.call("eth_getTransactionCount", account.address, "pending"), 16)
    signed = account.sign_transaction(
        {"chainId": CHAIN_ID, "nonce": nonce, "to": RECIPIENT, "value": value, "gas": 21000,
         "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI}
    )
    return client.call("eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())


def _summary(client: RpcClient) -> dict[str, Any]:
    sender = Account.from_key(KEY_0).address
    latest = client.call("eth_getBlockByNumber", "latest", False)
    return {
        "block": client.call("eth_blockNumber"),
        "hash": latest["hash"],
        "timestamp": latest["timestamp"],
        "balance": client.call("eth_getBalance", RECIPIENT, "latest"),
        "nonce": client.call("eth_getTransactionCount", sender, "latest"),
    }


def test_checkpoint_round_trip_and_corruption_detection() -> None:
    database = {b"\x01" * 32: b"value", b"k": b""}
    blob = encode_checkpoint({"seq": 3, "x": [1, 2]}, database)
    assert decode_checkpoint(blob) == ({"seq": 3, "x": [1, 2]}, database)
    damaged = bytearray(blob)
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(StateError):
        decode_checkpoint(bytes(damaged))


def test_in_process_restart_replays_journal(tmp_path: Path) -> None:
    persistent = PersistentChain.open(tmp_path, ChainConfig())
    chain = persistent.chain
    raw = Account.from_key(KEY_0).sign_transaction(
        {"chainId": CHAIN_ID, "nonce": 0, "to": RECIPIENT, "value": 5, "gas": 21000,
         "gasPrice": 2 * GWEI}
    ).raw_transaction
    chain.send_raw_transaction(bytes(raw))
    kept = chain.snapshot()
    chain.mine()
    dropped = chain.snapshot()
    chain.mine()
    assert chain.revert(dropped) is True
    chain.increase_time(1000)
    chain.set_balance(bytes.fromhex("22" * 20), 123)
    head = chain.head
    offset = chain.time_offset
    entries = [json.loads(line) for line in (tmp_path / JOURNAL_FILE).read_text().splitlines()]
    assert [e["op"] for e in entries] == [
        "block", "snapshot", "block", "snapshot", "block", "revert", "time", "block"
    ]
    assert [e["seq"] for e in entries] == list(range(1, 9))
    # simulate a crash: no checkpoint at shutdown, the lock is released by the OS
    persistent.store.close()

    reopened = PersistentChain.open(tmp_path, ChainConfig())
    try:
        again = reopened.chain
        assert again.head.hash == head.hash
        assert again.head.block_number == 3
        assert again.time_offset == offset
        assert again.state_at(again.head).get_balance(Address(bytes.fromhex("22" * 20))) == 123
        assert (tmp_path / JOURNAL_FILE).read_text() == ""  # compacted into the checkpoint
        assert again.revert(dropped) is False
        assert again.revert(kept) is True
        assert again.head.block_number == 1
    finally:
        reopened.close()


def test_journal_is_compacted_periodically(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(persistence, "COMPACT_EVERY", 3)
    persistent = PersistentChain.open(tmp_path, ChainConfig())
    try:
        for _ in range(4):
            persistent.chain.mine()
        lines = (tmp_path / JOURNAL_FILE).read_text().splitlines()
        assert [json.loads(line)["seq"] for line in lines] == [4]
        meta, _ = decode_checkpoint((tmp_path / CHECKPOINT_FILE).read_bytes())
        assert meta["seq"] == 3
        assert meta["head"] != persistent.chain.head.hash.hex()  # block 4 only in the journal
    finally:
        persistent.close()
    meta, _ = decode_checkpoint((tmp_path / CHECKPOINT_FILE).read_bytes())
    assert meta["head"] == persistent.chain.head.hash.hex()


def test_torn_last_journal_line_is_ignored(tmp_path: Path) -> None:
    persistent = PersistentChain.open(tmp_path, ChainConfig())
    persistent.chain.mine()
    head = persistent.chain.head.hash
    persistent.store.close()
    with open(tmp_path / JOURNAL_FILE, "a", encoding="utf-8") as journal:
        journal.write('{"seq": 2, "op": "blo')
    reopened = PersistentChain.open(tmp_path, ChainConfig())
    try:
        assert reopened.chain.head.hash == head
    finally:
        reopened.close()


def test_state_directory_is_locked_and_config_checked(tmp_path: Path) -> None:
    persistent = PersistentChain.open(tmp_path, ChainConfig())
    try:
        with pytest.raises(StateError, match="in use"):
            PersistentChain.open(tmp_path, ChainConfig())
    finally:
        persistent.close()
    with pytest.raises(StateError, match="refusing"):
        PersistentChain.open(tmp_path, ChainConfig(chain_id=99))
    assert (tmp_path / CHECKPOINT_FILE).exists()
    assert DevChain.config_from_meta(
        decode_checkpoint((tmp_path / CHECKPOINT_FILE).read_bytes())[0]
    ) == ChainConfig()


def test_cli_state_survives_sigterm_and_sigkill(tmp_path: Path, spawn: Any) -> None:
    state = str(tmp_path / "chain")
    first = spawn("--state", state)
    _transfer(first.client, 100)
    first.client.call("evm_increaseTime", 3600)
    _transfer(first.client, 200)
    before = _summary(first.client)
    assert before["block"] == "0x2" and before["nonce"] == "0x2"
    assert first.stop(signal.SIGTERM) == 0

    second = spawn("--state", state)
    assert _summary(second.client) == before
    tx_hash = _transfer(second.client, 300)
    after = _summary(second.client)
    assert after["block"] == "0x3" and after["balance"] == hex(600)
    # a crash must not lose acknowledged transactions (journal is fsync'ed)
    second.stop(signal.SIGKILL)

    third = spawn("--state", state)
    assert _summary(third.client) == after
    receipt = third.client.call("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    # time travel persisted too: the next block is not earlier than the last one
    third.client.call("evm_mine")
    assert int(_summary(third.client)["timestamp"], 16) > int(after["timestamp"], 16)
    assert third.stop(signal.SIGINT) == 0


def test_cli_refuses_state_from_another_chain_id(tmp_path: Path, spawn: Any) -> None:
    state = str(tmp_path / "chain")
    assert spawn("--state", state).stop() == 0
    with pytest.raises(AssertionError, match="refusing"):
        spawn("--state", state, "--chain-id", "4242")
